"""The results map: a marker per result, popups linking to listings, tiles only if configured."""

from __future__ import annotations

import base64
import socket

import pytest

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
    assert page.locator("#results-map path.basemap-state").count() > 0
    assert "street tiles" not in page.locator("#results-map-figure figcaption").inner_text()
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


def _closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listed(page) -> list[tuple[str, str]]:
    links = page.locator("ol.results > li .result-name a")
    return [(link.inner_text(), link.get_attribute("href")) for link in links.all()]


@pytest.mark.parametrize("tile_server", ["unreachable", "closed-port"])
def test_tile_source_offline_still_shows_markers_popups_and_list(
    another_person, site_with_settings, live_site, tile_server
):
    if tile_server == "unreachable":
        tile_url = "https://tiles.example/{z}/{x}/{y}.png"
    else:
        tile_url = f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png"
    tiled = site_with_settings(MAP_TILE_URL=tile_url, MAP_TILE_ATTRIBUTION="Test tiles")
    tile_prefix = tile_url.split("{z}")[0]
    page = another_person().new_page()
    page.route("https://tiles.example/**", lambda route: route.abort("internetdisconnected"))
    failed_tiles, console_errors, page_errors = [], [], []
    page.on(
        "requestfailed",
        lambda request: request.url.startswith(tile_prefix) and failed_tiles.append(request.url),
    )
    page.on("console", lambda message: message.type == "error" and console_errors.append(message))
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    page.goto(live_site(SAN_DIEGO))
    without_tiles = _listed(page)
    page.goto(tiled(SAN_DIEGO))
    page.locator("#results-map .leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert failed_tiles, "the map asked its tile source for nothing"
    assert page.locator("#results-map .leaflet-tile-loaded").count() == 0
    assert "no-tiles" in page.locator("#results-map").get_attribute("class")
    assert _listed(page) == without_tiles and len(without_tiles) > 1
    markers = page.locator("#results-map .leaflet-marker-icon")
    assert markers.count() == len(without_tiles)

    first_name, first_url = without_tiles[0]
    page.locator(f'#results-map .leaflet-marker-icon[title="{first_name}"]').click()
    popup_link = page.locator("#results-map .leaflet-popup-content a")
    assert (popup_link.inner_text(), popup_link.get_attribute("href")) == (first_name, first_url)
    popup_link.click()
    page.wait_for_url(tiled(first_url))
    assert page.locator("h1").inner_text() == first_name

    assert page_errors == []
    broken = [m.text for m in console_errors if not m.text.startswith("Failed to load resource")]
    assert broken == []
    assert live_site.outside_requests == []


def test_no_results_maps_the_nearest_clinics_on_every_state_there(page, live_site):
    page.goto(live_site("/search?location=99501&radius=10"))
    assert page.locator("h2#results-heading").inner_text() == "No clinics found within 10 miles"
    page.locator("#results-map[data-basemap=drawn]").wait_for()
    assert page.locator("#results-map .map-pin").count() == 3
    assert page.locator("#results-map .searched-place").count() == 1
    assert live_site.outside_requests == []
