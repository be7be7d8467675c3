"""Turn what a patient types (ZIP, "City, ST", an address) into a point, and measure distances.

The default geocoder is offline: it reads a compact ZIP centroid table (built
once by `portal.geodata` in a subprocess, so no web worker pays the ~140 MB of
`zipcodes.list_all()`) and never touches the network. Nominatim can be chosen
instead; its failures reach callers only as `GeocodingError`.

Queries are personal data (a patient's home address): nothing here logs them.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.adapters import BaseSyncAdapter, URLLibAdapter
from geopy.exc import GeocoderServiceError, GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from portal import geodata

log = logging.getLogger(__name__)

EARTH_RADIUS_MILES = 3958.8
# "Use my location" farther than this from any US ZIP centroid is outside the US.
MAX_NEAREST_ZIP_MILES = 100
MAX_QUERY_LENGTH = 200
SERVICE_DOWN_MESSAGE = (
    "The location service is not answering right now. Please try again in a few minutes."
)
_BUILD_TIMEOUT_SECONDS = 180
_RETRY_BUILD_AFTER_SECONDS = 60.0

# Two-letter codes the table uses, with the names people type in full.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
    "VI": "Virgin Islands", "GU": "Guam", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "FM": "Micronesia", "MH": "Marshall Islands",
    "PW": "Palau", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}  # fmt: skip

# Abbreviations in city names, expanded the same way on both sides of a lookup.
_WORD_EXPANSIONS = {
    "st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point",
    "n": "north", "s": "south", "e": "east", "w": "west",
}  # fmt: skip
# Names people use that the USPS lists as "unacceptable", so the table lacks them.
_CITY_ALIASES = {("nyc", "NY"): "newyork", ("newyorkcity", "NY"): "newyork"}
_COUNTRY_WORDS = {"usa", "us", "unitedstates", "unitedstatesofamerica", "america"}
_WORD_RE = re.compile(r"[a-z0-9]+")
_STATE_LOOKUP: dict[str, str] = {}
for _code, _name in STATE_NAMES.items():
    _STATE_LOOKUP[_code.lower()] = _code
    _STATE_LOOKUP[_name.lower().replace(" ", "")] = _code
_STATE_LOOKUP.update({"usvirginislands": "VI", "usvi": "VI", "washingtondc": "DC"})


class _NoGeopyRequestLog(logging.Filter):
    """Drop geopy's DEBUG records: they carry the request URL, and with it the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _silence_geopy_request_log() -> None:
    geopy_log = logging.getLogger("geopy")
    if not any(isinstance(f, _NoGeopyRequestLog) for f in geopy_log.filters):
        geopy_log.addFilter(_NoGeopyRequestLog())


_silence_geopy_request_log()


class GeocodingError(Exception):
    """A location service failed or timed out; the message is safe to show a patient."""


class _StaleTable(Exception):
    """The table file is missing its header, was made by another version, or is damaged."""


@dataclass(frozen=True)
class Place:
    """A resolved location: what to call it and where it is."""

    label: str
    lat: float
    lng: float
    zip: str | None
    city: str | None
    state: str | None


# --- distances ---------------------------------------------------------------------------


def miles_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in miles: within 0.5% of WGS84 and ~100x faster."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def bounding_box(lat: float, lng: float, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) holding every point within `radius_miles`.

    A cheap SQL prefilter before the exact distance check, so it may over-cover
    but must never under-cover: the radius gets a 1% margin (WGS84 distances
    differ from the sphere's by up to ~0.6%), longitude uses the exact spherical
    extent asin(sin d / cos lat) rather than d / cos lat (which is too narrow),
    and a box that reaches a pole or crosses the 180th meridian spans every
    longitude, since a plain tuple cannot wrap around.
    """
    if radius_miles < 0:
        raise ValueError("radius_miles must not be negative")
    angle = radius_miles * 1.01 / EARTH_RADIUS_MILES
    if angle >= math.pi:
        return (-90.0, 90.0, -180.0, 180.0)
    dlat = math.degrees(angle)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90.0 or max_lat >= 90.0:
        return (max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return (min_lat, max_lat, -180.0, 180.0)
    dlng = math.degrees(math.asin(ratio))
    min_lng, max_lng = lng - dlng, lng + dlng
    if min_lng < -180.0 or max_lng > 180.0:
        return (min_lat, max_lat, -180.0, 180.0)
    return (min_lat, max_lat, min_lng, max_lng)


# --- the ZIP table -----------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower-case without accents, so "San José" finds "San Jose"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_fold(text))


def _city_key(words: list[str]) -> str:
    """Spaces and punctuation dropped, so "Winston Salem" = "Winston-Salem" = "St. Louis"."""
    return "".join(_WORD_EXPANSIONS.get(word, word) for word in words)


class _ZipTable:
    """The loaded table: arrays instead of per-ZIP objects keep it at a few MB.

    City entries (index i) hold the mean of the active ZIP centroids whose
    primary city it is, or of all its ZIPs when none is active; acceptable
    (alternate) city names get entries of their own, looked up only when no
    primary city of that name exists in the state.
    """

    def __init__(self) -> None:
        self.row_of_zip = array("i", [-1]) * 100_000
        self.zip_lat = array("d")
        self.zip_lng = array("d")
        self.zip_number = array("i")
        self.zip_city = array("i")
        self.city_lat = array("d")
        self.city_lng = array("d")
        self.city_zips = array("i")
        self.city_name: list[str] = []
        self.city_state: list[str] = []
        self.primary: dict[str, int] = {}
        self.acceptable: dict[str, int] = {}
        self.states: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path, expected_version: str | None) -> _ZipTable:
        """Read the table; raise _StaleTable unless it is complete and current."""
        table = cls()
        # Per city entry: lat sum, lng sum, count over active ZIPs, then over all ZIPs.
        sums = array("d")
        keys: dict[str, str] = {}  # city name as written -> lookup key, computed once
        with open(path, encoding="utf-8", newline="\n") as handle:
            header = geodata.parse_header(handle.readline())
            if header is None or header.get("format") != str(geodata.FORMAT_VERSION):
                raise _StaleTable("not a table of the current format")
            if expected_version is not None and header.get("zipcodes") != expected_version:
                raise _StaleTable("built from another zipcodes release")
            if handle.readline().rstrip("\n").split("\t") != list(geodata.COLUMNS):
                raise _StaleTable("unexpected columns")
            try:
                for line in handle:
                    fields = line.rstrip("\n").split("\t")
                    zip_code, lat_text, lng_text, city, state, active, aliases = fields
                    lat, lng, number = float(lat_text), float(lng_text), int(zip_code)
                    names = [city, *aliases.split(geodata.ALIAS_SEPARATOR)] if aliases else [city]
                    for position, name in enumerate(names):
                        key = keys.get(name)
                        if key is None:
                            key = keys[name] = _city_key(_words(name))
                        index_map = table.primary if position == 0 else table.acceptable
                        entry = index_map.get(f"{key}|{state}")
                        if entry is None:
                            entry = index_map[f"{key}|{state}"] = len(table.city_name)
                            table.city_name.append(name)
                            table.city_state.append(sys.intern(state))
                            sums.extend((0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
                        if position == 0:
                            table.zip_city.append(entry)
                        base = entry * 6
                        if active == "1":
                            sums[base] += lat
                            sums[base + 1] += lng
                            sums[base + 2] += 1
                        sums[base + 3] += lat
                        sums[base + 4] += lng
                        sums[base + 5] += 1
                    table.row_of_zip[number] = len(table.zip_lat)
                    table.zip_lat.append(lat)
                    table.zip_lng.append(lng)
                    table.zip_number.append(number)
            except (ValueError, IndexError) as exc:  # wrong field count, bad number, bad UTF-8
                raise _StaleTable("damaged row") from exc
        if header.get("rows") != str(len(table.zip_lat)):
            raise _StaleTable("row count does not match the header")
        for entry in range(len(table.city_name)):
            base = entry * 6 if sums[entry * 6 + 2] else entry * 6 + 3
            table.city_lat.append(sums[base] / sums[base + 2])
            table.city_lng.append(sums[base + 1] / sums[base + 2])
            table.city_zips.append(int(sums[entry * 6 + 2]))
        table.states = tuple(sorted(set(table.city_state)))
        return table

    def zip_row(self, zip_code: str) -> int:
        if len(zip_code) != 5 or not zip_code.isascii() or not zip_code.isdigit():
            return -1
        return self.row_of_zip[int(zip_code)]

    def zip_place(self, row: int) -> Place:
        city = self.zip_city[row]
        zip_code = f"{self.zip_number[row]:05d}"
        name, state = self.city_name[city], self.city_state[city]
        return Place(f"{name}, {state} {zip_code}", self.zip_lat[row], self.zip_lng[row],
                     zip_code, name, state)  # fmt: skip

    def city_place(self, index: int) -> Place:
        name, state = self.city_name[index], self.city_state[index]
        return Place(f"{name}, {state}", self.city_lat[index], self.city_lng[index],
                     None, name, state)  # fmt: skip

    def find_city(self, key: str, state: str) -> int | None:
        """Primary city first, then a few common aliases, then acceptable names."""
        found = self.primary.get(f"{key}|{state}")
        if found is None and (key, state) in _CITY_ALIASES:
            found = self.primary.get(f"{_CITY_ALIASES[key, state]}|{state}")
        if found is None:
            found = self.acceptable.get(f"{key}|{state}")
        return found

    def find_city_any_state(self, key: str) -> list[int]:
        """Every state's city of that name, the one with most ZIPs first."""
        found = [i for st in self.states if (i := self.find_city(key, st)) is not None]
        return sorted(found, key=lambda i: (-self.city_zips[i], self.city_state[i]))


_TABLES: dict[str, _ZipTable] = {}
_FAILED_AT: dict[str, float] = {}
_TABLES_LOCK = threading.Lock()


def _table(table_path: str | os.PathLike[str]) -> _ZipTable:
    """The table at `table_path`, loaded (and built if need be) once per process."""
    key = os.path.abspath(table_path)
    table = _TABLES.get(key)
    if table is not None:
        return table
    with _TABLES_LOCK:
        table = _TABLES.get(key)
        if table is not None:
            return table
        failed_at = _FAILED_AT.get(key)
        if failed_at is not None and time.monotonic() - failed_at < _RETRY_BUILD_AFTER_SECONDS:
            raise GeocodingError(SERVICE_DOWN_MESSAGE)
        started = time.perf_counter()
        try:
            table = _load_or_build(Path(key))
        except (OSError, ValueError, _StaleTable, subprocess.SubprocessError) as exc:
            _FAILED_AT[key] = time.monotonic()
            log.error("ZIP table %s unavailable: %s", key, exc)
            raise GeocodingError(SERVICE_DOWN_MESSAGE) from exc
        _FAILED_AT.pop(key, None)
        _TABLES[key] = table
        log.info(
            "loaded %d ZIP codes and %d city names from %s in %.0f ms",
            len(table.zip_lat), len(table.city_lat), key, (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return table


def _load_or_build(path: Path) -> _ZipTable:
    version = geodata.zipcodes_version()
    with contextlib.suppress(FileNotFoundError, _StaleTable):
        return _ZipTable.load(path, version)
    with _exclusive_lock(path):
        # Another process may have built it while we waited for the lock.
        with contextlib.suppress(FileNotFoundError, _StaleTable):
            return _ZipTable.load(path, version)
        _run_builder(path)
    return _ZipTable.load(path, version)


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold `<table>.lock` so that concurrent workers build the table only once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: the builder's atomic replace still keeps readers safe
        yield
        return
    with open(f"{path}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_builder(path: Path) -> None:
    """Build in a child process so this one never holds `zipcodes.list_all()`'s 140 MB.

    The builder runs by file path with -P (no script directory on sys.path),
    so it neither imports the web app nor lets portal/*.py shadow the stdlib.
    """
    log.warning("building the ZIP table at %s (missing or out of date)", path)
    command = [sys.executable, "-P", geodata.__file__, str(path)]
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, capture_output=True, text=True, timeout=_BUILD_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise subprocess.SubprocessError(
            f"builder exited with {result.returncode}: {result.stderr.strip()[-500:]}"
        )


# --- geocoders ---------------------------------------------------------------------------


class _NoNetworkAdapter(BaseSyncAdapter):
    """Given to the offline geocoder so that any attempt at a request fails loudly."""

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        raise GeocoderServiceError("the offline geocoder makes no requests")

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise GeocoderServiceError("the offline geocoder makes no requests")


def _zip_location(place: Place) -> Location:
    raw = {"zip": place.zip, "city": place.city, "state": place.state, "kind": "zip"}
    return Location(place.label, (place.lat, place.lng), raw)


def _city_location(place: Place) -> Location:
    raw = {"zip": None, "city": place.city, "state": place.state, "kind": "city"}
    return Location(place.label, (place.lat, place.lng), raw)


def _usable_query(query: Any) -> str | None:
    """The query if it is worth looking up: short, and with a letter or digit in it."""
    if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH:
        return None
    if not any(ch.isalnum() for ch in query):
        return None
    return query


class OfflineGeocoder(Geocoder):
    """Resolves US ZIP codes and "City, ST" from the compact table; no network I/O."""

    def __init__(self, table_path: str | os.PathLike[str]) -> None:
        super().__init__(adapter_factory=_NoNetworkAdapter)
        self.table_path = os.fspath(table_path)

    def load(self) -> None:
        """Load (building if needed) now, e.g. before a server forks its workers."""
        _table(self.table_path)

    def has_zip(self, zip_code: str) -> bool:
        """Whether the table knows this ZIP (5 digits or ZIP+4)."""
        return self.lookup_zip(zip_code) is not None

    def lookup_zip(self, zip_code: str) -> Place | None:
        """The centroid of a 5-digit ZIP or ZIP+4, or None."""
        match = re.fullmatch(r"\s*(\d{5})(?:-?\d{4})?\s*", zip_code or "")
        if match is None:
            return None
        table = _table(self.table_path)
        row = table.zip_row(match.group(1))
        return table.zip_place(row) if row >= 0 else None

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """Resolve a ZIP, "City, ST" / "City State", or an address ending in a ZIP.

        Returns None when nothing matches (also for exactly_one=False, as geopy
        geocoders do). `timeout` is accepted for geopy compatibility and unused.
        """
        text = _usable_query(query)
        if text is None:
            return None
        places = self._resolve(text)
        if not places:
            return None
        return places[0] if exactly_one else places

    def _resolve(self, text: str) -> list[Location]:
        table = _table(self.table_path)
        parts = [words for words in (_words(part) for part in text.split(",")) if words]
        if not parts:
            return []
        if len(parts) > 1 and "".join(parts[-1]) in _COUNTRY_WORDS:
            parts.pop()
        last = parts[-1]
        if last[-1] in _COUNTRY_WORDS and len(last) > 1:
            last = last[:-1]

        # A bare ZIP / ZIP+4 ("92101", "92101-1234", "921011234"): never a city name.
        digits = "".join(last)
        if len(parts) == 1 and digits.isdigit():
            if len(digits) == 5 or (len(digits) == 9 and len(last) in (1, 2)):
                row = table.zip_row(digits[:5])
                return [_zip_location(table.zip_place(row))] if row >= 0 else []
            return []

        # An address ending in a ZIP: its centroid, else fall back to the city part.
        if len(last) >= 2 and len(last[-1]) == 4 and len(last[-2]) == 5 and last[-2].isdigit():
            last = last[:-1]
        if len(last[-1]) == 5 and last[-1].isdigit():
            row = table.zip_row(last[-1])
            if row >= 0:
                return [_zip_location(table.zip_place(row))]
            last = last[:-1]
        parts = [*parts[:-1], last] if last else parts[:-1]
        if not parts:
            return []
        last = parts[-1]

        # A state at the end, in full or abbreviated; the city is what comes before it.
        for size in range(min(4, len(last)), 0, -1):
            state = _STATE_LOOKUP.get("".join(last[-size:]))
            if state is None:
                continue
            before = last[:-size]
            if not before and len(parts) >= 2:
                before = parts[-2]
            # Longest trailing run first: "350 5th Ave New York NY" -> "New York".
            for start in range(max(0, len(before) - 6), len(before)):
                found = table.find_city(_city_key(before[start:]), state)
                if found is not None:
                    return [_city_location(table.city_place(found))]

        # A city with no state ("Austin", "New York"): every match, largest first.
        if len(parts) == 1:
            found_all = table.find_city_any_state(_city_key(last))
            if not found_all:
                found_all = [
                    i
                    for (alias, state), target in _CITY_ALIASES.items()
                    if alias == _city_key(last)
                    and (i := table.primary.get(f"{target}|{state}")) is not None
                ]
            return [_city_location(table.city_place(i)) for i in found_all]
        return []


def zip_exists(table_path: str | os.PathLike[str], zip_code: str) -> bool:
    """Whether `zip_code` (5 digits or ZIP+4) is a known US ZIP with a position."""
    return OfflineGeocoder(table_path).has_zip(zip_code)


def nearest_zip(table_path: str | os.PathLike[str], lat: float, lng: float) -> Place | None:
    """The ZIP whose centroid is closest to a point ("use my location"), from the offline table.

    Always the local table, whatever GEOCODER says: a patient's position never leaves the
    server. A scan of ~42,000 centroids, narrowed by a latitude band first (about 10 ms).
    """
    if not (math.isfinite(lat) and math.isfinite(lng)) or abs(lat) > 90 or abs(lng) > 180:
        return None
    table = _table(table_path)
    best_row, best_miles = -1, math.inf
    for band in (0.5, 2.0, 10.0, 180.0):
        for row, row_lat in enumerate(table.zip_lat):
            if abs(row_lat - lat) > band:
                continue
            miles = miles_between(lat, lng, row_lat, table.zip_lng[row])
            if miles < best_miles:
                best_row, best_miles = row, miles
        # Another ZIP beyond the band is farther than the band's width in miles (~69/degree).
        if best_row >= 0 and best_miles <= band * 69:
            break
    if best_row < 0 or best_miles > MAX_NEAREST_ZIP_MILES:
        return None
    return table.zip_place(best_row)


def build_geocoder(
    name: str,
    table_path: str | os.PathLike[str],
    *,
    user_agent: str = "ketamine-clinic-portal",
    timeout: float = 5,
) -> Geocoder:
    """The geocoder configured by name: "offline" (default) or "nominatim"."""
    choice = (name or "offline").strip().lower()
    if choice == "offline":
        return OfflineGeocoder(table_path)
    if choice == "nominatim":
        # urllib, not requests: urllib3 logs retried URLs, and the URL holds the patient's place.
        return Nominatim(user_agent=user_agent, timeout=timeout, adapter_factory=URLLibAdapter)
    raise ValueError(f"unknown geocoder {name!r}; expected 'offline' or 'nominatim'")


def _state_code(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return _STATE_LOOKUP.get("".join(_words(value)))


def _place_from_location(location: Location) -> Place:
    raw = location.raw if isinstance(location.raw, dict) else {}
    if raw.get("kind") in ("zip", "city"):
        return Place(location.address, location.latitude, location.longitude,
                     raw.get("zip"), raw.get("city"), raw.get("state"))  # fmt: skip
    # Nominatim with addressdetails=True.
    address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
    postcode = str(address.get("postcode") or "")
    zip_code = postcode[:5] if re.match(r"\d{5}(?:$|-)", postcode) else None
    city = next((address[k] for k in ("city", "town", "village", "hamlet") if address.get(k)), None)
    iso = str(address.get("ISO3166-2-lvl4") or "")
    state = iso[3:] if iso.startswith("US-") else _state_code(address.get("state"))
    label = location.address
    if city and state:
        label = f"{city}, {state}" + (f" {zip_code}" if zip_code else "")
    return Place(label, location.latitude, location.longitude, zip_code, city, state)


def geocode_place(geocoder: Geocoder, query: str) -> Place | None:
    """Resolve `query` to a Place, or None; service failures become GeocodingError.

    Failures are logged by exception class only: geopy's messages contain the
    request URL, and with it the patient's query.
    """
    text = _usable_query(query)
    if text is None:
        return None
    try:
        if isinstance(geocoder, Nominatim):
            location = geocoder.geocode(
                text, exactly_one=True, addressdetails=True, country_codes="us"
            )
        else:
            location = geocoder.geocode(text, exactly_one=True)
    except GeocodingError:
        raise
    except (GeopyError, OSError) as exc:  # OSError covers socket errors and TimeoutError
        log.warning("geocoder %s failed: %s", type(geocoder).__name__, type(exc).__name__)
        raise GeocodingError(SERVICE_DOWN_MESSAGE) from None
    if isinstance(location, list):
        location = location[0] if location else None
    return _place_from_location(location) if location is not None else None
