"""The public "How we verify" page."""

from __future__ import annotations

import re


def test_how_we_verify_explains_the_check_and_its_limits(client, app):
    response = client.get("/about/verification")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    months = app.config["VERIFICATION_MONTHS"]
    days = app.config["STALE_AFTER_DAYS"]
    for text in (
        "<h1>How we verify listings</h1>",
        "National Provider Identifier",
        "check digit",
        "state medical or nursing board",
        "how it was checked",
        "map",
        "answers make sense",
        "red flag",
        f"{months} months",
        "Verification expired",
        "Possibly out of date",
        f"{days} days",
        'href="/guide#red-flags"',
        "Report a problem",
    ):
        assert text in html, text


def test_how_we_verify_follows_the_settings(app_config, client, app):
    app.config.update(VERIFICATION_MONTHS=6, STALE_AFTER_DAYS=90)
    html = client.get("/about/verification").get_data(as_text=True)
    assert "6 months" in html and "90 days" in html
    assert "12 months" not in html


def test_every_page_links_to_how_we_verify(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/about/verification"' in html


def test_how_we_verify_has_no_inline_script_or_style(client):
    html = client.get("/about/verification").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(" src=" in tag for tag in scripts), scripts
    assert "style=" not in html and "<style" not in html
