"""The review page of one revision: what changed, every answer, red flags, the address check."""

from __future__ import annotations

import dataclasses
import re

import pytest

from portal.moderation import service
from portal.vetting import KINDS
from tests.factories import clean_profile, make_clinic
from tests.helpers import (
    APPROVE,
    BAD_NPI,
    decide,
    submit_edit,
    submit_new,
    text_of,
)

pytestmark = pytest.mark.usefixtures("compiled_templates")

# --- the review page -----------------------------------------------------------------------


def test_review_of_an_edit_shows_only_what_changed(mod):
    clinic = make_clinic(clean_profile(name="Harbor Test Clinic"))
    revision = submit_edit(
        clinic,
        recovery_minutes=45,
        routes=("iv", "im"),
        therapy="referral",
        phone="(619) 555-0199",
    )
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    diff = html[html.index('id="changes-heading"') : html.index("All answers in this revision")]
    assert "What changed (4)" in diff
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', diff, re.S)
    }
    assert set(rows) == {
        "Phone",
        "Recovery time after a session (minutes)",
        "Therapy alongside ketamine",
        "Ways ketamine is given",
    }
    assert "120" in rows["Recovery time after a session (minutes)"]
    assert "45" in rows["Recovery time after a session (minutes)"]
    assert "Therapy offered in house" in rows["Therapy alongside ketamine"]
    assert "Refers you to a therapist" in rows["Therapy alongside ketamine"]
    routes = rows["Ways ketamine is given"]
    assert "+ Intramuscular injection" in routes
    assert "− Esketamine nasal spray (Spravato)" in routes
    assert "IV infusion" not in routes
    # The recovery time now raises a flag the published version did not.
    flags = html[html.index('id="flags-heading"') : html.index('id="checks-heading"')]
    assert "No recovery period" not in flags  # 45 minutes is a recovery period
    assert "New in this revision" not in flags


def test_review_marks_red_flags_new_in_an_edit(mod):
    clinic = make_clinic()
    revision = submit_edit(clinic, therapy="none")
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    flags = html[html.index('id="flags-heading"') : html.index('id="checks-heading"')]
    assert "No therapy alongside ketamine" in flags
    assert "New in this revision" in flags


def test_review_of_a_new_clinic_shows_every_answer_and_the_checks(mod):
    revision = submit_new(
        clean_profile(name="Brand New Clinic", npi=BAD_NPI, transport_required=False)
    )
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "What changed" not in html
    answers = html[html.index('id="answers-heading"') : html.index('id="flags-heading"')]
    for label in ("Clinic name", "Ways ketamine is given", "Payment help", "Phone"):
        assert f"<dt>{label}</dt>" in answers
    assert "Brand New Clinic" in answers
    assert "IV infusion, Esketamine nasal spray (Spravato)" in answers
    assert KINDS["no_transport_requirement"].title in html
    checks = html[html.index('id="checks-heading"') :]
    assert "Fail" in checks and BAD_NPI in checks
    assert "32.7185, -117.1593" in checks  # where the address lands
    assert "San Diego, CA" in checks and "matches the city given" in checks
    assert 'name="address_plausible"' in html and 'name="decision"' in html
    assert '<option selected value="CA">' in html


def test_review_shows_npi_pass_or_not_given(mod):
    good = submit_new(clean_profile(name="Good NPI"))
    none_given = submit_new(clean_profile(name="No NPI", npi=""))
    assert 'class="check-pass">Pass' in text_of(mod.get(f"/moderation/revisions/{good.id}"))
    assert 'class="check-none">Not given' in text_of(
        mod.get(f"/moderation/revisions/{none_given.id}")
    )


def test_review_warns_when_the_zip_belongs_to_another_city(mod):
    revision = submit_new(clean_profile(city="Los Angeles", zip="92101"))
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "differs from Los Angeles, CA" in html


def test_review_shows_history_and_links_the_audit_log(mod):
    clinic = make_clinic()
    first = submit_edit(clinic, name="First Try")
    second = submit_edit(clinic, name="Second Try")
    html = text_of(mod.get(f"/moderation/revisions/{first.id}"))
    assert "Replaced by a newer revision" in html
    assert f'href="/moderation/revisions/{second.id}"' in html
    assert 'name="decision"' not in html  # no form on a replaced revision
    assert f"/moderation/clinics/{clinic.id}#audit" in html


def test_a_decided_revision_shows_its_decision_and_no_form(mod):
    revision = submit_new()
    reason = "Please add how long patients stay after a session."
    decide(mod, revision.id, {"decision": "request_changes", "reason": reason})
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "Changes requested" in html and mod.user.email in html
    assert reason in html
    assert 'name="decision"' not in html


def test_profile_changes_label_codes_and_lists():
    old = clean_profile()
    new = dataclasses.replace(
        old,
        director_discipline="anesthesiology",
        physician_on_site=False,
        conditions=("depression", "ptsd", "ocd"),
        fasting_hours=None,
    )
    changes = {change.name: change for change in service.profile_changes(old, new)}
    assert set(changes) == {
        "director_discipline",
        "physician_on_site",
        "conditions",
        "fasting_hours",
    }
    assert (changes["director_discipline"].old, changes["director_discipline"].new) == (
        "Psychiatry",
        "Anesthesiology",
    )
    assert (changes["physician_on_site"].old, changes["physician_on_site"].new) == ("Yes", "No")
    assert (changes["fasting_hours"].old, changes["fasting_hours"].new) == ("6", "Not stated")
    assert changes["conditions"].added == ("OCD",)
    assert changes["conditions"].removed == ()
    assert service.profile_changes(old, old) == []


def test_unknown_revision_or_clinic_is_404(mod):
    assert mod.get("/moderation/revisions/999999").status_code == 404
    assert mod.get("/moderation/clinics/999999").status_code == 404
    assert mod.post("/moderation/revisions/999999/decision", APPROVE).status_code == 404
