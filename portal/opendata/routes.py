"""Open Referral HSDS 3 endpoints (/api/v1/hsds/...), on the API's blueprint.

The records come from portal.opendata.hsds (pure mapping) over published clinics
only (portal.opendata.queries). Lists are paged as HSDS's own OpenAPI describes:
total_items, total_pages, page_number, size, first_page, last_page, empty,
contents. docs/hsds-mapping.md describes the records.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app, jsonify, request, url_for

from portal import limits
from portal.api import bp
from portal.api.openapi import PRINTABLE
from portal.errors import error_response
from portal.forms import CONTROL_CHARACTERS, DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, parse_flag
from portal.models import utcnow
from portal.opendata import hsds
from portal.opendata import queries as service

SEARCH_MAX = 200
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled"
# Our HSDS profile (plain HSDS 3.0 plus our taxonomy) is described on /api under this anchor.
PROFILE_ANCHOR = "hsds-profile"


class BadParameter(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@bp.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter):
    return error_response(400, error.message, code="invalid_parameter", field=error.field)


# --- parsing -----------------------------------------------------------------------------


def _given(name: str) -> str | None:
    """The parameter's text, or None when absent; present but empty is refused.

    The OpenAPI document gives each of these a type (a number, a UUID, a time): an
    empty value is none of them, so it is answered 400 rather than ignored.
    """
    if name not in request.args:
        return None
    raw = request.args.get(name, "").strip()
    if not raw:
        raise BadParameter(name, f"{name} is empty: give a value or leave it out.")
    return raw


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    raw = _given(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        raise BadParameter(name, f"{name} must be a whole number from {low} to {high:,}.")
    return int(raw)


def _flag(name: str) -> bool:
    try:
        return parse_flag(_given(name) or "")
    except ValueError:
        raise BadParameter(name, f"{name} must be true or false.") from None


def _uuid(name: str) -> str | None:
    raw = _given(name)
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadParameter(name, f"{name} must be an id in UUID form.") from None


def _datetime(name: str) -> datetime | None:
    raw = _given(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            name, f"{name} must be a date or date and time, e.g. 2026-05-01T09:30:00Z."
        ) from None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC, and so on
            value = datetime.min if value.year == datetime.min.year else datetime.max
    return value


def _search() -> str:
    text = request.args.get("search", "").strip()
    if len(text) > SEARCH_MAX:
        raise BadParameter("search", f"search must be at most {SEARCH_MAX} characters.")
    if CONTROL_CHARACTERS.search(text):  # PostgreSQL refuses a NUL in text outright
        raise BadParameter("search", "search must not contain control characters.")
    return text


def _filters(*, by_service: bool) -> service.Filters:
    if not by_service:
        return service.Filters(search=_search())
    return service.Filters(
        search=_search(),
        organization_id=_uuid("organization_id"),
        taxonomy_term_id=_uuid("taxonomy_term_id"),
        taxonomy_id=_uuid("taxonomy_id"),
        modified_after=_datetime("modified_after"),
    )


def context() -> hsds.Context:
    config = current_app.config
    return hsds.Context(
        base_url=request.url_root,
        now=utcnow(),
        assurer_email=config["HSDS_ASSURER_EMAIL"],
        stale_after_days=config["STALE_AFTER_DAYS"],
    )


# --- answers -----------------------------------------------------------------------------


def _list(collection: str, *, by_service: bool):
    page_number = _whole_number("page", 1, 1, MAX_PAGE)
    per_page = _whole_number("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    full = _flag("full")
    page = service.published_page(_filters(by_service=by_service), page_number, per_page)
    _kind, whole, summary = hsds.COLLECTIONS[collection]
    build = whole if full else summary
    ctx = context()
    contents = [build(listing, ctx) for listing in page.listings]
    return jsonify(
        total_items=page.total_items,
        total_pages=page.total_pages,
        page_number=page.page_number,
        size=len(contents),
        first_page=page.page_number == 1,
        last_page=page.page_number >= page.total_pages,
        empty=not contents,
        contents=contents,
    )


def _one(collection: str, record_id: str):
    kind, whole, _summary = hsds.COLLECTIONS[collection]
    listing = service.published_listing(kind, record_id.lower())
    if listing is None:
        return error_response(404, f"No published listing has a {kind} with that id.")
    return jsonify(whole(listing, context()))


@bp.get("/v1/hsds/")
def hsds_about():
    """The API root Open Referral's validator reads first: version, profile, openapi_url."""
    return jsonify(
        version=hsds.HSDS_VERSION,
        profile=url_for("pages.api_guide", _external=True, _anchor=PROFILE_ANCHOR),
        openapi_url=url_for("api.openapi_json", _external=True),
        taxonomies=[hsds.taxonomy()],
    )


@bp.get("/v1/hsds/organizations")
@limits.open_data_lists
@limits.open_data_full
def hsds_organizations():
    return _list("organizations", by_service=False)


@bp.get("/v1/hsds/organizations/<record_id>")
def hsds_organization(record_id: str):
    return _one("organizations", record_id)


@bp.get("/v1/hsds/services")
@limits.open_data_lists
@limits.open_data_full
def hsds_services():
    return _list("services", by_service=True)


@bp.get("/v1/hsds/services/<record_id>")
def hsds_service(record_id: str):
    return _one("services", record_id)


@bp.get("/v1/hsds/service_at_locations")
@limits.open_data_lists
@limits.open_data_full
def hsds_service_at_locations():
    return _list("service_at_locations", by_service=True)


@bp.get("/v1/hsds/service_at_locations/<record_id>")
def hsds_service_at_location(record_id: str):
    return _one("service_at_locations", record_id)


# --- OpenAPI -----------------------------------------------------------------------------


def hsds_openapi_paths() -> dict[str, Any]:
    """The HSDS paths for the OpenAPI 3.1 description (merged into /api/openapi.json)."""
    error = {
        "description": "A parameter was not understood (400) or no such published record (404).",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }

    def query(name: str, description: str, schema: dict) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    paging = [
        query(
            "page",
            f"Page number, 1 to {MAX_PAGE:,}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        query(
            "per_page",
            f"Records per page, 1 to {MAX_PER_PAGE}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        ),
        query(
            "search",
            "Words found in the name, description, city, state or ZIP (no control characters).",
            {"type": "string", "maxLength": SEARCH_MAX, "pattern": PRINTABLE},
        ),
        query(
            "full",
            "true: fully nested records instead of list items.",
            {"type": "boolean", "default": False},
        ),
    ]
    by_service = [
        query(
            "organization_id",
            "Only the services of this organization.",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "taxonomy_term_id",
            f"Only services carrying this term of the {hsds.TAXONOMY_NAME} taxonomy "
            "(a category term matches any of its terms).",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "taxonomy_id",
            "Only services carrying terms of this taxonomy.",
            {"type": "string", "format": "uuid"},
        ),
        query(
            "modified_after",
            "Only records changed at or after this time (UTC).",
            {"type": "string", "format": "date-time"},
        ),
    ]
    page_schema = {
        "type": "object",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer", "description": "Records on this page."},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
        },
    }
    root_schema = {
        "type": "object",
        "required": ["version", "profile", "openapi_url"],
        "properties": {
            "version": {"type": "string", "description": "HSDS version of this API."},
            "profile": {
                "type": "string",
                "format": "uri",
                "description": "Where our HSDS profile is described: HSDS 3.0 unchanged, "
                f"records classified with the {hsds.TAXONOMY_NAME} taxonomy.",
            },
            "openapi_url": {"type": "string", "format": "uri"},
            "taxonomies": {
                "type": "array",
                "items": {"type": "object"},
                "description": "The taxonomy our services' attributes use.",
            },
        },
    }
    titles = {
        "organizations": "organization",
        "services": "service",
        "service_at_locations": "service at location",
    }
    paths: dict[str, Any] = {
        "/api/v1/hsds/": {
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": "Which HSDS version and profile this API serves",
                "operationId": "hsdsAbout",
                "responses": {
                    "200": {
                        "description": "HSDS version, our profile, the OpenAPI URL and our "
                        "taxonomy.",
                        "content": {"application/json": {"schema": root_schema}},
                    }
                },
            }
        }
    }
    for collection, (kind, _whole, _summary) in hsds.COLLECTIONS.items():
        name = "".join(part.title() for part in collection.split("_"))
        listed = {
            **page_schema,
            "properties": {
                **page_schema["properties"],
                "contents": {
                    "type": "array",
                    "items": {"$ref": f"{SCHEMA_BASE}/{kind}_list.json"},
                },
            },
        }
        paths[f"/api/v1/hsds/{collection}"] = {
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": f"Published listings as HSDS {titles[collection]} records, paged",
                "operationId": f"hsdsList{name}",
                "parameters": paging + (by_service if collection != "organizations" else []),
                "responses": {
                    "200": {
                        "description": "One page of records, oldest listing first.",
                        "content": {"application/json": {"schema": listed}},
                    },
                    "400": error,
                    "429": {
                        **error,
                        "description": "Too many requests from this address in a short time "
                        "(`full=true` pages have a lower limit); `Retry-After` says when to "
                        "try again.",
                    },
                },
            }
        }
        paths[f"/api/v1/hsds/{collection}/{{id}}"] = {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }
            ],
            "get": {
                "tags": ["Open data (HSDS 3)"],
                "summary": f"One published HSDS {titles[collection]}, fully nested",
                "operationId": f"hsdsGet{name}",
                "responses": {
                    "200": {
                        "description": f"The {titles[collection]}.",
                        "content": {
                            "application/json": {"schema": {"$ref": f"{SCHEMA_BASE}/{kind}.json"}}
                        },
                    },
                    "404": error,
                },
            },
        }
    return paths
