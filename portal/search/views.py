"""HTTP handlers of the search blueprint: GET /search."""

from __future__ import annotations

from datetime import date

from flask import render_template, request

from portal import clock, limits
from portal.geo import GeocodingError
from portal.places import get_geocoder
from portal.search import bp, cache, service
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
        unavailable=unavailable,
        map_data=map_data(found) if found is not None else None,
    ), status
