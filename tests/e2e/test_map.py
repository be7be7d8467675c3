"""The results map: a marker per result, popups linking to listings, tiles only if configured."""

from __future__ import annotations

import base64

# A 1x1 transparent PNG: what the fake tile server answers.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
SAN_DIEGO = "/search?location=92101&radius=250"


def test_every_result_has_a_marker_whose_popup_links_to_the_listing(page, live_site):
    page.goto(live_site(SAN_DIEGO))
    results = page.locator("ol.results .result-name a")
    markers = page.locator("#results-map .leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == results.count() > 1

    first_name = results.first.inner_text()
    first_url = results.first.get_attribute("href")
    page.locator(f'#results-map .leaflet-marker-icon[title="{first_name}"]').click()
    popup_link = page.locator("#results-map .leaflet-popup-content a")
    assert popup_link.inner_text() == first_name
    assert popup_link.get_attribute("href") == first_url

    popup_link.click()
    page.wait_for_url(live_site(first_url))
    assert page.locator("h1").inner_text() == first_name


def test_without_a_tile_source_no_request_leaves_the_site(page, live_site):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_site(SAN_DIEGO))
    page.locator("#results-map .leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert page.locator("#results-map .leaflet-tile").count() == 0
    assert "markers only" in page.locator("#results-map-figure figcaption").inner_text()
    assert requested and all(url.startswith(live_site.url) for url in requested), requested
    assert live_site.outside_requests == []


def test_with_a_tile_source_tiles_load_from_it(another_person, site_with_settings, live_site):
    tiled = site_with_settings(
        MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="Test tiles"
    )
    tiles: list[str] = []

    def serve_tile(route) -> None:
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    page = another_person().new_page()
    page.route("https://tiles.example/**", serve_tile)
    page.goto(tiled(SAN_DIEGO))
    page.locator("#results-map .leaflet-tile-loaded").first.wait_for()

    assert tiles and all(url.startswith("https://tiles.example/") for url in tiles)
    assert "Test tiles" in page.locator("#results-map .leaflet-control-attribution").inner_text()
    assert live_site.outside_requests == []


def test_no_results_no_map(page, live_site):
    page.goto(live_site("/search?location=99501&radius=10"))
    assert page.locator("h2#results-heading").inner_text() == "No clinics found"
    assert page.locator("#results-map").count() == 0
    assert page.locator("script[src]").count() == 0
