"""Open Referral HSDS 3 endpoints (/api/v1/hsds/...), on the API's blueprint.

The records come from portal.opendata.hsds (pure mapping) over published clinics
only (portal.opendata.queries). Lists are paged as HSDS's own OpenAPI describes:
total_items, total_pages, page_number, size, first_page, last_page, empty,
contents. docs/hsds-mapping.md describes the records.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import current_app, jsonify, request, url_for

from portal import clock, limits
from portal.api import bp
from portal.errors import error_response
from portal.forms import CONTROL_CHARACTERS, DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, parse_flag
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
        now=clock.now().astimezone(UTC).replace(tzinfo=None),  # naive UTC, like the columns
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
