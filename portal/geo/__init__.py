"""Where things are: points and distances (`points`), the US ZIP table (`zips`),
and the geocoders that turn what a patient types into a place (`geocoders`).

Queries are personal data (a patient's home address): nothing here logs them.
"""

from portal.geo.geocoders import (
    MAX_QUERY_LENGTH,
    OfflineGeocoder,
    build_geocoder,
    geocode_place,
    zip_exists,
)
from portal.geo.points import (
    EARTH_RADIUS_MILES,
    SERVICE_DOWN_MESSAGE,
    GeocodingError,
    Place,
    bounding_box,
    miles_between,
)
from portal.geo.zips import STATE_NAMES, nearest_zip

__all__ = [
    "EARTH_RADIUS_MILES",
    "MAX_QUERY_LENGTH",
    "SERVICE_DOWN_MESSAGE",
    "STATE_NAMES",
    "GeocodingError",
    "OfflineGeocoder",
    "Place",
    "bounding_box",
    "build_geocoder",
    "geocode_place",
    "miles_between",
    "nearest_zip",
    "zip_exists",
]
