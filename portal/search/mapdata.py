"""The results map's data, as the page embeds it for static/js/results-map.js.

Built here rather than in the template so its shape is one Python function the
tests and the script agree on.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from portal.search.service import SearchResults


def map_data(found: SearchResults) -> dict[str, Any]:
    """Where the search was centred, how far it reached, and each clinic on this page."""
    return {
        "center": {"lat": found.place.lat, "lng": found.place.lng},
        "radius_miles": found.query.radius_miles,
        "clinics": [
            {
                "id": result.clinic.id,
                "name": result.clinic.name,
                "lat": result.clinic.lat,
                "lng": result.clinic.lng,
                "distance_miles": round(result.distance_miles, 1),
                "url": url_for("clinics.listing", slug=result.clinic.slug),
            }
            for result in found.results
        ],
    }
