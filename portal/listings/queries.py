"""Read-only questions about a listing: its revisions' states and who manages it.

One answer to "is this revision waiting, replaced or decided" (`state_of`) and
one to "does this user manage this clinic" (`managed_clinic`), used by the
dashboard, moderation and the operations alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal import vocab
from portal.extensions import db
from portal.models import Clinic, ClinicManager, ClinicRevision, ReviewDecision, User
from portal.profile import Profile

# Ids beyond a 32-bit integer cannot exist, and the databases refuse to compare with them.
MAX_ID = 2**31 - 1


# --- who manages a clinic ------------------------------------------------------------------


def managed_clinic(user: User, clinic_id: int) -> Clinic | None:
    """The clinic, only if `user` manages it: others' clinics look like missing ones."""
    if user is None or not 0 < clinic_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Clinic)
        .join(ClinicManager, ClinicManager.clinic_id == Clinic.id)
        .where(Clinic.id == clinic_id, ClinicManager.user_id == user.id)
    )


def manages(user: User, clinic_id: int) -> bool:
    return managed_clinic(user, clinic_id) is not None


def managed_clinics(user: User) -> list[Clinic]:
    return list(
        db.session.scalars(
            select(Clinic)
            .join(ClinicManager, ClinicManager.clinic_id == Clinic.id)
            .where(ClinicManager.user_id == user.id)
            .order_by(Clinic.name, Clinic.id)
        )
    )


# --- revisions -----------------------------------------------------------------------------


def state_of(
    revision: ClinicRevision, decision: ReviewDecision | None, newest_id: int | None
) -> str:
    """`decided`, `replaced` (a newer revision came in) or `pending`: the one definition."""
    if decision is not None:
        return "decided"
    return "pending" if newest_id in (None, revision.id) else "replaced"


def latest_revision(clinic: Clinic) -> ClinicRevision | None:
    return db.session.scalar(
        select(ClinicRevision)
        .where(ClinicRevision.clinic_id == clinic.id)
        .order_by(ClinicRevision.number.desc())
        .limit(1)
    )


def decision_of(revision: ClinicRevision) -> ReviewDecision | None:
    """The revision's decision, read from the database (not a cached relationship)."""
    return db.session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.revision_id == revision.id)
        .execution_options(populate_existing=True)
    )


def revision_state(revision: ClinicRevision) -> str:
    """The state of one revision, read from the database now."""
    latest = latest_revision(revision.clinic)
    return state_of(revision, decision_of(revision), latest.id if latest else None)


def pending_revision(clinic: Clinic) -> ClinicRevision | None:
    """The revision awaiting review: the newest one, if nobody decided it yet."""
    revision = latest_revision(clinic)
    if revision is not None and revision.decision is None:
        return revision
    return None


@dataclass(frozen=True)
class RevisionRow:
    revision: ClinicRevision
    decision: ReviewDecision | None
    state: str  # pending, replaced, decided


def revision_history(clinic: Clinic) -> list[RevisionRow]:
    """Every revision of a clinic, newest first, with its decision or why it has none."""
    revisions = list(
        db.session.scalars(
            select(ClinicRevision)
            .where(ClinicRevision.clinic_id == clinic.id)
            .order_by(ClinicRevision.number.desc())
        )
    )
    decisions = {
        d.revision_id: d
        for d in db.session.scalars(
            select(ReviewDecision).where(
                ReviewDecision.revision_id.in_([r.id for r in revisions] or [0])
            )
        )
    }
    newest = revisions[0].id if revisions else None
    return [
        RevisionRow(r, decisions.get(r.id), state_of(r, decisions.get(r.id), newest))
        for r in revisions
    ]


# --- where the listing stands for its staff ------------------------------------------------


def working_profile(clinic: Clinic) -> Profile:
    """What the clinic's form should show: the draft, else the approved profile."""
    if clinic.draft is not None:
        return clinic.draft.profile
    return clinic.profile


@dataclass(frozen=True)
class WorkflowStatus:
    """Where a clinic's listing stands: what its staff see on their dashboard."""

    code: str  # a key of vocab.WORKFLOW_STATUS
    is_public: bool  # patients see the last approved version
    latest: ClinicRevision | None
    last_decision: ReviewDecision | None
    unsubmitted_changes: bool  # the working copy differs from the latest submission

    @property
    def label(self) -> str:
        return vocab.WORKFLOW_STATUS[self.code]


# A decided newest revision's outcome, as the dashboard names the listing's state.
OUTCOME_STATE = {
    "approve": "published",
    "reject": "rejected",
    "request_changes": "changes_requested",
}


def workflow_status(clinic: Clinic) -> WorkflowStatus:
    """The state of the newest submission, the last decision, and whether edits wait unsent.

    Read from the revisions and their decisions rather than `Clinic.status`, which
    describes the public listing: a published clinic can have an edit pending.
    """
    revisions = clinic.revisions
    latest = revisions[-1] if revisions else None
    decided = [revision.decision for revision in revisions if revision.decision is not None]
    last_decision = max(decided, key=lambda d: (d.decided_at, d.id), default=None)
    if clinic.status == "suspended":
        code = "suspended"
    elif latest is None:
        code = "draft"
    elif state_of(latest, latest.decision, latest.id) == "pending":
        code = "pending"
    else:
        code = OUTCOME_STATE.get(latest.decision.outcome, "changes_requested")
    return WorkflowStatus(
        code=code,
        is_public=clinic.status == "published",
        latest=latest,
        last_decision=last_decision,
        unsubmitted_changes=latest is None or latest.profile != working_profile(clinic),
    )
