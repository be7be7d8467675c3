"""Example requests and (shortened) answers shown on the /api page.

Taken from the sample clinics; tests run each request against the sample data
and check that every field shown here is in the real answer, so the examples
cannot describe fields the API does not send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

EXAMPLE_SITE = "https://clinics.example.org"


@dataclass(frozen=True)
class Example:
    anchor: str
    title: str
    request: str
    status: int
    answer: dict[str, Any]
    note: str = ""

    def answer_text(self, site: str) -> str:
        """The answer as indented JSON, with this site's address in its links."""
        text = json.dumps(self.answer, indent=2, ensure_ascii=False)
        return text.replace(EXAMPLE_SITE, site.rstrip("/"))


_HARBOR = {
    "id": 1,
    "slug": "harbor-ketamine-center",
    "name": "Harbor Ketamine Center",
    "address": "1480 Pelican Quay Drive, Suite 300",
    "city": "San Diego",
    "state": "CA",
    "zip": "92101",
    "lat": 32.7185,
    "lng": -117.1593,
    "distance_miles": 0.0,
    "routes": ["iv", "esketamine"],
    "conditions": ["depression", "trd", "suicidal_ideation", "ptsd"],
    "therapy": "coordinated",
    "session_monitor": "physician",
    "treatments_administered": 4200,
    "price_min": 625,
    "price_max": 975,
    "accepting_new_patients": True,
    "verified": True,
    "verified_at": "2026-06-13",
    "verification_expires": "2027-06-13",
    "red_flags": [],
    "url": "/clinics/harbor-ketamine-center",
}

EXAMPLES = (
    Example(
        anchor="example-search",
        title="Clinics offering IV infusions within 10 miles of a ZIP code",
        request="/api/v1/clinics?location=92101&radius=10&route=iv&per_page=1",
        status=200,
        answer={
            "location": {
                "query": "92101",
                "label": "San Diego, CA 92101",
                "lat": 32.7185,
                "lng": -117.1593,
            },
            "radius_miles": 10,
            "total": 2,
            "page": 1,
            "pages": 2,
            "per_page": 1,
            "results": [_HARBOR],
        },
        note="Each result carries more fields than shown here; "
        "the OpenAPI description lists them all.",
    ),
    Example(
        anchor="example-error",
        title="A place we cannot find",
        request="/api/v1/clinics?location=Atlantis%2C+ZZ",
        status=400,
        answer={
            "error": {
                "code": "unknown_location",
                "message": "We could not find that place. Try a 5-digit ZIP code (like 92101), "
                'a city and state (like "Austin, TX"), or a street address that ends with its '
                "ZIP code.",
                "field": "location",
            }
        },
        note="Errors always have this shape; `code` is stable, `message` is for people.",
    ),
    Example(
        anchor="example-hsds-root",
        title="The open-data (HSDS) root",
        request="/api/v1/hsds/",
        status=200,
        answer={
            "version": "3.0",
            "profile": f"{EXAMPLE_SITE}/api#hsds-profile",
            "openapi_url": f"{EXAMPLE_SITE}/api/openapi.json",
            "taxonomies": [{"name": "ketamine-clinic-portal", "version": "1"}],
        },
    ),
    Example(
        anchor="example-hsds-services",
        title="The first page of services, five at a time",
        request="/api/v1/hsds/services?page=1&per_page=5",
        status=200,
        answer={
            "total_items": 48,
            "total_pages": 10,
            "page_number": 1,
            "size": 5,
            "first_page": True,
            "last_page": False,
            "empty": False,
            "contents": [
                {
                    "id": "f3f8be8e-00f8-56cf-9191-870701cecc64",
                    "name": "Ketamine treatment at Harbor Ketamine Center",
                    "organization_id": "130e1a97-a65c-56bb-a308-960141246a35",
                    "status": "active",
                }
            ],
        },
        note="Only the first of the five records is shown, and only some of its fields.",
    ),
)
