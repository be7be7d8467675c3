"""HTTP handlers of the clinic search API: /api/v1/clinics and the OpenAPI description."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request

from portal import clock, limits
from portal.api import bp, openapi, serializers
from portal.clinics.service import published_clinic_by_id
from portal.errors import error_response
from portal.geo import GeocodingError
from portal.opendata.openapi_paths import hsds_openapi_paths
from portal.places import get_geocoder
from portal.search import cache as search_cache
from portal.search import service
from portal.search.forms import ERROR_CODES, SearchForm

# The open-data endpoints describe themselves; their paths join the one document.
openapi.add_paths(hsds_openapi_paths)

# Larger ids cannot exist (32-bit keys) and would overflow SQLite's integer binding.
MAX_ID = 2**31 - 1


@bp.get("/v1/clinics")
@limits.search_api
def clinics():
    """Published clinics near a place; the parameters are those of the /search page."""
    key = search_cache.answer_key("api")
    if (stored := search_cache.cached(key)) is not None:
        return current_app.response_class(stored, mimetype="application/json")
    form = SearchForm(request.args)
    if not form.validate():
        name, message = form.first_error()
        return error_response(400, message, code=ERROR_CODES[name], field=name)
    try:
        found = service.search(
            form.query(), geocoder=get_geocoder(), today=date.today(), now=clock.now()
        )
    except service.UnknownLocation as problem:
        return error_response(400, str(problem), code="unknown_location", field="location")
    except GeocodingError as problem:
        return error_response(503, str(problem), code="geocoder_unavailable", field="location")
    response = jsonify(serializers.results_json(found))
    search_cache.keep(key, response.get_data(as_text=True))
    return response


@bp.get(f"/v1/clinics/<int(max={MAX_ID}):clinic_id>")
def clinic(clinic_id: int):
    found = published_clinic_by_id(clinic_id)
    if found is None:
        return error_response(
            404,
            "No published clinic has that id. It may have been removed or not yet approved.",
            code="not_found",
        )
    return jsonify(serializers.clinic_json(found, today=date.today(), now=clock.now()))


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.spec())
