"""The /search page: distances, who may appear, bad input, a failing geocoder, privacy."""

from __future__ import annotations

import logging
import random
import re
from datetime import date

import pytest
from geopy.distance import geodesic
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import escape

from portal.extensions import db
from portal.geo import Place, miles_between
from portal.places import get_geocoder
from portal.search import service
from tests.factories import clean_profile, make_clinic


def zip_point(zip_code: str) -> tuple[float, float]:
    place = get_geocoder().lookup_zip(zip_code)
    return (place.lat, place.lng)


def api(client, **params) -> dict:
    response = client.get("/api/v1/clinics", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# Straight-line distances between city centres, as published (miles).
CITY_PAIRS = [
    ("10001", "19103", "Philadelphia", 78, 83),  # New York - Philadelphia
    ("90012", "92101", "San Diego", 108, 114),  # Los Angeles - San Diego
    ("78701", "77002", "Houston", 143, 149),  # Austin - Houston
    ("60601", "53202", "Milwaukee", 79, 84),  # Chicago - Milwaukee
    ("02108", "02903", "Providence", 39, 43),  # Boston - Providence
]


@pytest.mark.parametrize(("origin", "destination", "city", "low", "high"), CITY_PAIRS)
def test_distances_match_known_city_pairs(app, client, origin, destination, city, low, high):
    point = zip_point(destination)
    clinic = make_clinic(clean_profile(name=f"{city} Clinic", city=city), coordinates=point)
    body = api(client, location=origin, radius=250)
    [result] = [r for r in body["results"] if r["id"] == clinic.id]
    reference = geodesic((body["location"]["lat"], body["location"]["lng"]), point).miles
    assert low <= result["distance_miles"] <= high
    assert abs(result["distance_miles"] - reference) <= reference * 0.005 + 0.05
    assert result["distance_miles"] == round(result["distance_miles"], 1)


def test_only_published_clinics_with_a_position_appear(app, client):
    shown = make_clinic(clean_profile(name="Shown"))
    hidden = [
        make_clinic(clean_profile(name="Draft"), status="draft"),
        make_clinic(clean_profile(name="Pending"), status="pending"),
        make_clinic(clean_profile(name="No position"), coordinates=None),
    ]
    suspended = make_clinic(clean_profile(name="Suspended"))
    suspended.status = "suspended"
    rejected = make_clinic(clean_profile(name="Rejected"), status="pending")
    rejected.status = "rejected"
    db.session.commit()
    hidden += [suspended, rejected]
    body = api(client, location="92101", radius=250, per_page=100)
    assert [result["id"] for result in body["results"]] == [shown.id]
    html = client.get("/search?location=92101").get_data(as_text=True)
    assert "Shown" in html
    for clinic in hidden:
        assert f"/clinics/{clinic.slug}" not in html


def test_radius_is_a_hard_limit(app, client):
    origin = zip_point("92101")
    # About 0.1 degree of latitude is 6.9 miles: one clinic inside 10 miles, one outside.
    near = make_clinic(clean_profile(name="Near"), coordinates=(origin[0] + 0.1, origin[1]))
    far = make_clinic(clean_profile(name="Far"), coordinates=(origin[0] + 0.16, origin[1]))
    assert [r["id"] for r in api(client, location="92101", radius=10)["results"]] == [near.id]
    assert {r["id"] for r in api(client, location="92101", radius=12)["results"]} == {
        near.id,
        far.id,
    }


def test_experience_sort_puts_unknown_counts_last_and_breaks_ties_by_distance(app, client):
    lat, lng = zip_point("92101")
    unknown = make_clinic(
        clean_profile(name="Unknown", treatments_administered=None), coordinates=(lat, lng)
    )
    tie_far = make_clinic(
        clean_profile(name="Tie far", treatments_administered=900), coordinates=(lat + 0.2, lng)
    )
    tie_near = make_clinic(
        clean_profile(name="Tie near", treatments_administered=900), coordinates=(lat + 0.1, lng)
    )
    most = make_clinic(
        clean_profile(name="Most", treatments_administered=5000), coordinates=(lat + 0.3, lng)
    )
    body = api(client, location="92101", sort="experience")
    assert [r["id"] for r in body["results"]] == [most.id, tie_near.id, tie_far.id, unknown.id]
    by_price = api(client, location="92101", sort="price")
    assert [r["id"] for r in by_price["results"]] == [unknown.id, tie_near.id, tie_far.id, most.id]


def test_verified_filter_drops_a_lapsed_verification(app, client):
    current = make_clinic(clean_profile(name="Current"))
    lapsed = make_clinic(clean_profile(name="Lapsed"), verified_on=date(2020, 1, 15))
    assert lapsed.verification_expires <= date.today() < current.verification_expires
    all_ids = {r["id"] for r in api(client, location="92101")["results"]}
    verified_ids = {r["id"] for r in api(client, location="92101", verified=1)["results"]}
    assert all_ids == {current.id, lapsed.id}
    assert verified_ids == {current.id}
    html = client.get("/search?location=92101").get_data(as_text=True)
    assert "Verification expired" in html and "Verified on" in html


def test_search_page_before_anything_is_asked(client):
    response = client.get("/search")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Where should we look?" in html
    assert 'name="location"' in html and 'action="/search"' in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_home_page_form_lands_on_results(app, client):
    make_clinic(clean_profile(name="Harbor"))
    response = client.get("/search?location=92101&radius=25")
    assert response.status_code == 200
    assert "1 clinic within 25 miles" in response.get_data(as_text=True)


def test_unknown_place_says_what_is_understood(client):
    response = client.get("/search?location=Atlantis,+ZZ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "We could not find that place" in html
    assert "ZIP code" in html and "Austin, TX" in html and "ends with its ZIP code" in html
    assert 'value="Atlantis, ZZ"' in html  # what was typed stays in the box


BAD_PAGE_QUERIES = [
    ({"location": ""}, "Enter where you are"),
    ({"location": "   "}, "Enter where you are"),
    ({"location": "\x00"}, "Enter where you are"),
    ({"location": "x" * 5000}, "We could not find that place"),
    ({"location": "<script>alert(1)</script>"}, "We could not find that place"),
    ({"location": "%00"}, "We could not find that place"),
    ({"location": "\U0001f642\U0001f3e5"}, "We could not find that place"),
    ({"location": "'; DROP TABLE clinics; --"}, "We could not find that place"),
    ({"location": "92101", "radius": "-5"}, "between 1 and 250 miles"),
    ({"location": "92101", "radius": "0"}, "between 1 and 250 miles"),
    ({"location": "92101", "radius": "251"}, "between 1 and 250 miles"),
    ({"location": "92101", "radius": "1" + "0" * 40}, "between 1 and 250 miles"),
    ({"location": "92101", "radius": "nan"}, "between 1 and 250 miles"),
    ({"location": "92101", "radius": "ten"}, "between 1 and 250 miles"),
    ({"location": "92101", "max_price": "cheap"}, "whole dollars"),
    ({"location": "92101", "max_price": "-1"}, "whole dollars"),
    ({"location": "92101", "route": "teleport"}, "We do not know"),
    ({"location": "92101", "condition": "x" * 5000}, "We do not know"),
    ({"location": "92101", "therapy": "<b>"}, "We do not know"),
    ({"location": "92101", "payment": "bitcoin"}, "We do not know"),
    ({"location": "92101", "sort": "random"}, "as a way to sort"),
    ({"location": "92101", "verified": "maybe"}, "use 1 for yes or 0 for no"),
    ({"location": "92101", "page": "0"}, "Page numbers"),
    ({"location": "92101", "page": "-1"}, "Page numbers"),
    ({"location": "92101", "page": "two"}, "Page numbers"),
    ({"location": "92101", "per_page": "1000"}, "Results per page"),
    ({"location": "92101", "per_page": "0"}, "Results per page"),
]


@pytest.mark.parametrize(("params", "message"), BAD_PAGE_QUERIES)
def test_bad_input_on_the_page_gets_a_clear_message(app, client, params, message):
    make_clinic(clean_profile(name="Harbor"))
    response = client.get("/search", query_string=params)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert str(escape(message)) in html
    assert 'class="error-summary" role="alert"' in html
    assert "<script>alert" not in html and "<b>" not in html.split("<main")[1]
    assert 'class="result"' not in html


def test_odd_characters_in_the_location_are_shown_back_safely(client):
    html = client.get("/search", query_string={"location": "<script>alert(1)</script>"}).get_data(
        as_text=True
    )
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_valid_but_unusual_numbers_are_accepted(app, client):
    make_clinic(clean_profile(name="Harbor", price_min=400))
    for params in (
        {"radius": "12.5"},
        {"radius": " 25 "},
        {"max_price": "0"},
        {"max_price": ""},
        {"sort": ""},
        {"verified": "0"},
        {"page": "3"},
    ):
        response = client.get("/search", query_string={"location": "92101", **params})
        assert response.status_code == 200, params
    body = api(client, location="92101", radius="12.5")
    assert body["radius_miles"] == 12.5
    assert 'value="12.5" selected' in client.get("/search?location=92101&radius=12.5").get_data(
        as_text=True
    )


def test_search_queries_never_reach_the_log(app, client, caplog):
    make_clinic(clean_profile(name="Harbor"))
    caplog.set_level(logging.DEBUG)
    queries = [
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "Secretville, ZZ",
        "Coronado, CA",
    ]
    answered = []
    for query in queries:
        answered.append(
            (
                client.get("/search", query_string={"location": query, "route": "iv"}).status_code,
                client.get("/api/v1/clinics", query_string={"location": query}).status_code,
                client.get("/search", query_string={"location": query, "radius": "-1"}).status_code,
            )
        )
    # Each query was really looked up (found, unknown, refused), not turned away before.
    assert answered == [(200, 200, 400), (400, 400, 400), (200, 200, 400)]
    # The log is being captured: a refused page visit in the same test is in it.
    client.get("/moderation")
    assert "event=access_denied" in caplog.text
    for query in queries:
        assert query not in caplog.text
    for word in ("Pennsylvania", "Secretville", "Coronado", "20500"):
        assert word not in caplog.text


@pytest.fixture
def nominatim_app_config(app_config):
    app_config["GEOCODER"] = "nominatim"
    app_config["GEOCODER_TIMEOUT"] = 2
    return app_config


@pytest.fixture
def nominatim_client(nominatim_app_config, app):
    geocoder = get_geocoder()
    # Never the real service from a test: an unresolvable host fails as being offline does.
    geocoder.api = "https://nominatim.invalid/search"
    return app.test_client()


def test_an_unavailable_online_geocoder_gets_a_clear_503(nominatim_client, caplog):
    caplog.set_level(logging.DEBUG)
    page = nominatim_client.get("/search?location=1600+Pennsylvania+Ave+NW,+Washington,+DC")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "The location service is not answering right now" in html
    assert 'value="1600 Pennsylvania Ave NW, Washington, DC"' in html
    response = nominatim_client.get("/api/v1/clinics?location=92101")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "geocoder_unavailable"
    assert error["message"].startswith("The location service is not answering")
    assert "Pennsylvania" not in caplog.text


def test_the_default_geocoder_sends_nothing_anywhere(app, client, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network I/O attempted")

    get_geocoder().load()
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    make_clinic(clean_profile(name="Harbor"))
    for location in ("92101", "San Diego, CA", "350 5th Ave, New York, NY 10118", "Nowhere"):
        assert client.get("/search", query_string={"location": location}).status_code < 500


def test_results_leave_a_hook_for_the_compare_button(app, client):
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"compare/_toggle.html": '<span class="hook">{{ clinic.slug }}</span>'}),
            app.jinja_env.loader,
        ]
    )
    clinics = [make_clinic(clean_profile(name=f"Clinic {n}")) for n in range(3)]
    html = client.get("/search?location=92101").get_data(as_text=True)
    hooks = re.findall(r'<span class="hook">([^<]+)</span>', html)
    assert sorted(hooks) == sorted(clinic.slug for clinic in clinics)
    for item in html.split('<li class="result">')[1:]:
        slug = re.search(r'href="/clinics/([^"]+)"', item).group(1)
        assert f'<span class="hook">{slug}</span>' in item


def test_pagination_links_keep_every_choice(app, client):
    for n in range(5):
        make_clinic(clean_profile(name=f"Clinic {n}"))
    html = client.get(
        "/search?location=92101&radius=50&route=iv&sort=price&per_page=2&page=2"
    ).get_data(as_text=True)
    links = [
        link.replace("&amp;", "&")
        for link in re.findall(r'<nav class="pagination".*?</nav>', html, re.S)[0].split('href="')[
            1:
        ]
    ]
    assert len(links) >= 3
    for link in links:
        for part in ("location=92101", "radius=50", "route=iv", "sort=price", "per_page=2"):
            assert part in link
    assert 'rel="prev"' in html and 'rel="next"' in html and 'aria-current="page"' in html


def test_service_can_be_called_directly(app):
    clinic = make_clinic(clean_profile(name="Harbor"))
    found = service.search(
        service.SearchQuery(location="92101", routes=("iv",)),
        geocoder=get_geocoder(),
        today=date.today(),
    )
    assert [result.clinic.id for result in found.results] == [clinic.id]
    assert found.results[0].verified and found.results[0].red_flags == []
    with pytest.raises(service.UnknownLocation):
        service.search(
            service.SearchQuery(location="Atlantis, ZZ"),
            geocoder=get_geocoder(),
            today=date.today(),
        )


def test_the_fast_distance_loop_agrees_with_geo_miles_between():
    rng = random.Random(7)
    origin = Place("test", 40.7484, -73.9967, None, None, None)
    points = [(rng.uniform(-89, 89), rng.uniform(-180, 180)) for _ in range(2000)]
    points += [(origin.lat, origin.lng), (-origin.lat, origin.lng + 180)]
    for (lat, lng), miles in zip(points, service.miles_from(origin, points), strict=True):
        assert miles == pytest.approx(miles_between(origin.lat, origin.lng, lat, lng), abs=1e-9)


def test_the_search_form_says_where_a_typed_place_goes(client, nominatim_app_config):
    """Offline (the default) it stays here; with an online geocoder configured, the page says so."""
    from portal import create_app

    offline = {**nominatim_app_config, "GEOCODER": "offline"}
    for config, expected, absent in (
        (offline, "Your search stays on this site", "OpenStreetMap"),
        (nominatim_app_config, "which receives what you type", "stays on this site"),
    ):
        visitor = create_app(config).test_client()
        for path in ("/", "/search"):
            html = visitor.get(path).get_data(as_text=True)
            assert expected in html, (config["GEOCODER"], path)
            assert absent not in html, (config["GEOCODER"], path)
