"""The results map's data, as the page embeds it for static/js/map.js.

Built here rather than in the template so its shape is one Python function the
tests and the script agree on.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from portal.search.service import SearchResults


def map_data(found: SearchResults) -> dict[str, Any] | None:
    """The searched place, how far the search reached, and each pinned clinic, numbered as
    in the list: this page's results, or the nearest clinics when none lies in the radius."""
    listed = found.results if found.total and not found.past_the_end else []
    pinned = listed or found.nearest
    if not pinned:
        return None
    first_number = found.first_number if listed else 1
    return {
        "center": {"lat": found.place.lat, "lng": found.place.lng, "label": found.place.label},
        "radius_miles": found.query.radius_miles,
        "clinics": [
            _pin(result.clinic, number=first_number + index, distance=result.distance_miles)
            for index, result in enumerate(pinned)
        ],
    }


def clinic_map_data(clinic: Any) -> dict[str, Any]:
    """The listing's small map: one unnumbered pin, no searched place."""
    return {"center": None, "clinics": [_pin(clinic, number=None, distance=None, link=False)]}


def _pin(clinic: Any, *, number: int | None, distance: float | None, link: bool = True) -> dict:
    return {
        "id": clinic.id,
        "number": number,
        "name": clinic.name,
        "lat": clinic.lat,
        "lng": clinic.lng,
        "distance_miles": round(distance, 1) if distance is not None else None,
        "url": url_for("clinics.listing", slug=clinic.slug) if link else None,
    }
