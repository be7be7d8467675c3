"""Points and distances: a resolved place, miles between two points, a search's bounding box."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_MILES = 3958.8
SERVICE_DOWN_MESSAGE = (
    "The location service is not answering right now. Please try again in a few minutes."
)


class GeocodingError(Exception):
    """A location service failed or timed out; the message is safe to show a patient."""


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
