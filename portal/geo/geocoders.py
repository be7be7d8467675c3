"""Turn what a patient types (ZIP, "City, ST", an address) into a place.

The default geocoder is offline: it reads a compact ZIP centroid table (built
once by `portal.geodata` in a subprocess, so no web worker pays the ~140 MB of
`zipcodes.list_all()`) and never touches the network. Nominatim can be chosen
instead; its failures reach callers only as `GeocodingError`.

Queries are personal data (a patient's home address): nothing here logs them.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from geopy.adapters import BaseSyncAdapter, URLLibAdapter
from geopy.exc import GeocoderServiceError, GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from portal.geo.points import SERVICE_DOWN_MESSAGE, GeocodingError, Place
from portal.geo.zips import _CITY_ALIASES, _COUNTRY_WORDS, _STATE_LOOKUP, _city_key, _table, _words

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200


class _NoGeopyRequestLog(logging.Filter):
    """Drop geopy's DEBUG records: they carry the request URL, and with it the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _silence_geopy_request_log() -> None:
    geopy_log = logging.getLogger("geopy")
    if not any(isinstance(f, _NoGeopyRequestLog) for f in geopy_log.filters):
        geopy_log.addFilter(_NoGeopyRequestLog())


_silence_geopy_request_log()


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
