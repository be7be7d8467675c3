"""Two moderators deciding the same revision at the same moment: exactly one decision counts.

Each decision runs in its own thread with its own app context, session and
database connection, as two server workers would. On SQLite the writing
request's BEGIN IMMEDIATE makes the second wait; on PostgreSQL the clinic row
lock does; the unique decision per revision is the last guard behind both.
"""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from portal import listings
from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicRevision, ReviewDecision, User, Verification
from portal.moderation import service
from tests.conftest import csrf_token_from
from tests.factories import clean_profile, make_clinic
from tests.helpers import sign_in, submit_edit

CHECKLIST = listings.Checklist(
    npi_check_passed=True, address_plausible=True, answers_plausible=True, red_flags_reviewed=True
)
CHECKED_FORM = {
    "address_plausible": "y",
    "answers_plausible": "y",
    "red_flags_reviewed": "y",
}


def submit_new(name: str) -> ClinicRevision:
    clinic = listings.create_clinic(clean_profile(name=name), manager=None)
    revision = listings.submit_revision(clinic, user=None)
    db.session.commit()
    return revision


def decide_in_own_worker(app, revision_id, moderator_id, outcome, start, results):
    """One moderator's decision, as a separate worker handling a POST would run it."""
    url = f"/moderation/revisions/{revision_id}/decision"
    with app.test_request_context(url, method="POST"):
        start.wait(timeout=10)
        try:
            revision = db.session.get(ClinicRevision, revision_id)
            moderator = db.session.get(User, moderator_id)
            service.decide(
                revision, moderator, outcome, "Not what we can publish.", CHECKLIST, date.today()
            )
            db.session.commit()
            results.append(("decided", moderator_id, outcome))
        except service.AlreadyDecided as error:
            db.session.rollback()
            results.append(("refused", moderator_id, str(error)))
        except IntegrityError:
            db.session.rollback()
            results.append(("refused", moderator_id, "unique decision"))


@pytest.mark.parametrize("second_outcome", ["approve", "reject"])
def test_racing_decisions_leave_exactly_one(app, make_actor, second_outcome):
    first = make_actor("moderator", email="first@mod.example").user
    second = make_actor("moderator", email="second@mod.example").user
    for round_number in range(3):
        revision = submit_new(f"Raced Clinic {second_outcome} {round_number}")
        clinic_id = revision.clinic_id
        db.session.commit()  # end this thread's read, as a finished request would
        start, results = threading.Barrier(2), []
        workers = [
            threading.Thread(
                target=decide_in_own_worker,
                args=(app, revision.id, moderator.id, outcome, start, results),
            )
            for moderator, outcome in ((first, "approve"), (second, second_outcome))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert not any(worker.is_alive() for worker in workers)

        assert sorted(result[0] for result in results) == ["decided", "refused"], results
        [winner] = [result for result in results if result[0] == "decided"]
        [loser] = [result for result in results if result[0] == "refused"]
        winner_email = first.email if winner[1] == first.id else second.email
        if loser[2] != "unique decision":
            assert f"already decided by {winner_email}" in loser[2]

        db.session.rollback()  # a new read: see what the workers committed
        [decision] = db.session.scalars(
            select(ReviewDecision).where(ReviewDecision.revision_id == revision.id)
        ).all()
        assert (decision.moderator_id, decision.outcome) == (winner[1], winner[2])
        clinic = db.session.get(Clinic, clinic_id)
        verifications = db.session.scalar(
            select(func.count())
            .select_from(Verification)
            .where(Verification.clinic_id == clinic_id)
        )
        decided_events = db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.clinic_id == clinic_id,
                AuditEvent.action.in_(("revision_approved", "revision_rejected")),
            )
        ).all()
        if winner[2] == "approve":
            assert clinic.status == "published"
            assert verifications == 1
            assert decided_events == ["revision_approved"]
        else:
            assert clinic.status == "rejected"
            assert verifications == 0
            assert decided_events == ["revision_rejected"]


def test_racing_requests_through_the_app(app, make_actor):
    """Two signed-in moderators press "Record decision" at once: one 302, one 409."""
    actors = [sign_in(make_actor("moderator")), sign_in(make_actor("moderator"))]
    revision = submit_new("Clicked Twice Clinic")
    page = f"/moderation/revisions/{revision.id}"
    forms = []
    for actor, outcome in zip(actors, ("approve", "request_changes"), strict=True):
        token = csrf_token_from(actor.get(page).get_data(as_text=True))
        forms.append(
            {**CHECKED_FORM, "decision": outcome, "reason": "Please add a phone number."}
            | {"csrf_token": token}
        )
    db.session.commit()
    start, statuses = threading.Barrier(2), {}

    def press(index):
        start.wait(timeout=10)
        response = actors[index].client.post(f"{page}/decision", data=forms[index])
        statuses[index] = (response.status_code, response.get_data(as_text=True))

    workers = [threading.Thread(target=press, args=(index,)) for index in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    codes = sorted(code for code, _ in statuses.values())
    assert codes == [302, 409], codes
    [conflict] = [html for code, html in statuses.values() if code == 409]
    assert "Your decision was not recorded" in conflict
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ReviewDecision)
            .where(ReviewDecision.revision_id == revision.id)
        )
        == 1
    )


@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("TEST_DATABASE_URL") or ""),
    reason="row locks are a PostgreSQL feature; SQLite serialises writers with BEGIN IMMEDIATE",
)
def test_a_decision_holds_the_clinic_row_until_it_commits(app, make_actor):
    """Rejecting an edit writes no clinic column, so only the explicit lock holds the row."""
    moderator = make_actor("moderator").user
    clinic = make_clinic()
    revision = submit_edit(clinic, name="Edited")
    clinic_id = clinic.id
    service.decide(revision, moderator, "reject", "No.", listings.Checklist(), date.today())
    other = db.engine.connect()
    try:
        with pytest.raises(OperationalError, match="lock"):
            other.execute(
                text("SELECT id FROM clinics WHERE id = :id FOR UPDATE NOWAIT"), {"id": clinic_id}
            )
    finally:
        other.rollback()
        other.close()
        db.session.rollback()
