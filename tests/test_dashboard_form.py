"""The profile form: every answer has a field, each rule a clear message next to the field."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.dashboard.forms import ProfileForm
from portal.dashboard.sections import FORM_ORDER, SECTIONS, Group
from portal.extensions import db
from portal.models import Clinic
from portal.profile import PROFILE_FIELDS, TRI_STATE_FIELDS, Profile
from tests.factories import clean_profile, make_clinic
from tests.helpers import (
    accepted,
    edit_url,
    field_error,
    form_data,
    html_of,
    refused,
    send,
)

MODERATOR_ONLY = {"status", "slug", "verified_at", "verification_expires", "managers",
                  "published_revision_id", "is_sample", "lat", "lng"}  # fmt: skip


def test_every_profile_answer_has_one_field_in_one_section(app):
    with app.test_request_context():
        form = ProfileForm(meta={"csrf": False})
    names = {f.name for f in form} - {"version"}
    assert names == set(PROFILE_FIELDS)
    assert not names & MODERATOR_ONLY
    placed = []
    for section in SECTIONS:
        for item in section.items:
            placed.extend(item.fields if isinstance(item, Group) else [item])
    assert sorted(placed) == sorted(PROFILE_FIELDS)
    assert list(FORM_ORDER) == placed


def test_sections_follow_the_three_questions(staff):
    staff.login()
    page = html_of(staff.client.get("/dashboard/clinics/new"))
    headings = [
        "Question 1: How many ketamine treatments",
        "Question 2: What is your protocol for safety monitoring?",
        "Question 3: Do you combine therapy with ketamine?",
        "Treatments and plan",
        "Cost and payment",
        "Contact and identity",
    ]
    positions = [page.index(heading) for heading in headings]
    assert positions == sorted(positions)
    # Help says why a patient cares, next to the field it belongs to.
    assert 'id="treatments_administered-help"' in page
    assert "first question patients are advised to ask" in page
    # A new form pre-answers nothing: each yes/no fact offers Yes / No / Not stated, none chosen.
    for name in TRI_STATE_FIELDS:
        assert not re.search(rf'<input[^>]*checked[^>]*name="{name}"', page), name
        for value in ("yes", "no", "unstated"):
            assert f'name="{name}" type="radio" value="{value}"' in page, (name, value)
    assert 'id="session_monitor-unanswered" name="session_monitor" value="" checked' in page


def test_every_answer_says_why_a_patient_cares(staff):
    """Each field has help text beside it; a set of checkboxes shares its group's help."""
    grouped = {
        name: item
        for section in SECTIONS
        for item in section.items
        if isinstance(item, Group)
        for name in item.fields
    }
    staff.login()
    page = html_of(staff.client.get("/dashboard/clinics/new"))
    for name in PROFILE_FIELDS:
        if name in grouped:
            assert grouped[name].help, name
            assert escape(grouped[name].help) in page, name
        else:
            assert f'id="{name}-help"' in page, f"{name} has no help text"


@pytest.fixture
def editing(staff):
    """A signed-in staff member and their draft clinic."""
    clinic = make_clinic(clean_profile(name="Form Clinic"), status="draft", manager=staff.user)
    staff.login()
    return staff, clinic


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(619) 555-0100", "(619) 555-0100"),
        ("619-555-0100", "(619) 555-0100"),
        ("619.555.0100", "(619) 555-0100"),
        ("+1 619 555 0100", "(619) 555-0100"),
        ("1-619-555-0100", "(619) 555-0100"),
        ("", ""),
    ],
)
def test_us_phone_numbers_are_accepted_and_shown_one_way(editing, typed, stored):
    assert accepted(editing, phone=typed).phone == stored


@pytest.mark.parametrize(
    "typed",
    ["555-0100", "(619) 555-010", "(119) 555-0100", "619 055 0100", "call us", "+44 20 7946 0958"],
)
def test_phones_that_are_not_us_numbers_are_refused(editing, typed):
    page = refused(editing, phone=typed)
    assert "Use a US phone number with its area code" in field_error(page, "phone")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://calm.example/about", "https://calm.example/about"),
        ("http://calm.example", "http://calm.example"),
        ("calm.example", "https://calm.example"),
        ("", ""),
    ],
)
def test_websites_are_http_or_https(editing, typed, stored):
    assert accepted(editing, website=typed).website == stored


@pytest.mark.parametrize(
    "typed",
    ["javascript:alert(1)", "ftp://calm.example", "data:text/html,hi", "https://", "not a site",
     "mailto:x@calm.example", "https://localhost", "https://calm.example@evil.example",
     "[", "https://[calm.example/"],
)  # fmt: skip
def test_other_web_addresses_are_refused(editing, typed):
    page = refused(editing, website=typed)
    assert "starting with https://" in field_error(page, "website")


def test_contact_email_must_be_an_email(editing):
    page = refused(editing, email="hello at calm")
    assert "Enter an email address like" in field_error(page, "email")
    assert accepted(editing, email="Hello@Calm-Clinic.com").email == "Hello@Calm-Clinic.com"


def test_zip_must_exist_and_match_the_state(editing):
    assert "Use a 5-digit ZIP code" in field_error(refused(editing, zip="9210"), "zip")
    assert "We do not know this ZIP code" in field_error(refused(editing, zip="00000"), "zip")
    page = refused(editing, zip="10001", state="CA")
    assert "ZIP code 10001 is in New York, not California" in field_error(page, "zip")
    profile = accepted(editing, zip="10001", state="NY", city="New York")
    assert (profile.zip, profile.state) == ("10001", "NY")
    assert accepted(editing, zip="92101-1234").zip == "92101-1234"


def test_states_come_from_the_list(editing):
    assert "Choose a US state" in field_error(refused(editing, state="ZZ", kept=False), "state")
    page = refused(editing, licence_state="XX", kept=False)
    assert "Choose a US state" in field_error(page, "licence_state")


def test_prices_stay_in_order_and_in_bounds(editing):
    page = refused(editing, price_min="900", price_max="500")
    assert "cannot be lower than the lowest price" in field_error(page, "price_max")
    page = refused(editing, price_min="10")
    assert "from $50 to $10,000" in field_error(page, "price_min")
    page = refused(editing, price_max="25000")
    assert "from $50 to $10,000" in field_error(page, "price_max")
    page = refused(editing, consultation_fee="-5")
    assert "Use a whole number" in field_error(page, "consultation_fee")
    profile = accepted(editing, price_min="$1,200", price_max="1500", consultation_fee="0")
    assert (profile.price_min, profile.price_max, profile.consultation_fee) == (1200, 1500, 0)


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("treatments_administered", "-1", "Use a whole number"),
        ("treatments_administered", "2000000", "from 0 to 1,000,000"),
        ("treatments_administered", "lots", "Use a whole number"),
        ("years_offering", "99", "from 0 to 60"),
        ("recovery_minutes", "2.5", "Use a whole number"),
        ("recovery_minutes", "5000", "from 0 to 1,440"),
        ("fasting_hours", "48", "from 0 to 24"),
        ("induction_sessions", "500", "from 0 to 100"),
    ],
)
def test_counts_are_whole_and_sane(editing, name, typed, message):
    page = refused(editing, **{name: typed})
    assert message in field_error(page, name)


def test_counts_accept_thousands_separators_and_blanks(editing):
    profile = accepted(editing, treatments_administered="2,500", years_offering="")
    assert (profile.treatments_administered, profile.years_offering) == (2500, None)


def test_npi_needs_a_valid_check_digit(editing):
    page = refused(editing, npi="1234567890")
    assert "last digit does not match" in field_error(page, "npi")
    assert "exactly 10 digits" in field_error(refused(editing, npi="12345"), "npi")
    assert accepted(editing, npi="1234 567 893").npi == "1234567893"
    assert accepted(editing, npi="").npi == ""


def test_only_known_codes_can_be_ticked(editing):
    page = refused(editing, routes=["iv", "smoked"], therapy="hypnosis", kept=False)
    assert "Tick only the options shown." in page
    assert "Choose one of the options shown." in page
    profile = accepted(editing, routes=["oral", "iv"], therapy="")
    assert profile.routes == ("iv", "oral")
    assert profile.therapy is None


def test_overlong_texts_are_refused_not_cut(editing):
    page = refused(editing, name="N" * 201)
    assert "at most 200 characters" in field_error(page, "name")
    page = refused(editing, safety_notes=("word " * 1000).strip())
    assert "at most 4,000 characters" in field_error(page, "safety_notes")


def test_a_draft_needs_only_a_name(staff):
    staff.login()
    page = html_of(send(staff, "/dashboard/clinics/new", form_data(Profile(name=""))))
    assert "Enter your clinic's name" in field_error(page, "name")
    assert db.session.scalar(select(Clinic)) is None


def test_error_summary_links_to_each_field(editing):
    page = refused(editing, phone="12", zip="1", price_min="1")
    summary = page[page.index('class="error-summary"') :].split("</div>")[0]
    links = re.findall(r'<a href="#(\w+)">', summary)
    assert links == ["price_min", "zip", "phone"]  # in the order of the form
    assert "Everything you typed is still in the form." in summary


def test_invisible_control_characters_are_refused_not_stored(editing):
    page = refused(editing, kept=False, description="Calm\x00clinic", city="San\x1bDiego")
    assert "invisible control characters" in field_error(page, "description")
    assert "invisible control characters" in field_error(page, "city")
    assert accepted(editing, description="Line one\r\nLine two\ttabbed").description == (
        "Line one\r\nLine two\ttabbed"
    )


def test_odd_requests_get_a_clear_4xx_never_a_500(editing, browser):
    staff, clinic = editing
    for url in (
        "/dashboard/clinics/99999999999999999999/edit",
        f"/dashboard/clinics/{clinic.id}/revisions/99999999999999999999",
        "/dashboard/clinics/0/history",
    ):
        assert staff.client.get(url).status_code == 404, url
    response = send(staff, edit_url(clinic), form_data(clean_profile(), version="9" * 30))
    assert response.status_code == 409
    response = browser.submit("/account/login", {"email": "a\x00@clinic.example", "password": "x"})
    assert response.status_code == 422
