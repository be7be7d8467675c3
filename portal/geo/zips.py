"""The compact US ZIP table: find a ZIP or a "City, ST", and load (or build) the table once.

The table file is written by `portal.geodata` in a subprocess, so no web worker
pays the ~140 MB of `zipcodes.list_all()`.
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
from pathlib import Path

from portal import geodata, vocab
from portal.geo.points import SERVICE_DOWN_MESSAGE, GeocodingError, Place, miles_between

log = logging.getLogger(__name__)

_BUILD_TIMEOUT_SECONDS = 180
_RETRY_BUILD_AFTER_SECONDS = 60.0

# Two-letter codes the table uses, with the names people type in full: the states
# a clinic can be in, and the other USPS codes a patient's ZIP may carry.
STATE_NAMES: dict[str, str] = {
    **vocab.US_STATES,
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


class _StaleTable(Exception):
    """The table file is missing its header, was made by another version, or is damaged."""


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


# "Use my location" farther than this from any US ZIP centroid is outside the US.
MAX_NEAREST_ZIP_MILES = 100


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
