"""A search with nothing in range still leads somewhere: the nearest clinics and help lines."""

from __future__ import annotations

import re

from portal.search import service
from tests.factories import clean_profile, make_clinic
from tests.helpers import schema_validator

MONTANA = "59001"  # Absarokee, MT: no sample clinic within 250 miles


def test_api_gives_the_nearest_clinics_when_none_is_in_range(app, client, sample_clinics):
    answer = client.get(f"/api/v1/clinics?location={MONTANA}&radius=250").get_json()
    assert (answer["total"], answer["results"]) == (0, [])
    nearest = answer["nearest"]
    assert len(nearest) == service.NEAREST_COUNT
    distances = [clinic["distance_miles"] for clinic in nearest]
    assert distances == sorted(distances) and distances[0] > 250
    assert not schema_validator(app, "SearchResults").is_valid({**answer, "nearest": [{}]})
    schema_validator(app, "SearchResults").validate(answer)


def test_the_nearest_are_really_the_closest_published_clinics(client, sample_clinics):
    everywhere = client.get(f"/api/v1/clinics?location={MONTANA}&radius=250").get_json()
    nearest_ids = [clinic["id"] for clinic in everywhere["nearest"]]
    published = [clinic for clinic in sample_clinics if clinic.status == "published"]
    assert len(published) > service.NEAREST_COUNT
    far = make_clinic(clean_profile(name="Key West Ketamine", zip="33040"))
    again = client.get(f"/api/v1/clinics?location={MONTANA}&radius=250").get_json()
    assert [clinic["id"] for clinic in again["nearest"]] == nearest_ids
    assert far.id not in nearest_ids


def test_api_nearest_keeps_the_filters(client, sample_clinics):
    answer = client.get(f"/api/v1/clinics?location={MONTANA}&route=oral").get_json()
    assert answer["nearest"] and all("oral" in c["routes"] for c in answer["nearest"])


def test_api_nearest_is_empty_when_results_exist(client, sample_clinics):
    answer = client.get("/api/v1/clinics?location=92101").get_json()
    assert answer["total"] > 0 and answer["nearest"] == []


def test_openapi_describes_nearest(client):
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["components"]["schemas"]["SearchResults"]
    assert "nearest" in schema["required"]
    assert schema["properties"]["nearest"]["items"] == {
        "$ref": "#/components/schemas/ClinicSummary"
    }


def test_page_shows_the_nearest_clinics_and_help_lines(client, sample_clinics):
    html = client.get(f"/search?location={MONTANA}&radius=250").get_data(as_text=True)
    assert "No clinics found within 250 miles" in html
    nearest = client.get(f"/api/v1/clinics?location={MONTANA}&radius=250").get_json()["nearest"]
    listed = re.findall(r'<h3 id="result-\d+" class="result-name">.*?<a href="([^"]+)"', html)
    assert listed == [clinic["url"] for clinic in nearest]
    assert '<a class="button call-link" href="tel:988">' in html
    assert '<a class="button call-link" href="tel:+18006624357">' in html


def test_crisis_numbers_are_tap_to_call_on_every_page(client, sample_clinics):
    for path in ("/", "/guide", "/search?location=92101", "/clinics/harbor-ketamine-center"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="tel:988"' in footer and 'href="tel:911"' in footer, path


def test_result_cards_name_their_flags_and_offer_call_and_directions(client, sample_clinics):
    html = client.get("/search?location=92101&radius=250").get_data(as_text=True)
    cards = [part.split("</article>")[0] for part in html.split('<li class="result"')[1:]]
    assert len(cards) > 1
    flagged = [card for card in cards if "badge-flag" in card]
    assert flagged, "the sample data has a clinic with red flags"
    for card in flagged:
        count = int(re.search(r">(\d+) red flags?<", card).group(1))
        titles = re.findall(r'<li><span aria-hidden="true">⚑</span> ([^<]+)</li>', card)
        assert len(titles) == count
    for card in cards:
        assert re.search(r'href="tel:\+1\d{10}"', card)
        assert "https://www.openstreetmap.org/directions?to=" in card
        assert "opens OpenStreetMap, another site" in card
