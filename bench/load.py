"""Load test: the portal under gunicorn (2 workers) beside a trivial Flask endpoint.

Builds a scratch SQLite database with the sample clinics, serves it with
gunicorn on 127.0.0.1, and drives it for DURATION seconds with CLIENTS
concurrent connections:

1. the trivial endpoint (one route returning "ok"): the framework's ceiling here;
2. the fixed mix: 40% search pages, 30% listings, 30% API (search and one clinic);
3. search pages only, listings only, the search API only (the same few searches
   repeated, as popular places are: most are answered from the search cache);
4. search pages that never repeat (real ZIP codes): the cost without that cache.

Prints requests/s, median and 95th-percentile latency and errors (socket
errors, timeouts and any status other than 200) for each, and search as a
share of the trivial endpoint. Uses wrk (`apt-get install wrk`) when it is
installed, else a Python client (threads; it saturates sooner, so its ceiling
is lower).

    .venv/bin/python bench/load.py              # 30 s each, 20 clients
    DURATION=10 CLIENTS=20 .venv/bin/python bench/load.py
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/load.py
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import gunicorn  # noqa: E402

DURATION = int(os.environ.get("DURATION", "30"))
CLIENTS = int(os.environ.get("CLIENTS", "20"))
WORKERS = 2

SEARCHES = [
    "/search?location=92101",
    "/search?location=10001&radius=50&condition=depression",
    "/search?location=Austin%2C+TX&radius=100&sort=price",
    "/search?location=60601&route=iv&verified=1",
]

WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "median_ms": %%f, "p95_ms": %%f, '
    .. '"errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def build_database(folder: Path) -> tuple[str, list[str], list[int]]:
    """A database with the sample clinics; returns its URL, some listing slugs and ids."""
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import Clinic

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'load.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "GEODATA_PATH": str(geodata_path())})
    with app.app_context():
        db.drop_all()
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        rows = db.session.execute(
            select(Clinic.slug, Clinic.id).where(Clinic.status == "published")
        )
        slugs, ids = zip(*rows.all(), strict=True)
        db.session.remove()
        db.engine.dispose()
    return url, list(slugs), list(ids)


def geodata_path() -> Path:
    return Path(os.environ.get("GEODATA_PATH", ROOT / "instance" / "us-zip-centroids.tsv"))


def mix(slugs: list[str], ids: list[int]) -> list[str]:
    """10 requests in a fixed order: 4 search pages, 3 listings, 3 API calls."""
    return [
        *SEARCHES,
        *(f"/clinics/{slug}" for slug in slugs[:3]),
        "/api/v1/clinics?location=92101&radius=100",
        "/api/v1/clinics?location=10001&condition=ptsd",
        f"/api/v1/clinics/{ids[0]}",
    ]


def varied_searches(count: int = 6000) -> list[str]:
    """Search pages that never repeat within a run: real ZIP codes x three radii.

    The portal keeps whole search answers for a minute (portal/search/cache.py);
    these show what a search costs when it is not in that cache.
    """
    with geodata_path().open(encoding="utf-8") as table:
        zips = [line.split("\t", 1)[0] for line in table if line[:1].isdigit()]
    step = max(1, len(zips) // (count // 3))
    chosen = zips[::step][: count // 3]
    return [f"/search?location={zip_code}&radius={r}" for r in (10, 25, 100) for zip_code in chosen]


def run_wrk(base: str, paths: list[str]) -> dict:
    quoted = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % quoted)
    threads = min(2, CLIENTS)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(CLIENTS),
            "-d",
            f"{DURATION}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def run_python(base: str, paths: list[str]) -> dict:
    """CLIENTS threads, each with a keep-alive connection, cycling through `paths`."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + DURATION

    def client(offset: int) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        n = offset
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies) + errors,
        "seconds": seconds,
        "rps": (len(latencies) + errors) / seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
    }


def measure(base: str, paths: list[str], warm: list[str] | None = None) -> dict:
    for path in paths if warm is None else warm:  # warm every worker, fail early on a bad path
        for _ in range(WORKERS * 2):
            connection = http.client.HTTPConnection(*base.removeprefix("http://").split(":"))
            connection.request("GET", path)
            status = connection.getresponse().status
            assert status == 200, (path, status)
    return run_wrk(base, paths) if shutil.which("wrk") else run_python(base, paths)


def row(name: str, result: dict) -> str:
    return (
        f"{name:<28} {result['rps']:>9.0f} {result['median_ms']:>9.1f} {result['p95_ms']:>9.1f} "
        f"{result['errors']:>7d} {result['requests']:>9d}"
    )


def main() -> None:
    client = "wrk" if shutil.which("wrk") else "python threads"
    print(
        f"gunicorn {WORKERS} sync workers on 127.0.0.1, {CLIENTS} clients, {DURATION} s each, "
        f"client: {client}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as folder:
        url, slugs, ids = build_database(Path(folder))
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" + "k" * 40,
            "GEODATA_PATH": str(geodata_path()),
            "RATELIMIT_ENABLED": "false",  # one address sends everything here
        }
        results = {}
        trivial = {"PYTHONPATH": str(ROOT / "bench")}
        with gunicorn(trivial, workers=WORKERS, app="trivial_app:app", probe="/") as base:
            results["trivial Flask endpoint"] = measure(base, ["/"])
        with gunicorn(env, workers=WORKERS) as base:
            results["mix (search/listing/API)"] = measure(base, mix(slugs, ids))
            results["search pages only"] = measure(base, SEARCHES)
            results["listing pages only"] = measure(base, [f"/clinics/{s}" for s in slugs[:5]])
            results["search API only"] = measure(base, mix(slugs, ids)[7:9])
            varied = varied_searches()
            results["search pages, all new"] = measure(base, varied, warm=varied[:4])
    print(f"{'run':<28} {'req/s':>9} {'median':>9} {'p95 ms':>9} {'errors':>7} {'requests':>9}")
    for name, result in results.items():
        print(row(name, result))
    ceiling = results["trivial Flask endpoint"]["rps"]
    for name in (
        "mix (search/listing/API)",
        "search pages only",
        "search API only",
        "search pages, all new",
    ):
        print(f"{name}: {results[name]['rps'] / ceiling:.0%} of the trivial endpoint")
    errors = sum(result["errors"] for result in results.values())
    share = min(results[n]["rps"] for n in ("search pages only", "search API only")) / ceiling
    print(
        f"targets: 0 errors ({'met' if errors == 0 else f'MISSED: {errors}'}); "
        f"repeated search throughput at least 40% of the trivial endpoint "
        f"({'met' if share >= 0.4 else 'MISSED'}: {share:.0%})"
    )


if __name__ == "__main__":
    main()
