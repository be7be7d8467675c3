"""The printable "questions to ask this clinic" sheet of each listing."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import utcnow
from portal.vetting import KINDS
from tests.factories import clean_profile, make_clinic


def test_the_listing_links_to_its_question_sheet(client):
    clinic = make_clinic()
    html = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    assert f'href="/clinics/{clinic.slug}/questions"' in html


def test_the_sheet_fills_in_the_clinics_answers_in_question_order(client):
    clinic = make_clinic(clean_profile(name="Harbor Ketamine Center", recovery_minutes=90))
    clinic.last_confirmed_at = utcnow() - timedelta(days=2)
    db.session.commit()
    response = client.get(f"/clinics/{clinic.slug}/questions")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Questions to ask Harbor Ketamine Center" in html
    positions = [
        html.index(marker)
        for marker in (
            'id="sheet-experience"',
            'id="sheet-safety"',
            'id="sheet-therapy"',
            'id="sheet-plan"',
            'id="sheet-flags"',
            'id="sheet-notes"',
        )
    ]
    assert positions == sorted(positions)
    assert "2,500 treatments" in html
    assert "Psychiatry" in html
    assert "A physician" in html
    assert "Blood pressure, Heart rate, Blood oxygen (pulse oximetry)" in html
    assert "90 minutes of recovery" in html
    assert "Therapy offered in house" in html
    assert "Per session: $450–$700" in html
    assert "Consultation: $150" in html
    assert html.count('class="note-lines"') >= 10
    assert "Possibly out of date" not in html


def test_the_sheet_lists_red_flags_to_ask_about_and_missing_answers(client):
    clinic = make_clinic(
        clean_profile(transport_required=False, years_offering=None, consultation_fee=None)
    )
    clinic.last_confirmed_at = utcnow() - timedelta(days=500)
    db.session.commit()
    html = client.get(f"/clinics/{clinic.slug}/questions").get_data(as_text=True)
    assert KINDS["no_transport_requirement"].title in html
    assert "Not stated: ask them" in html
    assert "Possibly out of date" in html  # confirmed long ago


def test_no_sheet_for_a_clinic_that_is_not_public(client):
    waiting = make_clinic(status="pending")
    assert client.get(f"/clinics/{waiting.slug}/questions").status_code == 404
    assert client.get("/clinics/no-such-clinic/questions").status_code == 404


def test_the_sheet_has_no_inline_code(client):
    clinic = make_clinic()
    html = client.get(f"/clinics/{clinic.slug}/questions").get_data(as_text=True)
    assert "style=" not in html and "<style" not in html
    assert "onclick" not in html
    assert "data-print-button hidden" in html


def test_each_unstated_care_answer_on_the_sheet_says_which_answer_it_is(client):
    """Several answers under one question: "not stated" names the one it is about."""
    clinic = make_clinic(
        clean_profile(
            name="Quiet Telehealth",
            settings=("telehealth",),
            telehealth_states=(("MT", "1"),),
            languages=("es",),
        )
    )
    html = client.get(f"/clinics/{clinic.slug}/questions").get_data(as_text=True)
    said = "Their listing says:</span> "
    assert said + "Languages: Spanish</p>" in html
    for what in ("Accessibility", "Clinicians", "Remote monitoring", "First dose supervised"):
        assert f'{said}{what}: <span class="not-stated">Not stated: ask them</span>' in html, what
    assert said + "Licensed for telehealth in: Montana</p>" in html
