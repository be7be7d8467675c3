"""Geocoding and distances: the offline ZIP table, its builder, and the helpers around it.

The table is built once per run by the real builder (`python -m portal.geodata`)
in a subprocess, exactly as a deployment would.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from geopy import distance
from geopy.exc import GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from portal import geodata
from portal.geo import (
    GeocodingError,
    OfflineGeocoder,
    Place,
    bounding_box,
    build_geocoder,
    geocode_place,
    miles_between,
    zip_exists,
    zips,
)

ROOT = Path(__file__).resolve().parent.parent
DOWNTOWN_AUSTIN = (30.27, -97.74)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="session")
def table_path(tmp_path_factory) -> Path:
    """The compact table, built by the command line builder as a deployment would."""
    path = tmp_path_factory.mktemp("geo") / "us-zip-centroids.tsv"
    subprocess.run(
        [sys.executable, "-m", "portal.geodata", str(path)],
        check=True,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        timeout=180,
    )
    return path


@pytest.fixture(scope="session")
def geocoder(table_path) -> OfflineGeocoder:
    return OfflineGeocoder(table_path)


def _copy(table_path: Path, directory: Path) -> Path:
    """A private copy, so a test can load or damage a table no other test shares."""
    copy = directory / "table.tsv"
    shutil.copyfile(table_path, copy)
    return copy


# --- the table ---------------------------------------------------------------------------


def test_table_is_small_versioned_and_has_no_null_island(table_path):
    lines = table_path.read_text(encoding="utf-8").splitlines()
    header = geodata.parse_header(lines[0])
    assert header == {
        "format": str(geodata.FORMAT_VERSION),
        "zipcodes": "3.0.0",
        "rows": str(len(lines) - 2),
    }
    assert lines[1].split("\t") == list(geodata.COLUMNS)
    rows = [line.split("\t") for line in lines[2:]]
    assert 41_000 < len(rows) < 42_789  # 42,789 records less the 872 at lat = lng = 0
    assert not [r for r in rows if float(r[1]) == 0 and float(r[2]) == 0]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert table_path.stat().st_size < 3_000_000
    assert not list(table_path.parent.glob(".*.tmp"))  # the atomic write left nothing behind


def test_builder_usage_error_exit_code():
    assert geodata.main([]) == 2


def test_table_rows_drop_records_without_a_position():
    records = [
        {"zip_code": "09000", "lat": "0", "long": "0", "city": "Apo", "state": "AE"},
        {"zip_code": "00000", "lat": "0.0000", "long": "0.0000", "city": "X", "state": "NY"},
        {"zip_code": "1234", "lat": "1", "long": "1", "city": "Short", "state": "NY"},
        {
            "zip_code": "27101",
            "lat": "36.0999",
            "long": "-80.2442",
            "city": "Winston-salem",
            "state": "NC",
            "active": False,
            "acceptable_cities": ["Winston Salem", "Winston-salem"],
        },
    ]
    assert list(geodata.table_rows(records)) == [
        ("27101", "36.0999", "-80.2442", "Winston-Salem", "NC", "0", "Winston Salem")
    ]


# --- geocoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "label", "lat", "lng"),
    [
        ("92101", "San Diego, CA 92101", 32.72, -117.16),
        ("92101-1234", "San Diego, CA 92101", 32.72, -117.16),
        ("10001", "New York, NY 10001", 40.75, -74.00),
        ("350 5th Ave, New York, NY 10118", "New York, NY 10118", 40.75, -73.99),
        ("350 5th Ave, New York, NY 10118-0110, USA", "New York, NY 10118", 40.75, -73.99),
        ("San Diego, CA", "San Diego, CA", 32.76, -117.15),
        ("San Diego, California", "San Diego, CA", 32.76, -117.15),
        ("san diego california", "San Diego, CA", 32.76, -117.15),
        ("austin tx", "Austin, TX", 30.31, -97.76),
        ("AUSTIN,   TX", "Austin, TX", 30.31, -97.76),
        ("  austin   tx ", "Austin, TX", 30.31, -97.76),
        ("Austin, Texas", "Austin, TX", 30.31, -97.76),
        ("St. Louis, MO", "Saint Louis, MO", 38.64, -90.28),
        ("Charleston, West Virginia", "Charleston, WV", 38.34, -81.61),
        ("Kansas City Kansas", "Kansas City, KS", 39.11, -94.69),
        ("Washington, D.C.", "Washington, DC", 38.90, -77.02),
        ("San José, CA", "San Jose, CA", 37.32, -121.88),
        ("NYC", "New York, NY", 40.76, -73.98),
        ("Austin, TX 00000", "Austin, TX", 30.31, -97.76),  # unknown ZIP: the city still counts
    ],
)
def test_geocode(geocoder, query, label, lat, lng):
    location = geocoder.geocode(query)
    assert isinstance(location, Location)
    assert location.address == label
    assert location.latitude == pytest.approx(lat, abs=0.02)
    assert location.longitude == pytest.approx(lng, abs=0.02)
    assert location.raw["kind"] == ("zip" if label[-1].isdigit() else "city")


def test_city_lands_downtown_not_in_a_suburb(geocoder):
    location = geocoder.geocode("Austin TX")
    assert miles_between(*DOWNTOWN_AUSTIN, location.latitude, location.longitude) < 10


@pytest.mark.parametrize(
    "query",
    [
        "Nowhere, ZZ",
        "00000",
        "9210",
        "",
        "   ",
        "x" * 201,
        "Austin, TX " * 30,
        "<script>",
        "<script>alert(1)</script>",
        "%%%",
        "😀",
        "🏥 🏥",
        "Texas",
        "123 Main Street",
        "'; DROP TABLE clinics; --",
        "\x00\x01",
    ],
)
def test_unknown_queries_give_none(geocoder, query):
    assert geocoder.geocode(query) is None
    assert geocode_place(geocoder, query) is None


def test_non_string_query_gives_none(geocoder):
    assert geocoder.geocode(None) is None  # type: ignore[arg-type]


def test_overlong_query_is_refused_quickly(geocoder):
    geocoder.geocode("92101")  # table loaded
    started = time.perf_counter()
    assert geocoder.geocode("a" * 100_000) is None
    assert time.perf_counter() - started < 0.01


def test_bare_city_prefers_the_largest(geocoder):
    assert geocoder.geocode("Austin").address == "Austin, TX"
    every = geocoder.geocode("Springfield", exactly_one=False)
    assert isinstance(every, list) and len(every) > 10
    assert len({location.address for location in every}) == len(every)


def test_exactly_one_false_gives_a_list(geocoder):
    result = geocoder.geocode("92101", exactly_one=False)
    assert [location.address for location in result] == ["San Diego, CA 92101"]
    assert geocoder.geocode("Nowhere, ZZ", exactly_one=False) is None


def test_acceptable_city_is_only_a_fallback(geocoder):
    # Ramey is an acceptable name of Aguadilla ZIPs only; Austin is nobody's alias first.
    assert geocoder.geocode("Ramey, PR").address == "Ramey, PR"
    assert geocoder.geocode("Aguadilla, PR").address == "Aguadilla, PR"


def test_zip_lookup(geocoder, table_path):
    place = geocoder.lookup_zip("92101-1234")
    assert place == Place("San Diego, CA 92101", 32.7185, -117.1593, "92101", "San Diego", "CA")
    assert geocoder.has_zip("10118")
    assert geocoder.has_zip("01133")  # inactive, but a patient may still type it
    assert not geocoder.has_zip("09000")  # military, no position
    for bad in ("00000", "9210", "abcde", "921011", "", "92101-12"):
        assert not geocoder.has_zip(bad)
        assert geocoder.lookup_zip(bad) is None
    assert zip_exists(table_path, "78701")
    assert not zip_exists(table_path, "99999")


def test_geocode_place_gives_a_place(geocoder):
    assert geocode_place(geocoder, "San Diego, CA") == Place(
        "San Diego, CA",
        pytest.approx(32.756, abs=0.01),
        pytest.approx(-117.147, abs=0.01),
        None,
        "San Diego",
        "CA",
    )
    place = geocode_place(geocoder, "350 5th Ave, New York, NY 10118")
    assert (place.zip, place.city, place.state) == ("10118", "New York", "NY")


def test_offline_geocoder_makes_no_network_calls(table_path, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network I/O attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    fresh = OfflineGeocoder(_copy(table_path, tmp_path))
    assert fresh.geocode("austin tx").address == "Austin, TX"
    with pytest.raises(GeocoderServiceError):
        fresh._call_geocoder("https://example.invalid/", lambda x: x)


def test_queries_never_reach_the_log(table_path, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    fresh = OfflineGeocoder(_copy(table_path, tmp_path))
    queries = ["1600 Pennsylvania Ave NW, Washington, DC 20500", "Secretville, ZZ"]
    for query in queries:
        fresh.geocode(query)
        geocode_place(fresh, query)
    assert "loaded" in caplog.text  # the load itself is logged...
    for query in queries:
        assert query not in caplog.text  # ...what patients typed is not
        assert "Pennsylvania" not in caplog.text


# --- loading and building ----------------------------------------------------------------


def test_missing_table_is_built_in_a_subprocess(tmp_path):
    path = tmp_path / "nested" / "dir" / "table.tsv"
    assert OfflineGeocoder(path).geocode("78701").address == "Austin, TX 78701"
    assert geodata.parse_header(path.read_text(encoding="utf-8").split("\n", 1)[0])


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("zipcodes=3.0.0", "zipcodes=2.0.0", 1),
        lambda text: text.replace("format=1", "format=0", 1),
        lambda text: text.replace("\tactive\t", "\tis_active\t", 1),
        lambda text: text[: len(text) // 2],
        lambda text: text.replace("\t", " ", 50),
        lambda text: text.replace("40.8154", "north", 1),
        lambda text: "",
    ],
    ids=["old-zipcodes", "old-format", "columns", "truncated", "bad-rows", "bad-number", "empty"],
)
def test_stale_or_damaged_table_is_noticed(table_path, tmp_path, damage):
    path = _copy(table_path, tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(zips._StaleTable):
        zips._ZipTable.load(path, "3.0.0")


def test_stale_table_is_rebuilt(table_path, tmp_path):
    path = _copy(table_path, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("=3.0.0", "=2.0.0", 1))
    assert OfflineGeocoder(path).has_zip("92101")
    assert path.read_bytes() == table_path.read_bytes()


def test_failed_build_is_a_geocoding_error_and_not_retried_at_once(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = blocker / "table.tsv"  # the builder cannot create a directory here
    fresh = OfflineGeocoder(path)
    with pytest.raises(GeocodingError, match="not answering"):
        fresh.geocode("92101")

    def no_second_try(*args, **kwargs):
        raise AssertionError("tried again at once")

    monkeypatch.setattr(zips, "_load_or_build", no_second_try)
    with pytest.raises(GeocodingError):
        fresh.geocode("92101")


def test_threads_load_the_table_once(table_path, tmp_path, monkeypatch):
    path = _copy(table_path, tmp_path)
    loads = []
    real_load = zips._ZipTable.load

    def counting_load(*args, **kwargs):
        loads.append(1)
        time.sleep(0.05)  # widen the race window
        return real_load(*args, **kwargs)

    monkeypatch.setattr(zips._ZipTable, "load", counting_load)
    fresh = OfflineGeocoder(path)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.geocode("austin tx").address))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["Austin, TX"] * 8
    assert loads == [1]


def test_concurrent_processes_build_once(tmp_path):
    path = tmp_path / "shared.tsv"
    code = (
        "import logging, sys; logging.basicConfig(level=logging.WARNING);"
        "from portal.geo import OfflineGeocoder;"
        "print(OfflineGeocoder(sys.argv[1]).geocode('92101').address)"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    assert [out.strip() for out, _ in outputs] == ["San Diego, CA 92101"] * 3
    assert sum(err.count("building the ZIP table") for _, err in outputs) == 1


def test_loaded_table_is_small(table_path):
    """Measured in a fresh process: what a web worker pays, and that it skips `zipcodes`."""
    code = (
        "import resource, sys, time; from portal.geo import zips;"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "t = time.perf_counter(); zips._table(sys.argv[1]); t = time.perf_counter() - t;"
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss;"
        "print(t, grown * 1024, 'zipcodes' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(table_path)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    seconds, grown_bytes, imported_zipcodes = result.stdout.split()
    assert int(grown_bytes) < 30 * 2**20  # zipcodes.list_all() would add ~140 MB
    assert float(seconds) < 2
    assert imported_zipcodes == "False"


# --- distances ---------------------------------------------------------------------------


def _centroid(geocoder: OfflineGeocoder, zip_code: str) -> tuple[float, float]:
    place = geocoder.lookup_zip(zip_code)
    return place.lat, place.lng


@pytest.mark.parametrize(
    ("zip_a", "zip_b", "low", "high"),
    [
        ("10001", "90012", 2450 * 0.99, 2450 * 1.01),  # New York - Los Angeles
        ("92101", "90012", 111, 112.5),  # San Diego - Los Angeles
        ("78701", "77002", 144, 149),  # Austin - Houston
        ("60601", "60601", 0, 0),
    ],
)
def test_miles_between_known_pairs(geocoder, zip_a, zip_b, low, high):
    a, b = _centroid(geocoder, zip_a), _centroid(geocoder, zip_b)
    miles = miles_between(*a, *b)
    assert low <= miles <= high
    assert miles == pytest.approx(distance.geodesic(a, b).miles, rel=0.005, abs=1e-9)
    assert miles_between(*b, *a) == pytest.approx(miles)


def test_miles_between_antipodes_does_not_fail():
    assert miles_between(0, 0, 0, 180) == pytest.approx(3958.8 * 3.141592653589793)


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        (30.27, -97.74),
        (61.22, -149.90),
        (24.55, -81.78),
        (0.0, 0.0),
        (-33.9, 151.2),
        (70.2, -148.5),
    ],
)
@pytest.mark.parametrize("radius", [0.5, 10, 25, 100, 500])
def test_bounding_box_never_under_covers(lat, lng, radius):
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    for bearing in range(0, 360, 45):
        for method in (distance.great_circle, distance.geodesic):
            point = method(miles=radius).destination((lat, lng), bearing)
            assert min_lat <= point.latitude <= max_lat, (method, bearing)
            assert min_lng <= point.longitude <= max_lng, (method, bearing)
    # ...and does not balloon: no wider than twice the exact extent.
    assert max_lat - min_lat < 2 * 2 * radius / 69.0 + 1e-9


def test_bounding_box_edges():
    assert bounding_box(89.9, 10, 50) == (pytest.approx(89.17, abs=0.01), 90.0, -180.0, 180.0)
    south = bounding_box(-89.9, 10, 50)
    assert (south[0], south[2], south[3]) == (-90.0, -180.0, 180.0)
    assert bounding_box(52.0, 179.9, 30)[2:] == (-180.0, 180.0)  # crosses the 180th meridian
    assert bounding_box(0, 0, 20_000) == (-90.0, 90.0, -180.0, 180.0)
    assert bounding_box(40, -100, 0) == (40, 40, -100, -100)
    with pytest.raises(ValueError):
        bounding_box(40, -100, -1)


# --- choosing a geocoder and its failures ------------------------------------------------


def test_build_geocoder(table_path):
    assert isinstance(build_geocoder("offline", table_path), OfflineGeocoder)
    assert isinstance(build_geocoder(" Offline ", table_path), OfflineGeocoder)
    nominatim = build_geocoder("nominatim", table_path, user_agent="test-agent", timeout=3)
    assert isinstance(nominatim, Nominatim)
    assert nominatim.headers["User-Agent"] == "test-agent"
    assert nominatim.timeout == 3
    with pytest.raises(ValueError, match="bogus"):
        build_geocoder("bogus", table_path)


def test_nominatim_failure_becomes_geocoding_error(table_path, caplog):
    nominatim = build_geocoder("nominatim", table_path, timeout=2)
    # Never the real service from a test run: an unresolvable host fails as offline does.
    nominatim.api = "https://nominatim.invalid/search"
    caplog.set_level(logging.DEBUG)
    started = time.perf_counter()
    with pytest.raises(GeocodingError) as caught:
        geocode_place(nominatim, "1600 Pennsylvania Ave NW, Washington, DC")
    assert time.perf_counter() - started < 5
    assert str(caught.value).startswith("The location service is not answering right now")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "Pennsylvania" not in caplog.text


class _FailingGeocoder(Geocoder):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def geocode(self, query, *, exactly_one=True, timeout=None):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        GeocoderTimedOut("timed out"),
        GeocoderUnavailable("down"),
        GeocoderServiceError("500"),
        TimeoutError("timed out"),
        socket.gaierror(-2, "Name or service not known"),
        ConnectionResetError(),
    ],
)
def test_service_errors_become_geocoding_errors(error):
    with pytest.raises(GeocodingError, match="not answering"):
        geocode_place(_FailingGeocoder(error), "Austin, TX")


def test_programming_errors_are_not_hidden():
    with pytest.raises(KeyError):
        geocode_place(_FailingGeocoder(KeyError("bug")), "Austin, TX")


def test_place_from_a_nominatim_answer():
    class _Answering(Geocoder):
        def geocode(self, query, *, exactly_one=True, timeout=None):
            raw = {
                "address": {
                    "city": "Austin",
                    "state": "Texas",
                    "ISO3166-2-lvl4": "US-TX",
                    "postcode": "78701-1234",
                }
            }
            return Location("Austin, Travis County, Texas, United States", (30.27, -97.74), raw)

    place = geocode_place(_Answering(), "Austin, TX")
    assert place == Place("Austin, TX 78701", 30.27, -97.74, "78701", "Austin", "TX")
