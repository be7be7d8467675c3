"""What pages cost over the wire, measured in Chromium with an empty cache."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import write_artifact

BUDGET = 120 * 1024  # bytes, the results page with 20 results and its basemap, without street tiles


def transferred(browser, url: str) -> dict:
    """Load `url` in a browser with an empty cache; bytes received (headers and body).

    Also what the weighed page showed: its results listed and map markers drawn.
    """
    page = browser.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    sizes, unpacked = {}, 0
    for request in finished:
        size = request.sizes()
        sizes[request.url] = size["responseHeadersSize"] + size["responseBodySize"]
        unpacked += len(request.response().body())
    shown = {
        "results_listed": page.locator("ol.results > li").count(),
        "map_markers": page.locator("#results-map .leaflet-marker-icon").count(),
        "basemap_drawn": page.locator("#results-map[data-basemap=drawn]").count() == 1,
    }
    page.close()
    return {
        "total": sum(sizes.values()),
        "uncompressed_bodies": unpacked,
        "requests": sizes,
        **shown,
    }


@pytest.fixture(scope="module")
def crowded_san_diego(live_site):
    """More than a page of clinics around downtown San Diego."""
    live_site.make_clinics_near(22, "92101")


def test_results_page_with_20_results_and_basemap_weighs_under_120_kb(
    crowded_san_diego, another_person, live_site
):
    weights = {}
    for name, path in {
        "results (20 of them, map with basemap, no street tiles)": "/search?location=92101",
        "home": "/",
        "listing": "/clinics/harbor-ketamine-center",
        "guide": "/guide",
        "login": "/account/login",
    }.items():
        weights[name] = transferred(another_person(), live_site(path))
    write_artifact("page-weights.json", weights)

    results = weights["results (20 of them, map with basemap, no street tiles)"]
    shown = (results["results_listed"], results["map_markers"], results["basemap_drawn"])
    assert shown == (20, 20, True), results
    assert any("/us-atlas/" in url for url in results["requests"]), results
    assert results["total"] < BUDGET, results
    assert live_site.outside_requests == []


def test_results_page_shows_20_results_and_20_markers(crowded_san_diego, page, live_site):
    page.goto(live_site("/search?location=92101"))
    page.locator("#results-map .leaflet-marker-icon").first.wait_for()
    assert page.locator("ol.results > li").count() == 20
    assert page.locator("#results-map .leaflet-marker-icon").count() == 20
