"""/about, /privacy and /api: what they say, that it matches what the site does, the footer."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, text

from portal.api.openapi import DATA_LICENCE
from portal.config import load_config
from portal.extensions import db
from portal.pages.examples import EXAMPLES
from tests.factories import make_clinic

FOOTER_LINKS = {"/about": "About", "/privacy": "Privacy", "/api": "Open data API"}
CONTACT = "team@clinic-finder.example"


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def footer_links(html: str) -> dict[str, str]:
    footer = html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
    return dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer))


# --- the footer ----------------------------------------------------------------------------


def test_every_page_type_links_to_about_privacy_and_the_api_page(
    client, sample_clinics, staff, moderator
):
    slug = sample_clinics[0].slug
    pages = [
        (client, "/"),
        (client, "/search?location=92101"),
        (client, "/search?location=Atlantis%2C+ZZ"),
        (client, f"/clinics/{slug}"),
        (client, f"/clinics/{slug}/report"),
        (client, "/compare"),
        (client, "/guide"),
        (client, "/about/verification"),
        (client, "/about"),
        (client, "/privacy"),
        (client, "/api"),
        (client, "/account/login"),
        (client, "/account/register"),
        (client, "/clinics/no-such-clinic"),
    ]
    staff.login()
    moderator.login()
    pages += [(staff, "/dashboard"), (staff, "/dashboard/clinics/new"), (moderator, "/moderation")]
    for who, url in pages:
        response = who.get(url)
        assert response.mimetype == "text/html", url
        links = footer_links(response.get_data(as_text=True))
        for href, label in FOOTER_LINKS.items():
            assert links.get(href) == label, (url, links)
        assert "/api/openapi.json" not in links, url  # the readable page, not raw JSON


# --- /about --------------------------------------------------------------------------------


def test_about_says_who_runs_it_how_listings_arrive_and_how_it_is_paid(client):
    about = page_text(client.get("/about"))
    for words in (
        "<h1>About Ketamine Clinic Finder</h1>",
        "The directory is independent",
        "A clinic writes its own listing",
        "A moderator checks it",
        'href="/about/verification"',
        "A verification lasts 12 months",
        "no clinic can pay for a listing, a better place in the results or a verified badge",
        "There is no advertising",
        'href="/privacy"',
        "every clinic listed here is fictional sample data",
        '<meta name="description" content="Who runs Ketamine Clinic Finder',
    ):
        assert words in about, words
    assert "has not published a contact address yet" in about
    assert "mailto:" not in about


def test_contact_email_appears_on_about_privacy_and_the_api_page(app, client):
    app.config["CONTACT_EMAIL"] = CONTACT
    for url in ("/about", "/privacy", "/api"):
        html = page_text(client.get(url))
        assert f'<a href="mailto:{CONTACT}">{CONTACT}</a>' in html, url
        assert "has not published a contact address" not in html, url


def test_contact_email_setting_is_trimmed_and_empty_by_default(tmp_path):
    assert load_config(tmp_path, {})["CONTACT_EMAIL"] == ""
    assert load_config(tmp_path, {"CONTACT_EMAIL": f"  {CONTACT} "})["CONTACT_EMAIL"] == CONTACT
    assert load_config(tmp_path, {})["SECURITY_LOG_DAYS"] is None
    assert load_config(tmp_path, {"SECURITY_LOG_DAYS": "30"})["SECURITY_LOG_DAYS"] == 30


# --- /privacy ------------------------------------------------------------------------------


def test_privacy_lists_what_is_kept_and_for_how_long(app, client):
    app.config.update(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=5),
        REMEMBER_COOKIE_DURATION=timedelta(days=9),
        RATELIMIT_REPORT="3 per hour",
        SEARCH_CACHE_SECONDS=45.0,
        SECURITY_LOG_DAYS=30,
    )
    privacy = page_text(client.get("/privacy"))
    for words in (
        "Searches are not stored",
        "for up to 45 seconds",
        "<code>session</code>",
        "never more than 5 hours after it last changed",
        "<code>remember_token</code>",
        "9 days, or until you sign out",
        "Reports are <strong>kept for good</strong>",
        "Only our moderators see your email address",
        "the password as a one-way hash",
        "never the search or anything else typed into it",
        "It is kept for 30 days.",
        "(for reports: 3 per hour)",
        "This copy of the site does not: places are looked up in a US ZIP code table",
        "This copy of the site does not: the map shows the clinics' markers",
    ):
        assert words in privacy, words


def test_privacy_names_the_outside_services_an_operator_turned_on(app, client):
    app.config.update(
        GEOCODER="nominatim", MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    )
    privacy = page_text(client.get("/privacy"))
    assert "<strong>This copy of the site uses one</strong> (OpenStreetMap's Nominatim)" in privacy
    assert "<code>https://*.tiles.example.org</code>" in privacy
    assert "has not stated a period" in privacy  # SECURITY_LOG_DAYS unset


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_every_cookie_the_site_sets_is_on_the_privacy_page(app, client, browser, staff):
    clinic = make_clinic()
    listing = f"/clinics/{clinic.slug}"
    seen: dict[str, str] = {}
    seen |= _set_cookies(client.get(listing))
    seen |= _set_cookies(
        browser.submit(listing, {"clinic_id": clinic.id}, action="/compare/tray/add")
    )
    seen |= _set_cookies(
        browser.submit(f"{listing}/report", {"kind": "closed", "contact_email": CONTACT})
    )
    seen |= _set_cookies(staff.login(remember="y"))
    seen |= _set_cookies(staff.get("/dashboard"))

    described = set(
        re.findall(r"<dt><code>([a-z_]+)</code></dt>", page_text(client.get("/privacy")))
    )
    assert set(seen) == described == {"session", "remember_token"}
    for header in seen.values():
        assert "HttpOnly" in header
    assert "Expires" not in seen["session"]  # gone when the browser closes
    expires = re.search(r"Expires=([^;]+)", seen["remember_token"]).group(1)
    days = app.config["REMEMBER_COOKIE_DURATION"].days
    assert abs(parsedate_to_datetime(expires) - datetime.now(UTC) - timedelta(days=days)) < (
        timedelta(minutes=5)
    )


def _all_stored_text() -> str:
    """Every row of every table, as text."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [repr(tuple(row)) for row in db.session.execute(select(table))]
    return "\n".join(rows)


def test_searches_are_not_stored_anywhere_the_site_keeps_data(client, sample_clinics, caplog):
    place = "Moscow, ID"
    assert "Moscow" not in _all_stored_text()
    caplog.set_level(logging.DEBUG)
    assert client.get("/search?location=Moscow%2C+ID&condition=ptsd&radius=250").status_code == 200
    assert client.get("/api/v1/clinics?location=Moscow%2C+ID&condition=ptsd").status_code == 200
    db.session.execute(text("SELECT 1"))  # a fresh read, not the session's memory
    assert "Moscow" not in _all_stored_text()
    assert "Moscow" not in caplog.text and place not in caplog.text
    assert "ptsd" not in caplog.text


# --- /api ----------------------------------------------------------------------------------


def test_api_page_explains_both_apis_limits_licence_and_links_the_description(app, client):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_API="7 per minute")
    guide = page_text(client.get("/api"))
    for words in (
        "<h1>Open data and API</h1>",
        "<code>GET /api/v1/clinics?location=…</code>",
        "<code>GET /api/v1/hsds/</code>",
        'id="hsds-profile"',
        "Access-Control-Allow-Origin: *",
        "up to <strong>7 per minute</strong> requests from one network address",
        "status 429",
        f'<a href="{DATA_LICENCE["url"]}">{DATA_LICENCE["name"]}</a>',
        '<a href="/api/openapi.json">OpenAPI 3.1 description</a>',
        "curl 'http://localhost/api/v1/clinics?location=92101'",
        '<meta name="description" content="Build on Ketamine Clinic Finder',
    ):
        assert words in guide, words
    for example in EXAMPLES:
        assert f"GET http://localhost{example.request}" in guide.replace("&amp;", "&")


def test_api_page_says_when_rate_limits_are_off(app, client):
    app.config["RATELIMIT_ENABLED"] = False
    assert "has its rate limits turned off" in page_text(client.get("/api"))


def test_openapi_states_the_same_licence(client):
    info = client.get("/api/openapi.json").get_json()["info"]
    assert info["license"] == {"name": DATA_LICENCE["name"], "identifier": "CC-BY-4.0"}


def _shown_fields_are_real(shown, real, where: str) -> None:
    """Every field in the example exists in the real answer, with a value of the same type."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), where
        for key, value in shown.items():
            assert key in real, f"{where}.{key} is not in the real answer"
            _shown_fields_are_real(value, real[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(real, list), where
        if shown and real:
            _shown_fields_are_real(shown[0], real[0], f"{where}[0]")
    elif shown is not None and real is not None:
        assert type(shown) is type(real) or {type(shown), type(real)} == {int, float}, where


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.anchor)
def test_each_example_matches_the_real_answer(client, sample_clinics, example):
    response = client.get(example.request)
    assert response.status_code == example.status
    real = response.get_json()
    _shown_fields_are_real(example.answer, real, example.anchor)
    if "error" in example.answer:
        assert example.answer == real
    if example.anchor == "example-search":
        assert example.answer["results"][0]["name"] == real["results"][0]["name"]
        assert example.answer["total"] == real["total"]


def test_the_examples_test_catches_a_field_the_api_does_not_send():
    with pytest.raises(AssertionError, match="not in the real answer"):
        _shown_fields_are_real({"results": [{"rating": 5}]}, {"results": [{"id": 1}]}, "x")
    with pytest.raises(AssertionError):
        _shown_fields_are_real({"total": "2"}, {"total": 2}, "x")
