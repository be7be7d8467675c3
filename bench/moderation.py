"""How fast the moderation queue and a review page answer with many clinics waiting.

Builds a scratch SQLite database (or uses BENCH_DATABASE_URL) with CLINICS clinics,
each with a few revisions (some decided, some replaced, the newest pending), then
prints the median time of the queue query and of GET /moderation and one review page.

    .venv/bin/python bench/moderation.py            # 2,000 clinics
    CLINICS=500 .venv/bin/python bench/moderation.py
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app, listings  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import ReviewDecision, User, utcnow  # noqa: E402
from portal.moderation import service  # noqa: E402
from tests.factories import clean_profile  # noqa: E402

CLINICS = int(os.environ.get("CLINICS", "2000"))
ROUNDS = 15


def median_ms(action) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def build() -> tuple[int, int]:
    moderator = User(email="bench@mod.example", password_hash="!", role="moderator")  # noqa: S106
    db.session.add(moderator)
    db.session.flush()
    start = utcnow() - timedelta(days=30)
    last_revision = None
    for number in range(CLINICS):
        clinic = listings.create_clinic(clean_profile(name=f"Bench Clinic {number}"), manager=None)
        first = listings.submit_revision(clinic, user=None, submitted_at=start)
        if number % 3 == 0:  # decided: a rejection, then a new submission
            db.session.add(
                ReviewDecision(
                    revision_id=first.id, moderator_id=moderator.id, outcome="reject", reason="x"
                )
            )
        profile = dataclasses.replace(clinic.draft.profile, phone=f"(619) 555-{number % 10000:04d}")
        listings.save_draft(clinic, profile, expected_version=None, user=None)
        last_revision = listings.submit_revision(
            clinic, user=None, submitted_at=start + timedelta(minutes=number)
        )
        if number % 500 == 0:
            db.session.commit()
    db.session.commit()
    return moderator.id, last_revision.id


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "RATELIMIT_ENABLED": False,
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            moderator_id, revision_id = build()
            took = time.perf_counter() - started
            print(f"built {CLINICS} clinics in {took:.1f} s on {db.engine.dialect.name}")
            queue = service.pending_queue(utcnow())
            print(f"pending in queue: {len(queue)}")
            print(
                f"queue query: {median_ms(lambda: service.pending_queue(utcnow())):.1f} ms median"
            )
            client = app.test_client()
            token = db.session.get(User, moderator_id).session_token
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            assert client.get("/moderation").status_code == 200
            print(f"GET /moderation: {median_ms(lambda: client.get('/moderation')):.1f} ms median")
            page = f"/moderation/revisions/{revision_id}"
            assert client.get(page).status_code == 200
            print(f"GET {page}: {median_ms(lambda: client.get(page)):.1f} ms median")
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
