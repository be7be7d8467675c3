"""The transition table, row by row: every allowed move and every refused one.

Through the operations layer (portal.listings.operations) and through the HTTP
routes a person uses; a refused move answers 409 and changes nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.listings import lifecycle, operations, queries, signals
from portal.listings.checklist import Checklist
from portal.listings.errors import AlreadyDecided, IllegalTransition, NothingToSubmit
from portal.listings.lifecycle import TRANSITIONS, ListingStatus
from portal.models import AuditEvent, Clinic, ClinicRevision, utcnow
from tests.factories import clean_profile, make_clinic, make_user
from tests.helpers import APPROVE, decide, sign_in, snapshot

SAN_DIEGO = (32.7185, -117.1593)
TICKED = Checklist(address_plausible=True, answers_plausible=True, red_flags_reviewed=True)


def reread(clinic: Clinic) -> Clinic:
    db.session.expire_all()
    return db.session.get(Clinic, clinic.id)


def clinic_in(status: ListingStatus, *, manager=None, moderator=None) -> Clinic:
    """A clinic brought to `status` through the operations, as people would."""
    if status in (ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.PUBLISHED):
        return make_clinic(status=status.value, manager=manager)
    moderator = moderator or make_user("moderator")
    if status is ListingStatus.REJECTED:
        clinic = make_clinic(status="pending", manager=manager)
        revision = queries.pending_revision(clinic)
        operations.decide(revision, moderator, "reject", "Not a clinic.", Checklist(), date.today())
    else:
        clinic = make_clinic(status="published", manager=manager)
        operations.suspend(clinic, moderator, "Complaint under review.")
    db.session.commit()
    return reread(clinic)


def pending_edit(clinic: Clinic, manager) -> ClinicRevision:
    """A new revision waiting for review (an edit of a published or suspended listing)."""
    profile = dataclasses.replace(queries.working_profile(clinic), cost_notes="New prices soon.")
    operations.save_draft(clinic, profile, expected_version=None, user=manager)
    return operations.submit_revision(clinic, user=manager)


def perform(action: str, clinic: Clinic, manager, moderator) -> None:
    """Ask the operations layer for `action` on the clinic."""
    if action == "save_draft":
        profile = dataclasses.replace(queries.working_profile(clinic), cost_notes="Changed.")
        operations.save_draft(clinic, profile, expected_version=None, user=manager)
    elif action == "submit":
        pending_edit(clinic, manager)
    elif action in ("approve", "reject", "request_changes"):
        revision = queries.pending_revision(clinic) or pending_edit(clinic, manager)
        operations.decide(
            revision,
            moderator,
            action,
            "" if action == "approve" else "Please check the prices.",
            TICKED,
            date.today(),
            locate=lambda _profile: SAN_DIEGO,
        )
    elif action == "suspend":
        operations.suspend(clinic, moderator, "Complaint under review.")
    elif action == "restore":
        operations.restore(clinic, moderator, "Checked: all fine.")
    elif action == "confirm":
        operations.confirm_still_accurate(clinic.id, manager, utcnow())


ALLOWED = [row for row in TRANSITIONS if row.source is not None]
REFUSED = [
    (action, status)
    for action in lifecycle.ACTIONS
    if action != "create"
    for status in ListingStatus
    if lifecycle.target(action, status) is None
]


def test_every_status_and_action_is_in_the_table_once():
    keys = [(row.action, row.source) for row in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert {row.target for row in TRANSITIONS} == set(ListingStatus)
    assert set(signals.SIGNALS) == set(lifecycle.ACTIONS)


def test_create_starts_a_draft_and_announces_it(app):
    heard = []

    def listen(sender, **_extra):
        heard.append(sender)

    signals.created.connect(listen)
    try:
        clinic = operations.create_clinic(clean_profile(), manager=None)
    finally:
        signals.created.disconnect(listen)
    assert clinic.status == ListingStatus.DRAFT
    assert heard == [clinic]


@pytest.mark.parametrize("row", ALLOWED, ids=lambda r: f"{r.action}-from-{r.source}")
def test_each_allowed_transition_through_the_operations(app, row):
    manager, moderator = make_user(), make_user("moderator")
    clinic = clinic_in(row.source, manager=manager, moderator=moderator)
    heard = []

    def listen(sender, **extra):
        heard.append((sender.id, extra["actor"]))

    signals.SIGNALS[row.action].connect(listen)
    try:
        perform(row.action, clinic, manager, moderator)
    finally:
        signals.SIGNALS[row.action].disconnect(listen)
    db.session.commit()
    assert reread(clinic).status == row.target
    actor = moderator if row.action in ("approve", "reject", "request_changes") else None
    assert heard[-1][0] == clinic.id
    assert actor is None or heard[-1][1] == actor


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=lambda v: str(v))
def test_each_refused_transition_through_the_operations(app, action, status):
    manager, moderator = make_user(), make_user("moderator")
    clinic = clinic_in(status, manager=manager, moderator=moderator)
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.check(clinic, action)
    assert refused.value.status == 409
    assert vocab_word(status) in str(refused.value)
    before = snapshot()
    if action in ("suspend", "restore", "confirm"):
        with pytest.raises(IllegalTransition):
            perform(action, clinic, manager, moderator)
        db.session.rollback()
    assert snapshot() == before
    assert reread(clinic).status == status


def vocab_word(status: ListingStatus) -> str:
    return status.label.lower()


def test_approving_a_draft_is_refused_and_changes_nothing(app):
    moderator, manager = make_user("moderator"), make_user()
    clinic = make_clinic(status="pending", manager=manager)
    revision = queries.pending_revision(clinic)
    operations.decide(revision, moderator, "request_changes", "Add prices.", TICKED, date.today())
    db.session.commit()
    assert reread(clinic).status == ListingStatus.DRAFT
    before = snapshot()
    with pytest.raises(AlreadyDecided):  # the revision is no longer waiting
        operations.decide(revision, moderator, "approve", "", TICKED, date.today())
    db.session.rollback()
    with pytest.raises(IllegalTransition):  # and the table refuses it outright
        operations.publish_revision(
            db.session.get(ClinicRevision, revision.id),
            moderator=moderator,
            today=date.today(),
            checklist=TICKED,
            coordinates=SAN_DIEGO,
        )
    db.session.rollback()
    assert snapshot() == before


def test_submitting_the_waiting_version_again_is_refused(app):
    manager = make_user()
    clinic = make_clinic(status="pending", manager=manager)
    before = snapshot()
    with pytest.raises(NothingToSubmit):
        operations.submit_for_review(clinic, user=manager, seen_version=clinic.draft.version)
    db.session.rollback()
    assert snapshot() == before


# --- through HTTP ----------------------------------------------------------------------------


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_restoring_a_published_listing_answers_409_and_changes_nothing(moderator):
    clinic = make_clinic(status="published")
    sign_in(moderator)
    before = snapshot()
    response = moderator.submit(
        f"/moderation/clinics/{clinic.id}",
        {"reason": "Looks fine."},
        action=f"/moderation/clinics/{clinic.id}/restore",
    )
    assert response.status_code == 409
    assert "Only a suspended listing can be restored" in response.get_data(as_text=True)
    assert snapshot() == before


def test_suspending_a_suspended_listing_answers_409_and_changes_nothing(moderator):
    clinic = clinic_in(ListingStatus.SUSPENDED)
    sign_in(moderator)
    before = snapshot()
    response = moderator.submit(
        f"/moderation/clinics/{clinic.id}",
        {"reason": "Again."},
        action=f"/moderation/clinics/{clinic.id}/suspend",
    )
    assert response.status_code == 409
    assert "Only a published listing can be suspended" in response.get_data(as_text=True)
    assert snapshot() == before


def test_confirming_a_draft_answers_409_and_changes_nothing(staff):
    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    before = snapshot()
    response = staff.submit("/dashboard", action=f"/dashboard/clinics/{clinic.id}/confirm")
    assert response.status_code == 409
    assert "nothing public to confirm" in response.get_data(as_text=True)
    assert snapshot() == before


def test_deciding_a_decided_revision_answers_409_and_changes_nothing(moderator):
    clinic = make_clinic(status="pending")
    revision = queries.pending_revision(clinic)
    sign_in(moderator)
    assert decide(moderator, revision.id, APPROVE).status_code in (302, 303)
    assert reread(clinic).status == ListingStatus.PUBLISHED
    before, audit = snapshot(), _audit_count()
    response = decide(moderator, revision.id, {**APPROVE, "decision": "reject", "reason": "No."})
    assert response.status_code == 409
    assert "already decided" in response.get_data(as_text=True)
    assert snapshot() == before and _audit_count() == audit


def test_submitting_the_waiting_version_again_over_http_changes_nothing(staff):
    clinic = make_clinic(status="pending", manager=staff.user)
    staff.login()
    before = snapshot()
    page = staff.client.get(f"/dashboard/clinics/{clinic.id}/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = staff.submit(
        f"/dashboard/clinics/{clinic.id}/edit",
        {"version": version},
        action=f"/dashboard/clinics/{clinic.id}/submit",
    )
    assert response.status_code == 409  # the form again, told why
    assert "already waiting for review" in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_illegal_transition_nobody_caught_is_a_409_page(app, client):
    """The app-wide handler: a refused move escaping a view still answers 409, not 500."""

    @app.get("/test-illegal")
    def illegal():
        raise IllegalTransition("A listing that is draft cannot be changed that way (restore).")

    response = client.get("/test-illegal")
    assert response.status_code == 409
    assert "cannot be changed that way" in response.get_data(as_text=True)
