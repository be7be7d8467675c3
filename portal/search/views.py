"""HTTP handlers of the search blueprint: GET /search."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, redirect, render_template, request, url_for

from portal import clock, limits
from portal.errors import error_response
from portal.extensions import csrf
from portal.geo import GeocodingError, nearest_zip
from portal.places import get_geocoder
from portal.search import bp, cache, service
from portal.search.chips import filter_chips
from portal.search.forms import SearchForm
from portal.search.mapdata import map_data


@bp.app_template_filter("miles")
def miles_filter(miles: float) -> str:
    """A radius as people write it: 25, 12.5."""
    return service.format_miles(miles)


@bp.app_template_filter("distance")
def distance_filter(miles: float) -> str:
    """A clinic's distance to 0.1 mile."""
    return "Less than 0.1 miles" if miles < 0.05 else f"{miles:.1f} miles"


@bp.app_template_filter("tel")
def tel_filter(phone: str) -> str:
    """A `tel:` address from a phone number as written: "(619) 555-0100" -> "tel:+16195550100"."""
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}" if len(digits) > 3 else f"tel:{digits}"


@bp.get("/search")
@limits.search_page
def results():
    """The results page; with nothing asked yet, just the form."""
    if not request.args:
        return _page(SearchForm(request.args))
    key = cache.page_key()
    if (stored := cache.cached(key)) is not None:
        return cache.page_for_visitor(stored)
    form = SearchForm(request.args)
    if not form.validate():
        return _page(form, status=400)
    try:
        found = service.search(
            form.query(), geocoder=get_geocoder(), today=date.today(), now=clock.now()
        )
    except service.UnknownLocation as problem:
        form.location.errors.append(str(problem))
        return _page(form, status=400)
    except GeocodingError as problem:
        return _page(form, unavailable=str(problem), status=503)
    html, status = _page(form, found=found)
    cache.keep(key, cache.page_for_storing(html))
    return html, status


def _page(
    form: SearchForm,
    *,
    found: service.SearchResults | None = None,
    unavailable: str | None = None,
    status: int = 200,
):
    return render_template(
        "search/results.html",
        form=form,
        found=found,
        chips=filter_chips(found.query) if found else [],
        unavailable=unavailable,
        map_data=map_data(found) if found is not None else None,
    ), status


LOCATE_UNREADABLE = (
    "Your browser sent a position we could not read. Type your ZIP code or city instead."
)
LOCATE_OUTSIDE = (
    "Your position is not close to any US ZIP code we know, so we cannot search from it. "
    "Type a ZIP code or a city instead."
)


@bp.post("/search/locate")
@csrf.exempt  # changes nothing and sets no cookie: a lookup, like the GET search
@limits.search_page
def locate():
    """For "use my location": the nearest ZIP code to a position, then the search from it.

    The browser sends coordinates rounded to about a kilometre in the request body (never
    the URL, so no access log holds them); they are looked up in the offline ZIP table
    and dropped. Nothing here logs them or sends them anywhere.
    """
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        lat = round(float(request.form.get("lat", "")), 2)
        lng = round(float(request.form.get("lng", "")), 2)
    except ValueError:
        lat = lng = float("nan")
    place = nearest_zip(current_app.config["GEODATA_PATH"], lat, lng)
    if place is None:
        unreadable = lat != lat or lng != lng or abs(lat) > 90 or abs(lng) > 180
        message = LOCATE_UNREADABLE if unreadable else LOCATE_OUTSIDE
        status = 400 if unreadable else 422
        if wants_json:
            return jsonify(message=message), status
        return error_response(status, message)
    radius = request.form.get("radius", "")
    args = {"location": place.zip}
    if radius in {service.format_miles(step) for step in service.RADIUS_STEPS}:
        args["radius"] = radius
    target = url_for("search.results", **args)
    if wants_json:
        return jsonify(location=place.zip, label=place.label, url=target)
    return redirect(target, code=303)
