"""The results map's markup, checked without a browser (tests/e2e drives the map itself)."""

import json
import re

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
TOPOJSON_JS = "/static/vendor/topojson-client/topojson-client.min.js"
MAP_JS = "/static/js/map.js"


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_results_page_carries_the_map_and_its_data(client, sample_clinics):
    html = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert LEAFLET_CSS in html
    assert {LEAFLET_JS, TOPOJSON_JS, MAP_JS} <= set(scripts(html))
    data = json.loads(re.search(r'id="results-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["clinics"]) == html.count('class="result"')
    assert all(clinic["url"].startswith("/clinics/") for clinic in data["clinics"])
    assert [clinic["number"] for clinic in data["clinics"]] == list(
        range(1, 1 + len(data["clinics"]))
    )
    numbers = re.findall(r'<span class="result-number" aria-hidden="true">(\d+)</span>', html)
    assert numbers == [str(clinic["number"]) for clinic in data["clinics"]]
    assert data["center"]["label"] == "San Diego, CA 92101"
    assert 'data-tile-url=""' in html
    assert 'data-atlas-url="/static/vendor/us-atlas/"' in html
    assert "with street tiles" not in html
    assert " style=" not in html and "<script>" not in html


def test_tile_source_comes_from_configuration(app, client, sample_clinics):
    app.config["MAP_TILE_URL"] = "https://tiles.example/{z}/{x}/{y}.png"
    html = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    assert "with street tiles" in html


def test_nothing_in_range_maps_the_nearest_clinics(client, sample_clinics):
    html = client.get("/search?location=99501&radius=10").get_data(as_text=True)
    data = json.loads(re.search(r'id="results-data">(.*?)</script>', html, re.S).group(1))
    assert [clinic["number"] for clinic in data["clinics"]] == [1, 2, 3]
    assert html.count('class="result"') == 3
    assert {LEAFLET_JS, MAP_JS} <= set(scripts(html))


def test_the_listing_has_a_small_map_of_its_clinic(client, sample_clinics):
    html = client.get("/clinics/harbor-ketamine-center").get_data(as_text=True)
    data = json.loads(re.search(r'id="results-data">(.*?)</script>', html, re.S).group(1))
    assert data["center"] is None and [c["name"] for c in data["clinics"]] == [
        "Harbor Ketamine Center"
    ]
    assert {LEAFLET_JS, MAP_JS} <= set(scripts(html))
    assert "https://www.openstreetmap.org/directions?to=" in html
    assert "(opens OpenStreetMap, another site)" in html


def test_pages_without_a_map_load_no_map_code(client, sample_clinics):
    for path in ("/", "/guide", "/account/login", "/search?location=Atlantis%2C+ZZ"):
        html = client.get(path).get_data(as_text=True)
        assert "leaflet" not in html and MAP_JS not in html, path
    # The check would see the map code: the results page has it.
    results = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert "leaflet" in results and MAP_JS in results
