"""Yes/no facts with a third answer, "not stated": stored, asked, shown and served as such."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ClinicDraft, ClinicRevision
from portal.opendata import hsds
from portal.profile import LEGACY_UNTICKED_MEANS_UNSTATED, TRI_STATE_FIELDS, Profile
from tests.factories import clean_profile, make_clinic
from tests.helpers import edit_url, form_data, html_of, schema_validator, send, stored_draft

UNSTATED = dict(physician_on_site=None, emergency_trained=None, accepting_new_patients=None)


def test_the_detail_api_answers_null_for_unstated_and_false_only_for_no(app, client):
    clinic = make_clinic(clean_profile(**UNSTATED, pharmaceutical_grade=False))
    body = client.get(f"/api/v1/clinics/{clinic.id}").get_json()
    schema_validator(app, "Clinic").validate(body)
    assert body["physician_on_site"] is None
    assert body["emergency_trained"] is None
    assert body["accepting_new_patients"] is None
    assert body["pharmaceutical_grade"] is False
    assert body["transport_required"] is True
    assert body["questions"] == 17 and body["answered"] == 14
    assert body["unanswered_questions"] == [
        "physician_on_site",
        "emergency_trained",
        "accepting_new_patients",
    ]
    codes = {flag["code"] for flag in body["red_flags"]}
    assert codes == {"not_pharmaceutical_grade"}  # unstated is not a No


def test_search_results_carry_answered_and_questions(app, client):
    make_clinic(clean_profile(**UNSTATED))
    body = client.get("/api/v1/clinics?location=92101").get_json()
    schema_validator(app, "SearchResults").validate(body)
    (result,) = body["results"]
    assert (result["answered"], result["questions"]) == (14, 17)
    assert result["accepting_new_patients"] is None


def test_the_openapi_schema_allows_null_for_each_fact(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    for name in TRI_STATE_FIELDS:
        assert schemas["Clinic"]["properties"][name]["type"] == ["boolean", "null"], name
        assert "not stated" in schemas["Clinic"]["properties"][name]["description"]
    assert {"answered", "questions"} <= set(schemas["ClinicSummary"]["required"])


def test_the_listing_says_not_stated_and_gathers_the_open_questions(client):
    clinic = make_clinic(clean_profile(**UNSTATED))
    html = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    physician = html[html.index("Physician on site during treatments") :]
    assert physician.index("Not stated: ask them") < physician.index("</div>")
    assert "New patients: not stated, ask them" in html
    assert "Answers 14 of 17 questions" in html
    section = html[html.index('id="open-questions"') :]
    for question in (
        "Is a physician on site during treatments?",
        "Are your staff trained for emergencies",
        "Are you accepting new patients?",
    ):
        assert question in section
    # The unstated safety fact sits beside the red flags as a question, not as a pass.
    flags = html[html.index('id="red-flags"') : html.index('id="open-questions"')]
    assert "Safety answers it does not give" in flags
    assert 'data-question="emergency_trained"' in flags


def test_comparison_and_question_sheet_say_not_stated(client):
    stated = make_clinic(clean_profile(name="States everything"))
    silent = make_clinic(clean_profile(name="Leaves three open", **UNSTATED))
    comparison = client.get(f"/compare?ids={stated.id},{silent.id}").get_data(as_text=True)
    row = re.search(r'data-row="emergency_trained">(.*?)</tr>', comparison, re.S).group(1)
    assert row.count("Not stated: ask them") == 1 and "Yes" in row
    sheet = client.get(f"/clinics/{silent.slug}/questions").get_data(as_text=True)
    assert 'Staff trained for emergencies: <span class="not-stated">Not stated: ask them' in sheet
    assert "Questions their listing leaves open" in sheet
    assert 'data-question="physician_on_site"' in sheet


def test_hsds_leaves_an_unstated_fact_out_and_never_says_false_for_it():
    def attributes(profile):
        listing = hsds.Listing(clinic_id=3, slug="c", profile=profile)
        ctx = hsds.Context("https://example.org/", datetime(2026, 7, 1), "check@example.org")
        service = hsds.service(listing, ctx)
        return {a["taxonomy_term"]["code"]: a.get("value") for a in service["attributes"]}

    unstated = attributes(clean_profile(**UNSTATED, pharmaceutical_grade=False))
    for name in UNSTATED:
        assert name not in unstated
    assert unstated["pharmaceutical_grade"] == "false"
    assert unstated["transport_required"] == "true"
    assert "red_flag:not_pharmaceutical_grade" in unstated


# --- the form ------------------------------------------------------------------------------


@pytest.fixture
def editing(staff):
    staff.login()
    clinic = make_clinic(clean_profile(name="Form Clinic"), status="draft", manager=staff.user)
    return staff, clinic


@pytest.mark.parametrize(("sent", "stored"), [("yes", True), ("no", False), ("unstated", None)])
def test_each_answer_is_stored_as_chosen(editing, sent, stored):
    staff, clinic = editing
    data = form_data(clean_profile(name="Form Clinic"), emergency_trained=sent)
    assert send(staff, edit_url(clinic), data).status_code == 303
    assert stored_draft(clinic.id).emergency_trained is stored


def test_no_choice_at_all_stores_not_stated(editing):
    staff, clinic = editing
    data = form_data(clean_profile(name="Form Clinic"))
    del data["physician_on_site"]
    assert send(staff, edit_url(clinic), data).status_code == 303
    assert stored_draft(clinic.id).physician_on_site is None


@pytest.mark.parametrize("sent", ["maybe", "y", "true", "1", "YES", "no way"])
def test_anything_else_gets_a_message_on_the_field_and_keeps_the_form(editing, sent):
    staff, clinic = editing
    before = stored_draft(clinic.id)
    data = form_data(
        clean_profile(name="Form Clinic", description="Typed before the mistake."),
        transport_required="no",
        physician_on_site=sent,
    )
    response = send(staff, edit_url(clinic), data)
    assert response.status_code == 422
    page = html_of(response)
    error = re.search(r'<p id="physician_on_site-error" class="error">([^<]*)</p>', page)
    assert error and error.group(1) == "Choose Yes, No or Not stated."
    assert "Typed before the mistake." in page
    assert re.search(r'<input checked[^>]*name="transport_required"[^>]*value="no"', page)
    assert stored_draft(clinic.id) == before


def test_a_fresh_profile_stores_nothing_for_the_facts():
    assert all(getattr(Profile(), name) is None for name in TRI_STATE_FIELDS)


# --- JSON written before the facts were three-valued ----------------------------------------


def test_json_written_before_reads_an_unticked_box_as_not_stated():
    legacy = dataclasses.replace(clean_profile(), **dict.fromkeys(TRI_STATE_FIELDS, False))
    old_json = legacy.to_dict()  # no "format" key: what the checkboxes stored
    read = Profile.from_stored(old_json)
    for name in LEGACY_UNTICKED_MEANS_UNSTATED:
        assert getattr(read, name) is None, name
    # These boxes started ticked, so False was a real No.
    assert read.in_person_evaluation is False and read.accepting_new_patients is False
    assert Profile.from_stored(legacy.to_stored()) == legacy  # written after: as written


def test_a_frozen_revision_reads_the_same_as_its_listing(app):
    """A revision is never rewritten; an old one reads with the migration's rule."""
    clinic = make_clinic(clean_profile(physician_on_site=False, offers_home_iv=False))
    revision = db.session.get(ClinicRevision, clinic.published_revision_id)
    assert revision.profile.physician_on_site is False  # written now: a stated No
    old = {k: v for k, v in revision.data.items() if k != "format"}
    older = ClinicRevision(clinic_id=clinic.id, number=9, kind="edit", data=old)
    db.session.add(older)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(select(ClinicRevision).where(ClinicRevision.number == 9))
    assert stored.profile.physician_on_site is None
    assert stored.profile.offers_home_iv is None
    assert stored.profile.transport_required is True
    draft = db.session.scalar(select(ClinicDraft).where(ClinicDraft.clinic_id == clinic.id))
    assert draft.data["format"] == 2
