"""The results map's markup, checked without a browser (tests/e2e drives the map itself)."""

import json
import re

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_results_page_carries_the_map_and_its_data(client, sample_clinics):
    html = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert LEAFLET_CSS in html
    assert {LEAFLET_JS, "/static/js/results-map.js"} <= set(scripts(html))
    data = json.loads(re.search(r'id="results-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["clinics"]) == html.count('class="result"')
    assert all(clinic["url"].startswith("/clinics/") for clinic in data["clinics"])
    assert 'data-tile-url=""' in html
    assert "markers only" in html
    assert " style=" not in html and "<script>" not in html


def test_tile_source_comes_from_configuration(app, client, sample_clinics):
    app.config["MAP_TILE_URL"] = "https://tiles.example/{z}/{x}/{y}.png"
    html = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    assert "markers only" not in html


def test_no_map_without_results(client, sample_clinics):
    response = client.get("/search?location=99501&radius=10")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No clinics found" in html  # a search that ran and found nothing
    assert "results-map" not in html and LEAFLET_CSS not in html
    assert LEAFLET_JS not in scripts(html)


def test_pages_without_a_map_load_no_map_code(client, sample_clinics):
    for path in ("/", "/guide", "/clinics/harbor-ketamine-center", "/account/login"):
        response = client.get(path)
        assert response.status_code == 200, path  # a real page, not an error page
        html = response.get_data(as_text=True)
        assert "leaflet" not in html and "results-map.js" not in html, path
    # The check would see the map code: the results page has it.
    results = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    assert "leaflet" in results and "results-map.js" in results
