"""Suspend and restore, the audit page, what patients see, and the whole loop."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.dates import add_months
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Clinic,
    utcnow,
)
from portal.moderation import service
from tests.factories import clean_profile, make_clinic
from tests.helpers import (
    APPROVE,
    actions,
    decide,
    decisions_of,
    form_data,
    fresh,
    open_form,
    submit_new,
    text_of,
)

pytestmark = pytest.mark.usefixtures("compiled_templates")

# --- suspend and restore -------------------------------------------------------------------


def test_suspend_needs_a_reason_and_hides_the_listing(mod, client):
    clinic = make_clinic(clean_profile(name="Suspect Clinic"))
    page = f"/moderation/clinics/{clinic.id}"
    response = mod.submit(page, {"reason": " "}, action=f"{page}/suspend")
    assert response.status_code == 422
    assert "Write why the listing is suspended" in text_of(response)
    assert fresh(Clinic, clinic.id).status == "published"

    reason = "A patient reported that nobody monitors sessions."
    response = mod.submit(page, {"reason": reason}, action=f"{page}/suspend")
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert (clinic.status, clinic.suspended_reason) == ("suspended", reason)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.action, event.actor_id, event.detail) == (
        "clinic_suspended",
        mod.user.id,
        reason,
    )
    assert escape(reason) in text_of(mod.get(page))


def test_restore_needs_a_reason_and_shows_the_listing_again(mod, client):
    clinic = make_clinic()
    page = f"/moderation/clinics/{clinic.id}"
    mod.submit(page, {"reason": "Checking a report."}, action=f"{page}/suspend")
    response = mod.submit(page, {"reason": ""}, action=f"{page}/restore")
    assert response.status_code == 422
    assert fresh(Clinic, clinic.id).status == "suspended"
    response = mod.submit(page, {"reason": "The report was a mix-up."}, action=f"{page}/restore")
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert (clinic.status, clinic.suspended_reason) == ("published", None)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 200
    assert actions(clinic.id)[-2:] == ["clinic_suspended", "clinic_restored"]


def test_only_published_listings_can_be_suspended_and_only_suspended_restored(mod):
    pending = make_clinic(status="pending")
    published = make_clinic()
    response = mod.post(f"/moderation/clinics/{pending.id}/suspend", {"reason": "Test."})
    assert response.status_code == 409
    assert "Only a published listing can be suspended" in text_of(response)
    response = mod.post(f"/moderation/clinics/{published.id}/restore", {"reason": "Test."})
    assert response.status_code == 409
    assert fresh(Clinic, pending.id).status == "pending"
    assert fresh(Clinic, published.id).status == "published"


# --- the audit page ------------------------------------------------------------------------


def test_clinic_page_shows_status_revisions_verifications_and_audit(mod, staff):
    revision = submit_new(clean_profile(name="Audited Clinic"), manager=staff.user)
    decide(mod, revision.id, APPROVE)
    html = text_of(mod.get(f"/moderation/clinics/{revision.clinic_id}"))
    assert "Audited Clinic" in html and "Published" in html
    assert staff.user.email in html
    for text in ("Clinic created", "Submitted for review", "Approved and published"):
        assert text in html
    audit = html[html.index('id="audit-heading"') :]
    assert audit.index("Clinic created") < audit.index("Approved and published")
    assert mod.user.email in audit
    verifications = html[html.index('id="verifications-heading"') : html.index('id="audit"')]
    assert "Medical Board of California" in verifications
    assert f"/moderation/revisions/{revision.id}" in html
    assert 'action="/moderation/clinics/' in html and "Suspend listing" in html


# --- what patients see ---------------------------------------------------------------------


def test_expired_verification_shows_as_expired_on_the_listing(client, mod):
    verified = add_months(date.today(), -13)
    clinic = make_clinic(clean_profile(name="Lapsed Clinic"), verified_on=verified)
    html = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert "Verification expired" in html
    assert "Verified on" not in html
    assert "What the check covered" not in html
    assert "Lapsed Clinic" in text_of(mod.get("/moderation"))


def api_results(client, query: str) -> list[dict]:
    response = client.get(f"/api/v1/clinics?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["results"]


def test_expired_verification_drops_out_of_verified_search(client):
    today = date.today()
    lapsed = make_clinic(clean_profile(name="Lapsed Clinic"), verified_on=add_months(today, -13))
    current = make_clinic(
        clean_profile(name="Current Clinic"), verified_on=today - timedelta(days=10)
    )
    everyone = {row["id"]: row for row in api_results(client, "location=92101")}
    assert set(everyone) == {lapsed.id, current.id}
    assert everyone[lapsed.id]["verified"] is False
    assert everyone[current.id]["verified"] is True

    verified = api_results(client, "location=92101&verified=1")
    assert [row["id"] for row in verified] == [current.id]
    for row in verified:
        assert row["verified"] is True
        assert row["verification_expires"] > today.isoformat()
    assert "Verification expired" in text_of(client.get(f"/clinics/{lapsed.slug}"))


def test_sample_verifications_say_what_was_not_checked(client):
    clinic = make_clinic(clean_profile(name="Loader Clinic"))
    html = text_of(client.get(f"/clinics/{clinic.slug}"))
    coverage = html[html.index("What the check covered") :]
    assert "The medical licence was not checked" in coverage
    assert "The address was not checked" in coverage
    assert "The red flags were not reviewed by a moderator" in coverage


# --- the whole loop ------------------------------------------------------------------------


def staff_submits_new_clinic(staff, profile) -> Clinic:
    """Write a new clinic on the dashboard, save it, then submit the saved draft."""
    token, _ = open_form(staff, "/dashboard/clinics/new")
    response = staff.client.post(
        "/dashboard/clinics/new", data={**form_data(profile), "csrf_token": token}
    )
    assert response.status_code == 303, text_of(response)[:500]
    clinic_id = int(re.search(r"/dashboard/clinics/(\d+)/edit", response.headers["Location"])[1])
    staff_submits_draft(staff, clinic_id)
    return db.session.get(Clinic, clinic_id)


def staff_edits_and_submits(staff, clinic_id: int, profile) -> None:
    edit = f"/dashboard/clinics/{clinic_id}/edit"
    token, version = open_form(staff, edit)
    response = staff.client.post(
        edit, data={**form_data(profile), "version": version, "csrf_token": token}
    )
    assert response.status_code == 303, text_of(response)[:500]
    staff_submits_draft(staff, clinic_id)


def staff_submits_draft(staff, clinic_id: int) -> None:
    token, version = open_form(staff, f"/dashboard/clinics/{clinic_id}/edit")
    response = staff.client.post(
        f"/dashboard/clinics/{clinic_id}/submit", data={"csrf_token": token, "version": version}
    )
    assert response.status_code == 303, text_of(response)[:500]
    assert response.headers["Location"] == "/dashboard"


def test_full_loop_from_submission_to_rejected_edit(mod, staff, client):
    staff.login()
    profile = clean_profile(name="Loop Clinic", city="San Diego", zip="92101")
    clinic = staff_submits_new_clinic(staff, profile)
    clinic_id, draft_slug = clinic.id, clinic.slug
    [first] = service.pending_queue(utcnow())
    assert first.clinic_id == clinic_id and first.kind == "new"

    # Not public while it waits.
    assert client.get(f"/clinics/{draft_slug}").status_code == 404
    assert client.get(f"/api/v1/clinics/{clinic_id}").status_code == 404
    assert clinic_id not in [row["id"] for row in api_results(client, "location=92101")]
    assert "Loop Clinic" in text_of(mod.get("/moderation"))

    assert decide(mod, first.revision_id, APPROVE).status_code == 302
    slug = "loop-clinic"  # from the approved name; the draft's address never goes public
    assert client.get(f"/clinics/{draft_slug}").status_code == 404
    today = date.today()
    verified = f"Verified on {today:%B} {today.day}, {today.year}"
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic" in listing and verified in listing
    [found] = api_results(client, "location=92101&verified=1")
    assert (found["id"], found["name"]) == (clinic_id, "Loop Clinic")
    assert found["verified_at"] == today.isoformat()

    # The clinic edits; the public keeps seeing the approved version.
    staff_edits_and_submits(
        staff,
        clinic_id,
        dataclasses.replace(profile, name="Loop Clinic Deluxe", recovery_minutes=15),
    )
    [edit] = service.pending_queue(utcnow())
    assert edit.kind == "edit" and edit.name == "Loop Clinic Deluxe"
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic Deluxe" not in listing and "Loop Clinic" in listing
    assert [row["name"] for row in api_results(client, "location=92101")] == ["Loop Clinic"]

    reason = "Fifteen minutes of recovery is too short after esketamine; please check it."
    assert (
        decide(mod, edit.revision_id, {"decision": "reject", "reason": reason}).status_code == 302
    )
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic Deluxe" not in listing and verified in listing
    [found] = api_results(client, "location=92101")
    assert (found["id"], found["name"], found["verified"]) == (clinic_id, "Loop Clinic", True)

    # The clinic reads the reason on its dashboard.
    dashboard = text_of(staff.get("/dashboard"))
    assert str(escape(reason)) in dashboard

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.clinic_id == clinic_id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("clinic_created", staff.user.id),
        ("revision_submitted", staff.user.id),
        ("revision_approved", mod.user.id),
        ("revision_submitted", staff.user.id),
        ("revision_rejected", mod.user.id),
    ]
    assert events[-1].detail == reason
    assert actions(clinic_id) == [e.action for e in events]  # time order agrees with insert order


def test_control_characters_in_a_moderator_text_are_refused_not_stored(mod):
    """A NUL byte pasted into a reason is a clear 422 (PostgreSQL would refuse to store it)."""
    revision = submit_new()
    refused = decide(mod, revision.id, {**APPROVE, "notes": "checked\x00twice"})
    assert refused.status_code == 422
    assert "invisible control characters" in text_of(refused)
    assert decisions_of(revision.id) == []
    clinic = make_clinic()
    suspend = mod.submit(
        f"/moderation/clinics/{clinic.id}",
        {"reason": "closed\x00"},
        action=f"/moderation/clinics/{clinic.id}/suspend",
    )
    assert suspend.status_code == 422
    assert fresh(Clinic, clinic.id).status == "published"
