"""Patients search the sample clinics: the right clinics, nearest first, every filter obeyed.

Searching only reads, so this module seeds the sample data once and every test
shares it (seeding takes about a second). Each test checks its rule on every
result against the database, and checks that nothing that passes the rule was
left out, by comparing with a brute-force pass over all published clinics.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask import request_started
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.geo import miles_between
from portal.models import Clinic, ClinicCondition, ClinicPaymentOption, ClinicRoute
from portal.search import service
from portal.vetting import red_flags
from tests.conftest import (
    TEST_DATABASE_URL,
    _empty_every_table,
    _fresh_request_globals,
    _test_config,
)

METROS = ["92101", "austin tx", "10001", "Chicago, IL", "98101", "30303", "02108", "33131"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, geodata_path, _external_schema):
    """An app with the sample clinics loaded once for the whole module."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'test.db'}"
    app = create_app(_test_config(url, geodata_path))
    request_started.connect(_fresh_request_globals, app)
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_every_table()
        db.engine.dispose()


@pytest.fixture
def client(seeded):
    return seeded.test_client()


def api(client, **params) -> dict:
    response = client.get("/api/v1/clinics", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def every_result(client, **params) -> list[dict]:
    """All results of a search, page after page."""
    found: list[dict] = []
    page = 1
    while True:
        body = api(client, **params, per_page=7, page=page)
        found.extend(body["results"])
        if page >= body["pages"]:
            assert len(found) == body["total"]
            return found
        page += 1


def published_within(lat: float, lng: float, radius: float) -> dict[int, Clinic]:
    """Brute force: every published clinic within the radius."""
    clinics = db.session.scalars(select(Clinic).where(Clinic.status == "published"))
    return {
        clinic.id: clinic
        for clinic in clinics
        if clinic.lat is not None and miles_between(lat, lng, clinic.lat, clinic.lng) <= radius
    }


def codes(model, clinic_id: int) -> set[str]:
    return set(db.session.scalars(select(model.code).where(model.clinic_id == clinic_id)))


def test_seeded_clinics_have_coordinates(seeded):
    clinics = db.session.scalars(select(Clinic).where(Clinic.status == "published")).all()
    assert len(clinics) >= 40
    for clinic in clinics:
        assert clinic.lat is not None and clinic.lng is not None, clinic.slug
        assert 18 < clinic.lat < 72 and -180 < clinic.lng < -60, clinic.slug


def test_result_rows_read_exactly_what_the_clinic_objects_hold(seeded):
    clinics = db.session.scalars(select(Clinic)).all()
    rows = service.load_clinics(clinic.id for clinic in clinics)
    published = [clinic for clinic in clinics if clinic.status == "published"]
    assert set(rows) == {clinic.id for clinic in published}
    today = date.today()
    for clinic in published:
        row = rows[clinic.id]
        for column in Clinic.__table__.columns:
            assert getattr(row, column.key) == getattr(clinic, column.key), column.key
        assert row.profile == clinic.profile
        assert (row.routes, row.conditions, row.payment_options) == (
            clinic.routes,
            clinic.conditions,
            clinic.payment_options,
        )
        assert row.verification_state(today) == clinic.verification_state(today)
        assert row.is_public


@pytest.mark.parametrize(
    ("location", "city", "state"),
    [
        ("92101", "San Diego", "CA"),
        ("San Diego, CA", "San Diego", "CA"),
        ("austin tx", "Austin", "TX"),
        ("10001", "New York", "NY"),
        ("350 5th Ave, New York, NY 10118", "New York", "NY"),
    ],
)
def test_finds_the_sample_clinics_around_a_place_nearest_first(client, location, city, state):
    body = api(client, location=location, per_page=100)
    place = body["location"]
    assert place["query"] == location
    assert city in place["label"] and state in place["label"]
    results = body["results"]
    expected = published_within(place["lat"], place["lng"], 25)
    assert {result["id"] for result in results} == set(expected)
    assert body["total"] == len(results) == len(expected)
    in_city = {c.id for c in expected.values() if c.city == city}
    assert len(in_city) >= 2, "the sample data should have clinics in this city"
    distances = [result["distance_miles"] for result in results]
    assert distances == sorted(distances)
    for result in results:
        clinic = expected[result["id"]]
        exact = miles_between(place["lat"], place["lng"], clinic.lat, clinic.lng)
        assert exact <= 25
        assert result["distance_miles"] == round(exact, 1)
        assert (result["slug"], result["lat"], result["lng"]) == (
            clinic.slug,
            clinic.lat,
            clinic.lng,
        )
        assert clinic.status == "published"

    page = client.get("/search", query_string={"location": location})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    slugs = re.findall(
        r'class="result-name">(?:<span class="result-number"[^>]*>\d+</span>)?'
        r'<a href="/clinics/([^"]+)"',
        html,
    )
    assert slugs == [result["slug"] for result in results][:20]


def test_pending_sample_clinics_never_appear(client):
    pending = db.session.scalars(select(Clinic).where(Clinic.status != "published")).all()
    assert pending
    found = set()
    for location in METROS:
        found |= {result["id"] for result in every_result(client, location=location, radius=250)}
    assert found
    assert not found & {clinic.id for clinic in pending}


FILTERS = [
    ({"route": ["iv", "esketamine"]}, "routes"),
    ({"route": "im"}, "routes"),
    ({"condition": ["ptsd", "ocd"]}, "conditions"),
    ({"condition": "chronic_pain"}, "conditions"),
    ({"therapy": ["in_house", "referral"]}, "therapy"),
    ({"therapy": "coordinated"}, "therapy"),
    ({"payment": ["superbill", "sliding_scale"]}, "payment"),
    ({"verified": "1"}, "verified"),
    ({"accepting": "1"}, "accepting"),
    ({"max_price": "450"}, "max_price"),
    (
        {"route": "iv", "condition": "anxiety", "therapy": ["in_house"], "max_price": "575"},
        "combined",
    ),
]


def passes(clinic: Clinic, params: dict, today: date) -> bool:
    """The filter rules of CONTRACT.md, checked on the stored rows."""

    def wanted(name: str) -> set[str]:
        value = params.get(name, [])
        return {value} if isinstance(value, str) else set(value)

    if not wanted("route") <= codes(ClinicRoute, clinic.id):
        return False
    if not wanted("condition") <= codes(ClinicCondition, clinic.id):
        return False
    if not wanted("payment") <= codes(ClinicPaymentOption, clinic.id):
        return False
    if wanted("therapy") and clinic.therapy not in wanted("therapy"):
        return False
    if params.get("verified") == "1" and not (
        clinic.verification_expires and clinic.verification_expires > today
    ):
        return False
    if params.get("accepting") == "1" and not clinic.accepting_new_patients:
        return False
    return not (
        "max_price" in params
        and (clinic.price_min is None or clinic.price_min > int(params["max_price"]))
    )


@pytest.mark.parametrize(("params", "name"), FILTERS, ids=[name for _, name in FILTERS])
def test_each_filter_keeps_exactly_the_clinics_that_pass_it(client, params, name):
    today = date.today()
    narrowed_somewhere = False
    for location in METROS:
        everything = every_result(client, location=location, radius=250)
        filtered = every_result(client, location=location, radius=250, **params)
        expected = {
            result["id"]
            for result in everything
            if passes(db.session.get(Clinic, result["id"]), params, today)
        }
        assert {result["id"] for result in filtered} == expected, location
        for result in filtered:
            assert passes(db.session.get(Clinic, result["id"]), params, today)
        distances = [result["distance_miles"] for result in filtered]
        assert distances == sorted(distances)
        narrowed_somewhere |= len(filtered) < len(everything)
    assert narrowed_somewhere, f"the {name} filter should remove some sample clinic"


def test_sort_by_experience_most_first_then_nearest(client):
    results = every_result(client, location="10001", radius=250, sort="experience")
    assert len(results) >= 5
    keys = [
        (r["treatments_administered"] is None, -(r["treatments_administered"] or 0))
        for r in results
    ]
    assert keys == sorted(keys)
    for before, after in zip(results, results[1:], strict=False):
        if before["treatments_administered"] == after["treatments_administered"]:
            assert before["distance_miles"] <= after["distance_miles"]
    unsorted = every_result(client, location="10001", radius=250)
    assert {r["id"] for r in unsorted} == {r["id"] for r in results}


def test_sort_by_price_lowest_first_then_nearest(client):
    results = every_result(client, location="Chicago, IL", radius=250, sort="price")
    assert len(results) >= 3
    keys = [(r["price_min"] is None, r["price_min"] or 0) for r in results]
    assert keys == sorted(keys)
    for before, after in zip(results, results[1:], strict=False):
        if before["price_min"] == after["price_min"]:
            assert before["distance_miles"] <= after["distance_miles"]


def test_pages_split_the_results_without_gaps_or_repeats(client):
    whole = api(client, location="austin tx", radius=250, per_page=100)
    assert whole["total"] >= 5
    pages = [api(client, location="austin tx", radius=250, per_page=2, page=n) for n in (1, 2, 3)]
    for number, body in enumerate(pages, start=1):
        assert (body["page"], body["per_page"], body["total"]) == (number, 2, whole["total"])
        assert body["pages"] == -(-whole["total"] // 2)
    joined = [result["id"] for body in pages for result in body["results"]]
    assert joined == [result["id"] for result in whole["results"]][:6]
    past = api(client, location="austin tx", radius=250, per_page=2, page=999)
    assert past["results"] == [] and past["total"] == whole["total"]


def test_results_page_shows_what_patients_need_for_each_clinic(client):
    body = api(client, location="10001", radius=100, per_page=100)
    html = client.get("/search?location=10001&radius=100&per_page=100").get_data(as_text=True)
    items = html.split('<li class="result" ')[1:]
    assert len(items) == len(body["results"]) >= 3
    for item, result in zip(items, body["results"], strict=True):
        clinic = db.session.get(Clinic, result["id"])
        assert f'href="/clinics/{clinic.slug}"' in item
        assert f"{result['distance_miles']:.1f} miles" in item or "Less than 0.1" in item
        assert f"{clinic.city}, {clinic.state}" in item
        assert "Treatments given" in item and "Who watches you" in item and "Therapy" in item
        assert "Ways ketamine is given" in item and "Price per session" in item
        if clinic.verification_state(date.today()) == "current":
            assert "badge-verified" in item
        flags = red_flags(clinic.profile)
        assert len(result["red_flags"]) == len(flags)
        if flags:
            assert f"{len(flags)} red flag" in item
        else:
            assert "No red flags" in item

    data = re.search(
        r'<script type="application/json" id="results-data">(.*?)</script>', html, re.S
    )
    assert data
    points = json.loads(data.group(1))
    assert points["radius_miles"] == 100
    assert [(p["id"], p["lat"], p["lng"]) for p in points["clinics"]] == [
        (r["id"], r["lat"], r["lng"]) for r in body["results"]
    ]


def test_filters_stay_filled_in(client):
    html = client.get(
        "/search",
        query_string={
            "location": "Austin, TX",
            "radius": "100",
            "route": ["iv", "im"],
            "condition": "ptsd",
            "therapy": "coordinated",
            "payment": "superbill",
            "verified": "1",
            "accepting": "1",
            "max_price": "600",
            "sort": "price",
        },
    ).get_data(as_text=True)

    def tag(name: str, value: str) -> str:
        for found in re.findall(r"<input[^>]*>", html):
            if f'name="{name}"' in found and f'value="{value}"' in found:
                return found
        raise AssertionError(f"no input {name}={value}")

    for name, value in [
        ("route", "iv"),
        ("route", "im"),
        ("condition", "ptsd"),
        ("therapy", "coordinated"),
        ("payment", "superbill"),
        ("verified", "1"),
        ("accepting", "1"),
    ]:
        assert "checked" in tag(name, value)
    assert "checked" not in tag("route", "oral")
    assert "checked" not in tag("therapy", "none")
    assert 'value="Austin, TX"' in tag("location", "Austin, TX")
    assert tag("max_price", "600")
    assert '<option selected value="price">' in html
    assert re.search(r'<option value="100" selected>', html)
    assert '<details class="filters" open>' in html


def test_an_empty_result_says_so_and_offers_a_wider_search(client):
    # Billings, Montana: no sample clinic within 10 miles.
    response = client.get("/search?location=59101&radius=10")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No clinics found" in html
    wider = re.search(r'href="(/search\?[^"]*radius=25[^"]*)"', html)
    assert wider, "a link that widens the radius"
    follow = client.get(wider.group(1).replace("&amp;", "&"))
    assert follow.status_code == 200
    assert 'value="25" selected' in follow.get_data(as_text=True)


def test_an_empty_filtered_result_offers_to_drop_the_filters(client):
    html = client.get(
        "/search?location=92101&radius=250&condition=migraine&condition=ocd&max_price=1"
    ).get_data(as_text=True)
    assert "No clinics found" in html and "that match every filter you chose" in html
    assert "Search a wider area" not in html  # 250 miles is already the widest
    without = re.search(r'href="(/search\?[^"]*)">Search again without filters', html)
    assert without
    link = without.group(1).replace("&amp;", "&")
    assert "condition" not in link and "max_price" not in link and "radius=250" in link
    assert client.get(link).status_code == 200
