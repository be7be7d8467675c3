"""Each flag reads the same everywhere (one catalogue), result cards name their flags,
and a verified listing with flags says both plainly."""

from __future__ import annotations

from datetime import date

from markupsafe import escape

from portal.vetting import KINDS
from tests.factories import clean_profile, make_clinic

RISKY = dict(emergency_trained=False, pharmaceutical_grade=False)
TITLES = [KINDS["no_emergency_training"].title, KINDS["not_pharmaceutical_grade"].title]


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_one_title_per_flag_on_every_page_and_in_the_api(client):
    clinic = make_clinic(clean_profile(**RISKY))
    pages = {
        "guide": text(client, "/guide"),
        "listing": text(client, f"/clinics/{clinic.slug}"),
        "results": text(client, "/search?location=92101"),
        "comparison": text(client, f"/compare?ids={clinic.id}"),
        "sheet": text(client, f"/clinics/{clinic.slug}/questions"),
    }
    for where, html in pages.items():
        for title in TITLES:
            assert str(escape(title)) in html, (where, title)
    detail = client.get(f"/api/v1/clinics/{clinic.id}").get_json()
    assert [flag["title"] for flag in detail["red_flags"]] == TITLES
    found = client.get("/api/v1/clinics?location=92101").get_json()["results"][0]
    assert [flag["title"] for flag in found["red_flags"]] == TITLES


def test_a_result_card_names_its_flags(client):
    make_clinic(clean_profile(name="Risky Clinic", **RISKY), verified_on=date.today())
    html = text(client, "/search?location=92101")
    card = html[html.index("Risky Clinic") :]
    card = card[: card.index("</article>")]
    assert "2 red flags" in card
    assert "Verified, and its own answers raise:" in card
    for title in TITLES:
        assert f'<li><span aria-hidden="true">⚑</span> {escape(title)}</li>' in card


def test_a_verified_listing_with_flags_says_both(client):
    clinic = make_clinic(clean_profile(**RISKY), verified_on=date.today())
    html = text(client, f"/clinics/{clinic.slug}")
    assert "A moderator verified this listing, and its own answers still raise 2 red flags" in html
    verification = html[html.index('id="verification-heading"') :]
    assert "What the check covered" in verification
    assert f"What the clinic's answers raise, even so: {escape(TITLES[0])}; " in verification


def test_a_verified_listing_without_flags_does_not_warn(client):
    clinic = make_clinic(clean_profile(), verified_on=date.today())
    html = text(client, f"/clinics/{clinic.slug}")
    assert "still raise" not in html
    assert "None of our red-flag rules apply" in html
