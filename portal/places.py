"""The app's geocoder, built once per process from configuration."""

from __future__ import annotations

from flask import current_app
from geopy.geocoders.base import Geocoder

from portal.geo import Place, build_geocoder, geocode_place
from portal.profile import Profile


def get_geocoder() -> Geocoder:
    """The configured geocoder (offline unless GEOCODER says otherwise), cached on the app."""
    cached = current_app.extensions.get("portal.geocoder")
    if cached is None:
        config = current_app.config
        cached = build_geocoder(
            config["GEOCODER"], config["GEODATA_PATH"], timeout=config["GEOCODER_TIMEOUT"]
        )
        current_app.extensions["portal.geocoder"] = cached
    return cached


def find_place(query: str) -> Place | None:
    """A patient's place; raises geo.GeocodingError when an online service fails."""
    return geocode_place(get_geocoder(), query)


def clinic_coordinates(profile: Profile) -> tuple[float, float] | None:
    """Where a clinic's address lies, through the same geocoder patients use."""
    if not profile.zip:
        return None
    query = f"{profile.address}, {profile.city}, {profile.state} {profile.zip}"
    place = geocode_place(get_geocoder(), query)
    return (place.lat, place.lng) if place else None
