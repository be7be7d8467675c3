"""Moderators decide on revisions: approve and verify, reject, ask for changes, and races."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal import listings
from portal.dates import add_months
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Clinic,
    ReviewDecision,
    Verification,
    utcnow,
)
from portal.moderation import service
from tests.factories import clean_profile, make_clinic
from tests.helpers import (
    APPROVE,
    CHECKED,
    actions,
    decide,
    decisions_of,
    fresh,
    sign_in,
    submit_edit,
    submit_new,
    text_of,
)

pytestmark = pytest.mark.usefixtures("compiled_templates")

# --- decisions -----------------------------------------------------------------------------


def test_approval_needs_the_checklist(mod, client):
    revision = submit_new(clean_profile(name="Unchecked Clinic"))
    data = dict(APPROVE, answers_plausible="", red_flags_reviewed="")
    response = decide(mod, revision.id, data)
    assert response.status_code == 422
    html = text_of(response)
    assert "the answers are plausible and the red flags were reviewed" in html
    assert html.count("Tick this once you have checked it.") == 2
    # What the moderator typed is still there.
    assert "Medical Board of California look-up" in html
    assert re.search(r'<input[^>]* checked id="address_plausible"', html)
    assert not re.search(r'<input[^>]* checked id="answers_plausible"', html)
    assert decisions_of(revision.id) == []
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "pending"
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404


def test_a_decision_must_be_chosen(mod):
    revision = submit_new()
    response = decide(mod, revision.id, CHECKED)
    assert response.status_code == 422
    assert "Choose approve, ask for changes or reject." in text_of(response)
    assert decisions_of(revision.id) == []


def test_approval_publishes_and_verifies_for_twelve_months(mod, client):
    revision = submit_new(clean_profile(name="Approved Clinic"))
    response = decide(mod, revision.id, dict(APPROVE, notes="Called the clinic."))
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    today = date.today()
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "published"
    assert clinic.published_revision_id == revision.id
    assert (clinic.lat, clinic.lng) == (32.7185, -117.1593)
    assert clinic.verified_at == today
    assert clinic.verification_expires == add_months(today, 12)
    [decision] = decisions_of(revision.id)
    assert (decision.outcome, decision.moderator_id) == ("approve", mod.user.id)
    [verification] = db.session.scalars(
        select(Verification).where(Verification.clinic_id == clinic.id)
    ).all()
    assert verification.moderator_id == mod.user.id
    assert verification.npi_check_passed is True
    assert (verification.licence_state, verification.licence_number) == ("CA", "A123456")
    assert verification.licence_checked_how.startswith("Medical Board of California")
    assert verification.address_plausible and verification.answers_plausible
    assert verification.red_flags_reviewed
    assert verification.notes == "Called the clinic."
    assert actions(clinic.id)[-1] == "revision_approved"

    listing = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert f"Verified on {today:%B} {today.day}, {today.year}" in listing
    coverage = listing[listing.index("What the check covered") :]
    assert "The provider number (NPI) passed its check-digit test" in coverage
    assert "The CA licence A123456 was checked" in coverage
    assert "The address and map position were checked" in coverage
    assert "The answers were checked for consistency" in coverage
    assert "A moderator reviewed the red flags" in coverage


def test_verification_months_come_from_config(app, mod):
    app.config["VERIFICATION_MONTHS"] = 6
    revision = submit_new()
    assert decide(mod, revision.id, APPROVE).status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.verification_expires == add_months(date.today(), 6)


def test_approval_is_refused_when_the_address_cannot_be_placed(mod):
    revision = submit_new(clean_profile(city="Nowhereville", zip="00000"))
    response = decide(mod, revision.id, APPROVE)
    assert response.status_code == 422
    assert "could not be placed on the map" in text_of(response)
    assert decisions_of(revision.id) == []


@pytest.mark.parametrize("outcome", ["reject", "request_changes"])
def test_reject_and_request_changes_need_a_message(mod, outcome):
    revision = submit_new()
    response = decide(mod, revision.id, {"decision": outcome, "reason": "   "})
    assert response.status_code == 422
    assert 'id="reason-error"' in text_of(response)
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, revision.clinic_id).status == "pending"


def test_rejecting_a_new_clinic_stores_the_reason(mod, client):
    revision = submit_new(clean_profile(name="Rejected Clinic"))
    reason = "We could not find this licence with the state board."
    assert decide(mod, revision.id, {"decision": "reject", "reason": reason}).status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "rejected"
    [decision] = decisions_of(revision.id)
    assert (decision.outcome, decision.reason) == ("reject", reason)
    assert actions(clinic.id)[-1] == "revision_rejected"
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.actor_id, event.detail, event.revision_id) == (mod.user.id, reason, revision.id)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Verification)) == 0


def test_asking_a_new_clinic_for_changes_sends_it_back_to_draft(mod, staff):
    revision = submit_new(manager=staff.user)
    message = "Please state how long patients stay after a session."
    response = decide(mod, revision.id, {"decision": "request_changes", "reason": message})
    assert response.status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "draft"
    assert decisions_of(revision.id)[0].reason == message
    assert actions(clinic.id)[-1] == "changes_requested"
    # The clinic can edit and send it again.
    again = submit_edit(clinic, user=staff.user, recovery_minutes=90)
    assert fresh(Clinic, clinic.id).status == "pending"
    assert [i.revision_id for i in service.pending_queue(utcnow())] == [again.id]


@pytest.mark.parametrize("outcome", ["reject", "request_changes"])
def test_turning_down_an_edit_keeps_the_published_listing(mod, client, outcome):
    clinic = make_clinic(clean_profile(name="Steady Clinic"))
    revision = submit_edit(clinic, name="Risky Rename", recovery_minutes=10)
    response = decide(mod, revision.id, {"decision": outcome, "reason": "Please explain."})
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert clinic.status == "published"
    assert clinic.name == "Steady Clinic"
    listing = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert "Steady Clinic" in listing and "Risky Rename" not in listing


def test_approving_an_edit_publishes_the_new_version(mod, client):
    clinic = make_clinic(clean_profile(name="Old Name Clinic"))
    revision = submit_edit(clinic, name="New Name Clinic")
    assert decide(mod, revision.id, APPROVE).status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert clinic.name == "New Name Clinic"
    assert clinic.published_revision_id == revision.id
    assert "New Name Clinic" in text_of(client.get(f"/clinics/{clinic.slug}"))


def test_a_replaced_revision_cannot_be_decided(mod):
    clinic = make_clinic()
    replaced = submit_edit(clinic, name="First Try")
    latest = submit_edit(clinic, name="Second Try")
    response = mod.post(f"/moderation/revisions/{replaced.id}/decision", APPROVE)
    assert response.status_code == 409
    assert f"newer revision (number {latest.number})" in text_of(response)
    assert decisions_of(replaced.id) == []
    assert fresh(Clinic, clinic.id).name != "First Try"


def test_two_moderators_cannot_both_decide(make_actor, client):
    first = sign_in(make_actor("moderator", email="first@mod.example"))
    second = sign_in(make_actor("moderator", email="second@mod.example"))
    revision = submit_new(clean_profile(name="Contested Clinic"))
    url = f"/moderation/revisions/{revision.id}"
    first_page, second_page = first.get(url), second.get(url)
    assert 'name="decision"' in text_of(first_page) and 'name="decision"' in text_of(second_page)
    from tests.conftest import csrf_token_from

    won = first.client.post(
        f"{url}/decision",
        data={**APPROVE, "csrf_token": csrf_token_from(text_of(first_page))},
    )
    lost = second.client.post(
        f"{url}/decision",
        data={
            "decision": "reject",
            "reason": "Looks wrong to me.",
            "csrf_token": csrf_token_from(text_of(second_page)),
        },
    )
    assert won.status_code == 302
    assert lost.status_code == 409
    html = text_of(lost)
    assert "already decided by first@mod.example" in html
    assert "Your decision was not recorded" in html
    assert "Looks wrong to me." in html  # what they typed is shown so they can copy it
    [decision] = decisions_of(revision.id)
    assert (decision.moderator_id, decision.outcome) == (first.user.id, "approve")
    assert fresh(Clinic, revision.clinic_id).status == "published"


def test_the_unique_decision_is_the_last_guard(mod, make_actor, monkeypatch):
    """If both checks were passed in a race, the database's unique key still refuses (409)."""
    other = make_actor("moderator", email="other@mod.example")
    revision = submit_new()
    db.session.add(
        ReviewDecision(revision_id=revision.id, moderator_id=other.user.id, outcome="approve")
    )
    db.session.commit()

    def decide_after_losing_the_race(revision, moderator, outcome, reason, checklist, today, **kw):
        db.session.add(
            ReviewDecision(
                revision_id=revision.id, moderator_id=moderator.id, outcome=outcome, reason=reason
            )
        )
        db.session.flush()

    monkeypatch.setattr(service, "decide", decide_after_losing_the_race)
    response = mod.post(f"/moderation/revisions/{revision.id}/decision", APPROVE)
    assert response.status_code == 409
    assert "already decided by other@mod.example" in text_of(response)
    [decision] = decisions_of(revision.id)
    assert decision.moderator_id == other.user.id


def test_the_service_refuses_anyone_but_a_moderator(app, staff):
    revision = submit_new()
    with pytest.raises(service.NotAModerator):
        service.decide(revision, staff.user, "reject", "No.", listings.Checklist(), date.today())
    clinic = make_clinic()
    with pytest.raises(service.NotAModerator):
        service.suspend(clinic, staff.user, "No.")
    db.session.rollback()
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, clinic.id).status == "published"


def test_decision_history_rows_cannot_be_changed(app, mod):
    revision = submit_new()
    assert decide(mod, revision.id, APPROVE).status_code == 302
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    for model in (ReviewDecision, Verification):
        row_id = db.session.scalar(select(model.id).limit(1))
        for statement in (
            update(model).where(model.id == row_id).values(id=row_id),
            delete(model).where(model.id == row_id),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()
