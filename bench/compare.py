"""How fast a four-clinic comparison answers, and how many queries it costs.

Builds a scratch SQLite database (or uses BENCH_DATABASE_URL) holding the sample
clinics plus CLINICS more, then prints the median time and the number of SQL
statements of the comparison service and of GET /compare?ids=... for 4 clinics,
with and without a full comparison tray in the session.

    .venv/bin/python bench/compare.py
    CLINICS=5000 .venv/bin/python bench/compare.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g, request_started  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.compare import service, tray  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Clinic  # noqa: E402
from tests.factories import clean_profile, make_clinic  # noqa: E402

CLINICS = int(os.environ.get("CLINICS", "1000"))
ROUNDS = 30


def median_ms(action) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


class QueryCounter:
    """Counts the SQL statements an action sends (SHOW_SQL=1 prints them)."""

    def __init__(self, engine):
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *_args) -> None:
        self.statements.append(" ".join(statement.split())[:110])

    def during(self, action) -> int:
        self.statements = []
        action()
        if os.environ.get("SHOW_SQL"):
            for statement in self.statements:
                print("   ", statement)
        return len(self.statements)


def fresh_globals(_sender, **_extra) -> None:
    for name in list(g):
        g.pop(name)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "RATELIMIT_ENABLED": False,
                "SECRET_KEY": "bench",
                "GEODATA_PATH": f"{folder}/zips.tsv",
            }
        )
        with app.app_context():
            db.create_all()
            result = app.test_cli_runner().invoke(args=["seed"])
            assert result.exit_code == 0, result.output
            for number in range(CLINICS):
                make_clinic(clean_profile(name=f"Bench Clinic {number}"))
            ids = list(
                db.session.scalars(
                    select(Clinic.id).where(Clinic.status == "published").order_by(Clinic.id)
                )
            )[:4]
            total = db.session.scalar(select(db.func.count()).select_from(Clinic))
            db.session.remove()

            counter = QueryCounter(db.engine)
            query = ",".join(str(i) for i in ids)
            today = date.today()

            def build() -> None:
                service.compare([query], today=today)
                db.session.remove()

            # One app context stays open here; give each request a fresh `g`, as a server does.
            request_started.connect(fresh_globals, app)
            client = app.test_client()

            def page() -> None:
                response = client.get(f"/compare?ids={query}")
                assert response.status_code == 200

            with_tray = app.test_client()
            with with_tray.session_transaction() as session:
                session[tray.SESSION_KEY] = ids

            def page_with_tray() -> None:
                response = with_tray.get(f"/compare?ids={query}")
                assert response.status_code == 200
                assert b"Your comparison" in response.data

            print(f"{total} clinics in the database; comparing ids {query}")
            for name, action in (
                ("compare service (4 clinics)", build),
                ("GET /compare (4 clinics)", page),
                ("GET /compare, full tray", page_with_tray),
            ):
                action()  # warm up
                queries = counter.during(action)
                print(f"{name:32} median {median_ms(action):7.2f} ms   {queries} queries")


if __name__ == "__main__":
    main()
