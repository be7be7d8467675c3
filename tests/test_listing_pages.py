"""The public pages: home, a listing, the guide, and 404s for what is not public."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import escape

from portal.extensions import db
from portal.vetting import FLAG_KINDS
from tests.factories import clean_profile, make_clinic


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_home_has_a_search_form_and_the_guide(client):
    html = page(client, "/")
    assert 'action="/search"' in html
    assert 'name="location"' in html
    assert 'href="/guide"' in html


def test_listing_puts_the_three_questions_first(client):
    clinic = make_clinic(clean_profile(name="Harbor Ketamine Center"))
    html = page(client, f"/clinics/{clinic.slug}")
    positions = [
        html.index(marker)
        for marker in (
            'id="q-experience"',
            'id="q-safety"',
            'id="q-therapy"',
            'id="flags-heading"',
            'id="verification-heading"',
            'id="treatments-heading"',
            'id="cost-heading"',
            'id="contact-heading"',
        )
    ]
    assert positions == sorted(positions)
    assert "Harbor Ketamine Center" in html
    assert "2,500" in html
    assert "A physician" in html
    assert "Therapy offered in house" in html
    assert "$450–$700" in html
    assert "None of our red-flag rules apply" in html


def test_listing_shows_each_red_flag_with_its_reason(client):
    clinic = make_clinic(clean_profile(therapy="none", transport_required=False))
    html = page(client, f"/clinics/{clinic.slug}")
    assert "2 red flags" in html
    assert "No therapy alongside ketamine" in html
    assert "offers no therapy" in html
    assert "The clinic answers No to &#34;Someone else must drive you home&#34;" in html


def test_missing_answers_say_not_stated(client):
    clinic = make_clinic(clean_profile(years_offering=None, consultation_fee=None))
    html = page(client, f"/clinics/{clinic.slug}")
    assert html.count("Not stated") >= 2


def test_verification_status_and_date(client):
    today = date.today()
    verified = today - timedelta(days=60)
    clinic = make_clinic(verified_on=verified)
    html = page(client, f"/clinics/{clinic.slug}")
    assert f"Verified on {verified:%B} {verified.day}, {verified.year}" in html
    old = make_clinic(verified_on=today - timedelta(days=400))
    assert "Verification expired" in page(client, f"/clinics/{old.slug}")


def test_unpublished_and_unknown_clinics_are_404(client):
    pending = make_clinic(status="pending")
    draft = make_clinic(status="draft")
    for slug in (pending.slug, draft.slug, "no-such-clinic"):
        response = client.get(f"/clinics/{slug}")
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_suspended_clinic_is_404(client):
    clinic = make_clinic()
    clinic.status = "suspended"
    db.session.commit()
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404


def test_text_a_clinic_wrote_is_escaped(client):
    clinic = make_clinic(
        clean_profile(description="<script>alert(1)</script>", website="javascript:alert(1)")
    )
    html = page(client, f"/clinics/{clinic.slug}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_guide_covers_the_questions_and_red_flags(client):
    html = page(client, "/guide")
    for heading in ('id="experience"', 'id="safety"', 'id="therapy"', 'id="red-flags"'):
        assert heading in html
    for kind in FLAG_KINDS:  # every flag, named as everywhere else (one catalogue)
        assert str(escape(kind.title)) in html, kind.code


def test_sample_data_is_marked(client):
    assert "fictional sample data" in page(client, "/")
