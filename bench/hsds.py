"""How fast the HSDS open-data endpoints and export answer, with many published clinics.

    .venv/bin/python bench/hsds.py [CLINICS]

Builds a throw-away SQLite database with the sample data plus CLINICS extra
published clinics (copies of the sample profiles, default 2,000), then prints
the median time of each request and of a full export.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app, listings  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Clinic  # noqa: E402
from portal.opendata import hsds  # noqa: E402
from portal.profile import Profile  # noqa: E402
from portal.seeding import load_seed_file  # noqa: E402


def build(app, extra: int) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed"]).exit_code == 0
    profiles = [
        Profile.from_dict(e["profile"]) for e in load_seed_file(ROOT / "seeds" / "clinics.json")
    ]
    for number in range(extra):
        base = profiles[number % len(profiles)]
        clinic = listings.create_clinic(replace(base, name=f"{base.name} {number}"), manager=None)
        revision = listings.submit_revision(clinic, user=None)
        listings.publish_revision(
            revision,
            moderator=None,
            today=date.today(),
            checklist=listings.Checklist(),
            coordinates=(32.7, -117.1),
        )
        if number % 200 == 0:
            db.session.commit()
    db.session.commit()


def timed(client, url: str, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "RATELIMIT_ENABLED": False,
                "GEODATA_PATH": str(ROOT / "instance" / "us-zip-centroids.tsv"),
            }
        )
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            build(app, extra)
            print(f"built {48 + extra} published clinics in {time.perf_counter() - start:.1f} s")
            client = app.test_client()
            last = db.session.scalar(select(func.max(Clinic.id)))
            last_service = hsds.record_id("service", last)
            term = hsds.TERMS["route:esketamine"].id
            cases = {
                "organizations, page 1 of 20": "/api/v1/hsds/organizations",
                "services, 100 per page": "/api/v1/hsds/services?per_page=100",
                "services, 100 per page, full": "/api/v1/hsds/services?per_page=100&full=true",
                "service by id (last clinic)": f"/api/v1/hsds/services/{last_service}",
                "services with a term, page 1": f"/api/v1/hsds/services?taxonomy_term_id={term}",
                "search 'san diego'": "/api/v1/hsds/service_at_locations?search=san%20diego",
            }
            for name, url in cases.items():
                print(f"{name:32} {timed(client, url):8.1f} ms (median of 15)")
            runner = app.test_cli_runner()
            start = time.perf_counter()
            result = runner.invoke(args=["export-hsds", f"{folder}/export"])
            print(f"export-hsds: {time.perf_counter() - start:.1f} s; {result.output.strip()}")


if __name__ == "__main__":
    main()
