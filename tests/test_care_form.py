"""The profile form's care fields: what clinics type is kept, each mistake gets a message
on its own field, and the stored profile reads back exactly."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import clean_profile, make_clinic
from tests.helpers import (
    APPROVE,
    accepted,
    edit_url,
    field_error,
    form_data,
    html_of,
    refused,
    send,
    stored_draft,
)


@pytest.fixture
def editing(staff):
    """A signed-in staff member and their draft clinic."""
    clinic = make_clinic(clean_profile(name="Form Clinic"), status="draft", manager=staff.user)
    staff.login()
    return staff, clinic


GOOD = {
    "settings": ["in_clinic", "telehealth"],
    "telehealth_states": "MT 12345\nwy: WY-778\nIdaho 4410",
    "telehealth_evaluation": "video",
    "remote_companion": "nobody",
    "remote_monitoring": "yes",
    "first_dose_supervised": "no",
    "emergency_plan": "We call 911 and stay on video until help arrives.",
    "hours-monday": "09:00-12:00, 13:00-17:00",
    "hours-friday": "18:00-01:00 next day",
    "hours-sunday": "",
    "timezone": "America/Denver",
    "languages": ["en", "es", "ase"],
    "insurers": ["medicare", "tricare"],
    "age_groups": ["adults", "older_adults"],
    "accessibility": ["step_free_entrance", "hearing_loop"],
    "accessibility_note": "Lift to every floor.",
    "booking_url": "https://book.example/harbor",
    "clinicians-0-name": "Ana Ruiz",
    "clinicians-0-credential": "MD",
    "clinicians-0-role": "medical_director",
    "clinicians-0-npi": "1234567893",
    "clinicians-1-name": "",
    "clinicians-1-credential": "",
    "clinicians-1-role": "",
    "clinicians-1-npi": "",
}


def test_care_answers_are_stored_as_typed(editing):
    profile = accepted(editing, **GOOD)
    assert profile.settings == ("in_clinic", "telehealth")
    assert profile.telehealth_states == (("ID", "4410"), ("MT", "12345"), ("WY", "WY-778"))
    assert (profile.telehealth_evaluation, profile.remote_companion) == ("video", "nobody")
    assert (profile.remote_monitoring, profile.first_dose_supervised) == (True, False)
    assert profile.hours == (
        ("monday", "09:00", "12:00"),
        ("monday", "13:00", "17:00"),
        ("friday", "18:00", "01:00"),
    )
    assert profile.timezone == "America/Denver"
    assert profile.languages == ("en", "es", "ase")
    assert profile.insurers == ("medicare", "tricare")
    assert profile.age_groups == ("adults", "older_adults")
    assert profile.accessibility == ("step_free_entrance", "hearing_loop")
    assert profile.booking_url == "https://book.example/harbor"
    assert profile.clinicians == (("Ana Ruiz", "MD", "medical_director", "1234567893"),)


def test_the_form_shows_stored_answers_again(editing):
    staff, clinic = editing
    accepted(editing, **GOOD)
    page = html_of(staff.client.get(edit_url(clinic)))
    assert 'value="18:00-01:00 next day"' in page
    assert "MT 12345" in page and "WY WY-778" in page
    assert 'value="Ana Ruiz"' in page and 'value="1234567893"' in page
    assert re.search(r'<input checked id="remote_monitoring-0"[^>]*value="yes"', page)
    assert re.search(r'<input checked id="first_dose_supervised-1"[^>]*value="no"', page)
    # Saving the same page again changes nothing.
    again = accepted(editing, **GOOD)
    assert again == stored_draft(clinic.id)


def test_unstated_yes_no_answers_stay_unstated(editing):
    profile = accepted(editing, remote_monitoring="", first_dose_supervised="")
    assert profile.remote_monitoring is None and profile.first_dose_supervised is None


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"hours-tuesday": "09:00-12:00, 11:00-14:00"}, "hours", "overlap"),
        ({"hours-wednesday": "17:00-09:00"}, "hours", "closes before it opens"),
        ({"hours-thursday": "nine to five"}, "hours", "is not a time"),
        (
            {"hours-friday": "20:00-03:00 next day", "hours-saturday": "02:00-06:00"},
            "hours",
            "overlap",
        ),
        ({"telehealth_states": "MT 123\nZZ 999"}, "telehealth_states", "US state"),
        ({"settings": ["in_clinic"]}, "telehealth_states", "By telehealth"),
        ({"booking_url": "http://book.example/harbor"}, "booking_url", "https://"),
        ({"booking_url": "javascript:alert(1)"}, "booking_url", "https://"),
        ({"clinicians-0-npi": "1234567890"}, "clinicians", "NPI"),
        ({"clinicians-0-name": ""}, "clinicians", "name"),
    ],
)
def test_mistakes_get_a_message_on_their_field_and_the_form_is_kept(editing, typed, field, message):
    page = refused(editing, **{**GOOD, **typed})
    assert message.lower() in field_error(page, field).lower(), field_error(page, field)
    for name, value in typed.items():
        if name.startswith(("hours-", "clinicians-")) and value:
            assert f'value="{value}"' in page, name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("languages", ["xx"]),
        ("insurers", ["acme"]),
        ("settings", ["moon"]),
        ("age_groups", ["babies"]),
        ("timezone", "Europe/Paris"),
        ("telehealth_evaluation", "carrier pigeon"),
    ],
)
def test_unknown_codes_are_refused_on_their_field(editing, field, value):
    page = refused(editing, kept=False, **{**GOOD, field: value})
    assert field_error(page, field)


def test_telehealth_without_states_saves_as_a_draft_but_cannot_be_submitted(editing):
    """Patients find a telehealth provider by the states it treats in: none, and no
    search would ever list it."""
    staff, clinic = editing
    draft = accepted(editing, **{**GOOD, "telehealth_states": ""})
    assert "telehealth" in draft.settings and draft.telehealth_states == ()
    data = form_data(clean_profile(name="Form Clinic"), **{**GOOD, "telehealth_states": ""})
    response = send(staff, edit_url(clinic), data, action="submit")
    assert response.status_code == 422
    needed = html_of(response).split('id="missing-heading"')[1].split("</ul>")[0]
    assert '<a href="#telehealth_states">States where telehealth is offered</a>' in needed
    assert clinic.status == "draft"
    fixed = form_data(clean_profile(name="Form Clinic"), **GOOD)
    assert send(staff, edit_url(clinic), fixed, action="submit").status_code == 303


def test_the_moderator_sees_telehealth_licences_and_clinicians(editing, moderator):
    staff, clinic = editing
    data = form_data(clean_profile(name="Form Clinic"), **GOOD)
    response = send(staff, edit_url(clinic), data, action="submit")
    assert response.status_code == 303
    moderator.login()
    queue = html_of(moderator.client.get("/moderation"))
    revision_path = queue[queue.index("/moderation/revisions/") :].split('"')[0]
    page = html_of(moderator.client.get(revision_path))
    assert "Montana (licence 12345)" in page
    checks = page[page.index('id="care-checks-heading"') :]
    assert '<th scope="row">Montana</th><td>12345</td>' in checks
    assert "npiregistry.cms.hhs.gov/provider-view/1234567893" in checks
    assert "Ana Ruiz, MD – Medical director (NPI 1234567893)" in page


def test_telehealth_licences_must_be_looked_up_before_approval(editing, moderator, client):
    """Like the clinic's own licence: the moderator says how each state's licence was
    checked, and the listing tells patients that it was."""
    staff, clinic = editing
    data = form_data(clean_profile(name="Form Clinic"), **GOOD)
    assert send(staff, edit_url(clinic), data, action="submit").status_code == 303
    moderator.login()
    queue = html_of(moderator.client.get("/moderation"))
    review = queue[queue.index("/moderation/revisions/") :].split('"')[0]
    page = html_of(moderator.client.get(review))
    assert 'name="telehealth_licences_checked_how"' in page
    refusal = moderator.client.post(
        review + "/decision", data={**APPROVE, "csrf_token": csrf_token_from(page)}
    )
    assert refusal.status_code == 422
    refused_page = html_of(refusal)
    assert "Say how you checked them." in field_error(
        refused_page, "telehealth_licences_checked_how"
    )
    assert "the licence in each telehealth state was looked up" in refused_page
    assert clinic.status == "pending"
    how = "Montana, Wyoming and Idaho boards' look-ups: all three active."
    approved = moderator.client.post(
        review + "/decision",
        data={
            **APPROVE,
            "telehealth_licences_checked_how": how,
            "csrf_token": csrf_token_from(refused_page),
        },
    )
    assert approved.status_code == 302, field_error(html_of(approved), "decision")
    db.session.refresh(clinic)
    assert clinic.status == "published"
    listing = html_of(client.get(f"/clinics/{clinic.slug}"))
    assert "The licence in each telehealth state was checked" in listing
