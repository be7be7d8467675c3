"""How fast is the clinic search, and how much does its SQL prefilter buy?

    make bench-search
    .venv/bin/python bench/search.py --sizes 1000,10000 --repeat 5

For each size, builds a SQLite database in a temporary folder holding that
many synthetic clinics spread over real US ZIP centroids (read from the
compact table portal.geo builds), about 90% of them published. Then runs a
fixed set of searches (several cities; radii 10, 25 and 100 miles; without
and with filters) two ways in the same process:

- service: `portal.search.service.search`, exactly as the page and the API
  call it (geocoding, bounding box and filters in SQL, haversine on the
  candidates, the page's clinics read with their codes and red flags);
- naive: load every published clinic with its codes, filter in Python,
  compute every distance with geopy's geodesic, sort, then load the page's
  clinics the same way.

Prints, per size, the median and 95th percentile of each (per radius and
overall) and their ratio, and checks that both ways find the same clinics.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geopy.distance import geodesic  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from portal import create_app, vocab  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.geo import geocode_place  # noqa: E402
from portal.models import (  # noqa: E402
    Clinic,
    ClinicCondition,
    ClinicPaymentOption,
    ClinicRoute,
    utcnow,
)
from portal.places import get_geocoder  # noqa: E402
from portal.search import service  # noqa: E402
from portal.search.service import Result, SearchQuery, SearchResults  # noqa: E402
from portal.vetting import red_flags  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
PLACES = ("10001", "Chicago, IL", "austin tx", "92101", "Denver, CO", "30303")
RADII = (10, 25, 100)
FILTER_SETS: dict[str, dict] = {
    "no filters": {},
    "filtered": {
        "routes": ("iv",),
        "conditions": ("depression",),
        "therapy": ("in_house", "coordinated"),
        "verified": True,
        "max_price": 550,
    },
}
BATCH = 5_000


# --- building the databases --------------------------------------------------------------


def zip_centroids(table_path: Path) -> list[tuple[str, float, float, str, str]]:
    """(zip, lat, lng, city, state) of every row of the compact table (see portal.geodata)."""
    rows = []
    with table_path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(("#", "zip\t")):
                continue
            zip_code, lat, lng, city, state, *_rest = line.rstrip("\n").split("\t")
            rows.append((zip_code, float(lat), float(lng), city, state))
    return rows


def synthetic_clinics(count: int, centroids: list, rng: random.Random, today: date):
    """Rows for the clinics table and its three code tables, ready for executemany."""
    clinics, routes, conditions, payments = [], [], [], []
    now = utcnow()
    route_odds = {"iv": 0.9, "im": 0.4, "esketamine": 0.3, "oral": 0.25}
    for number in range(1, count + 1):
        zip_code, lat, lng, city, state = rng.choice(centroids)
        verified_at = today - timedelta(days=rng.randrange(0, 730))
        price_min = rng.randrange(300, 800, 25)
        clinics.append(
            {
                "id": number,
                "slug": f"bench-clinic-{number}",
                "status": "published" if rng.random() < 0.9 else "pending",
                "is_sample": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "name": f"Bench Clinic {number}",
                "address": f"{rng.randrange(1, 9999)} Main Street",
                "city": city,
                "state": state,
                "zip": zip_code,
                "lat": lat + rng.uniform(-0.03, 0.03),
                "lng": lng + rng.uniform(-0.03, 0.03),
                "verified_at": verified_at,
                "verification_expires": verified_at + timedelta(days=365),
                "last_confirmed_at": now,
                "accepting_new_patients": rng.random() < 0.9,
                "treatments_administered": None if rng.random() < 0.1 else rng.randrange(50, 9000),
                "years_offering": rng.randrange(1, 12),
                "director_discipline": rng.choice(list(vocab.DIRECTOR_DISCIPLINES)),
                "session_monitor": rng.choice(list(vocab.SESSION_MONITORS)),
                "monitors_blood_pressure": rng.random() < 0.9,
                "monitors_heart_rate": rng.random() < 0.9,
                "recovery_minutes": rng.choice([0, 30, 60, 120]),
                "transport_required": rng.random() < 0.8,
                "therapy": rng.choice(list(vocab.THERAPY)),
                "price_min": price_min,
                "price_max": price_min + rng.randrange(0, 500, 25),
            }
        )
        routes += [
            {"clinic_id": number, "code": code}
            for code, odds in route_odds.items()
            if rng.random() < odds
        ]
        conditions += [
            {"clinic_id": number, "code": code}
            for code in rng.sample(list(vocab.CONDITIONS), rng.randrange(1, 6))
        ]
        payments += [
            {"clinic_id": number, "code": code}
            for code in rng.sample(list(vocab.PAYMENT_OPTIONS), rng.randrange(0, 4))
        ]
    return clinics, routes, conditions, payments


def fill(count: int, centroids: list, today: date) -> None:
    """Bulk-insert `count` clinics (executemany in batches, never one ORM object at a time)."""
    rng = random.Random(count)  # the same clinics on every run
    tables = (Clinic, ClinicRoute, ClinicCondition, ClinicPaymentOption)
    for model, rows in zip(tables, synthetic_clinics(count, centroids, rng, today), strict=True):
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(model.__table__), rows[start : start + BATCH])
    db.session.commit()


# --- the naive way -----------------------------------------------------------------------


def naive_search(query: SearchQuery, *, geocoder, today: date) -> SearchResults:
    """Every published clinic from the database, every distance by geodesic, in Python.

    Also keeps every match as `(geodesic miles, id)` in `naive_search.last_found`,
    so the run can check that both ways find the same clinics.
    """
    place = geocode_place(geocoder, query.location)
    rows = db.session.execute(select(Clinic.__table__).where(Clinic.status == "published")).all()
    codes: dict[str, dict[int, set[str]]] = {}
    for name, model in (
        ("routes", ClinicRoute),
        ("conditions", ClinicCondition),
        ("payment", ClinicPaymentOption),
    ):
        by_clinic: dict[int, set[str]] = defaultdict(set)
        for clinic_id, code in db.session.execute(select(model.clinic_id, model.code)):
            by_clinic[clinic_id].add(code)
        codes[name] = by_clinic
    found = []
    origin = (place.lat, place.lng)
    for row in rows:
        if row.lat is None:
            continue
        if not set(query.routes) <= codes["routes"][row.id]:
            continue
        if not set(query.conditions) <= codes["conditions"][row.id]:
            continue
        if not set(query.payment) <= codes["payment"][row.id]:
            continue
        if query.therapy and row.therapy not in query.therapy:
            continue
        if query.verified and not (row.verification_expires and row.verification_expires > today):
            continue
        if query.accepting and not row.accepting_new_patients:
            continue
        if query.max_price is not None and (
            row.price_min is None or row.price_min > query.max_price
        ):
            continue
        distance = geodesic(origin, (row.lat, row.lng)).miles
        if distance <= query.radius_miles:
            found.append((distance, row.id))
    found.sort()
    naive_search.last_found = found
    start = (query.page - 1) * query.per_page
    page = found[start : start + query.per_page]
    clinics = service.load_clinics(row_id for _distance, row_id in page)
    results = [
        Result(
            clinic=clinics[row_id],
            distance_miles=distance,
            verified=clinics[row_id].verification_state(today) == "current",
            red_flags=red_flags(clinics[row_id].profile),
        )
        for distance, row_id in page
    ]
    return SearchResults(query=query, place=place, total=len(found), results=results)


# --- measuring ---------------------------------------------------------------------------


def timed(function: Callable, query: SearchQuery, geocoder, today: date):
    """Wall and CPU milliseconds of one call, with a fresh session (no object cached)."""
    db.session.remove()
    started, cpu_started = time.perf_counter(), time.process_time()
    found = function(query, geocoder=geocoder, today=today)
    wall = (time.perf_counter() - started) * 1000
    cpu = (time.process_time() - cpu_started) * 1000
    return wall, cpu, found


def compare(found: SearchResults, naive: SearchResults, naive_all: list, today: date) -> str:
    """ "same", "edge" (only clinics within 0.6% of the radius differ: the sphere and the
    WGS84 ellipsoid disagree by up to ~0.5%), or what differs."""
    radius = found.query.radius_miles
    fast_ids = {row_id for row_id, _miles in service.rank(found.place, found.query, today=today)}
    slow_ids = {row_id for _miles, row_id in naive_all}
    if fast_ids == slow_ids:
        page_fast = [result.clinic.id for result in found.results]
        page_slow = [result.clinic.id for result in naive.results]
        if page_fast == page_slow:
            return "same"
    origin = (found.place.lat, found.place.lng)
    for row_id in fast_ids ^ slow_ids:
        clinic = db.session.get(Clinic, row_id)
        miles = geodesic(origin, (clinic.lat, clinic.lng)).miles
        if abs(miles - radius) > radius * 0.006:
            return f"clinic {row_id} at {miles:.2f} miles"
    return "edge"  # also when two clinics at almost the same distance swap places


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def queries() -> list[tuple[int, str, SearchQuery]]:
    return [
        (radius, label, SearchQuery(location=place, radius_miles=radius, **filters))
        for place in PLACES
        for radius in RADII
        for label, filters in FILTER_SETS.items()
    ]


def run_size(count: int, folder: Path, table_path: Path, centroids: list, repeat: int) -> None:
    database = folder / f"bench-{count}.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "GEODATA_PATH": str(table_path),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    today = date.today()
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        fill(count, centroids, today)
        built = time.perf_counter() - started
        published = db.session.scalar(
            select(db.func.count()).select_from(Clinic).where(Clinic.status == "published")
        )
        geocoder = get_geocoder()
        fast: dict[str, list[float]] = defaultdict(list)
        slow: dict[str, list[float]] = defaultdict(list)
        fast_cpu: dict[str, list[float]] = defaultdict(list)
        candidates_total = 0
        same, near_edge, different = 0, 0, []
        for radius, label, query in queries():
            key = f"{radius} mi"
            service.search(query, geocoder=geocoder, today=today)  # warm the caches
            for _ in range(repeat):
                elapsed, cpu, found = timed(service.search, query, geocoder, today)
                for bucket in (key, "all"):
                    fast[bucket].append(elapsed)
                    fast_cpu[bucket].append(cpu)
            elapsed, _cpu, naive = timed(naive_search, query, geocoder, today)
            slow[key].append(elapsed)
            slow["all"].append(elapsed)
            candidates_total += found.total
            verdict = compare(found, naive, naive_search.last_found, today)
            if verdict == "same":
                same += 1
            elif verdict == "edge":
                near_edge += 1
            else:
                different.append((query.location, radius, label, verdict))
        db.session.remove()
        db.engine.dispose()

    print(
        f"\n{count:,} clinics ({published:,} published); built in {built:.1f} s; "
        f"{len(queries())} searches ({len(PLACES)} places x radii {RADII} x "
        f"{len(FILTER_SETS)} filter sets), service {repeat}x each, naive 1x each"
    )
    print(
        f"{'':8}{'service median':>16}{'p95':>10}{'(CPU median)':>14}"
        f"{'naive median':>16}{'p95':>11}{'ratio':>8}"
    )
    for key in [*(f"{r} mi" for r in RADII), "all"]:
        f_med, f_95 = statistics.median(fast[key]), percentile(fast[key], 0.95)
        s_med, s_95 = statistics.median(slow[key]), percentile(slow[key], 0.95)
        cpu_med = statistics.median(fast_cpu[key])
        print(
            f"{key:8}{f_med:13.2f} ms{f_95:7.2f} ms{cpu_med:11.2f} ms"
            f"{s_med:13.1f} ms{s_95:8.1f} ms{s_med / f_med:7.0f}x"
        )
    print(
        f"results: {same} searches identical, {near_edge} differ only at the radius edge, "
        f"{len(different)} differ"
        + (f": {different}" if different else "")
        + f"; {candidates_total / len(queries()):.0f} clinics found per search on average"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="service runs per search")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    table_path = ROOT / "instance" / "us-zip-centroids.tsv"
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/unused.db",
                "GEODATA_PATH": str(table_path),
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            get_geocoder().load()  # builds the table once if it is missing
        centroids = zip_centroids(table_path)
        print(f"ZIP centroids: {len(centroids):,} from {table_path}")
        print(f"load average before: {_load_average()} (CPU cores: {os.cpu_count()})")
        for count in sizes:
            run_size(count, Path(folder), table_path, centroids, args.repeat)
        print(f"\nload average after: {_load_average()}")
    return 0


def _load_average() -> str:
    """Other processes on the machine slow every figure down; say how busy it was."""
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
