"""Moderators' work: the queue, what changed, decisions, suspensions and the audit trail.

Plain functions over the session, like portal.listings: they take the acting
moderator and today's date as arguments, flush but never commit, and raise a
`ModerationError` when a rule is broken. Decisions and suspensions lock the
clinic row first, so two moderators acting at once run one after the other and
the second one sees the first one's decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from portal import listings, vocab
from portal.care_text import record_text
from portal.credentials import npi_check
from portal.extensions import db
from portal.geo import GeocodingError, OfflineGeocoder, Place, miles_between
from portal.models import (
    AuditEvent,
    Clinic,
    ClinicManager,
    ClinicRevision,
    ReviewDecision,
    User,
    Verification,
)
from portal.places import clinic_coordinates
from portal.profile import (
    FIELD_LABELS,
    LIST_FIELDS,
    LIST_VOCABULARIES,
    PROFILE_FIELDS,
    RECORD_FIELDS,
    Profile,
)
from portal.vetting import Flag, red_flags

EXPIRY_WARNING_DAYS = 30

# What each audit action means, in a moderator's words. Unknown actions show their code.
AUDIT_ACTIONS: dict[str, str] = {
    "clinic_created": "Clinic created",
    "revision_submitted": "Submitted for review",
    "revision_approved": "Approved and published",
    "revision_rejected": "Rejected",
    "changes_requested": "Changes requested",
    "clinic_suspended": "Listing suspended",
    "clinic_restored": "Listing restored",
    "listing_confirmed": "Confirmed as still accurate",
    "problem_reported": "Problem reported by a patient",
    "report_resolved": "Problem report resolved",
}

# The checklist boxes a moderator must tick before approving, with what each one means.
APPROVAL_CHECKS: dict[str, str] = {
    "address_plausible": "the address and map position are plausible",
    "answers_plausible": "the answers are plausible",
    "red_flags_reviewed": "the red flags were reviewed",
}

# Fields whose stored value is a code; the diff shows their labels.
CODE_FIELDS: dict[str, dict[str, str]] = {
    "director_discipline": vocab.DIRECTOR_DISCIPLINES,
    "session_monitor": vocab.SESSION_MONITORS,
    "therapy": vocab.THERAPY,
    "telehealth_evaluation": vocab.TELEHEALTH_EVALUATIONS,
    "remote_companion": vocab.REMOTE_COMPANIONS,
}


class ModerationError(Exception):
    """A moderation rule was broken; the message is safe to show."""

    status = 422
    field: str | None = None


class AlreadyDecided(ModerationError):
    """Someone decided this revision first (or a newer one replaced it)."""

    status = 409


class ReasonRequired(ModerationError):
    field = "reason"


class ChecklistIncomplete(ModerationError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "Before approving, confirm that "
            + _join_and([APPROVAL_CHECKS[name] for name in missing])
            + ". Tick each box once you have checked it."
        )


class CannotLocate(ModerationError):
    pass


class WrongListingState(ModerationError):
    status = 409


class NotAModerator(ModerationError):
    status = 403


def _require_moderator(user: User) -> None:
    if user is None or not user.is_moderator:
        raise NotAModerator("Only moderators can decide on listings.")


class OwnClinic(ModerationError):
    status = 403


def _require_independent(moderator: User, clinic_id: int) -> None:
    """A moderator who also manages the clinic (a promoted staff account) may not judge it."""
    manages = db.session.scalar(
        select(ClinicManager.clinic_id).where(
            ClinicManager.user_id == moderator.id, ClinicManager.clinic_id == clinic_id
        )
    )
    if manages is not None:
        raise OwnClinic(
            "Your account also manages this clinic, so another moderator has to decide on it."
        )


def _join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- the queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue: enough to recognise the submission without loading it."""

    revision_id: int
    number: int
    kind: str
    submitted_at: datetime
    clinic_id: int
    name: str
    city: str
    state: str
    waited: timedelta


def pending_queue(now: datetime) -> list[QueueItem]:
    """Every clinic's newest revision that nobody decided yet, the longest-waiting first."""
    newer = aliased(ClinicRevision)
    is_newest = ~exists().where(
        newer.clinic_id == ClinicRevision.clinic_id, newer.number > ClinicRevision.number
    )
    undecided = ~exists().where(ReviewDecision.revision_id == ClinicRevision.id)
    rows = db.session.execute(
        select(
            ClinicRevision.id,
            ClinicRevision.number,
            ClinicRevision.kind,
            ClinicRevision.submitted_at,
            ClinicRevision.clinic_id,
            ClinicRevision.data["name"].as_string().label("name"),
            ClinicRevision.data["city"].as_string().label("city"),
            ClinicRevision.data["state"].as_string().label("state"),
            Clinic.name.label("clinic_name"),
        )
        .join(Clinic, Clinic.id == ClinicRevision.clinic_id)
        .where(is_newest, undecided)
        .order_by(ClinicRevision.submitted_at, ClinicRevision.id)
    ).all()
    return [
        QueueItem(
            revision_id=row.id,
            number=row.number,
            kind=row.kind,
            submitted_at=row.submitted_at,
            clinic_id=row.clinic_id,
            name=row.name or row.clinic_name,
            city=row.city or "",
            state=row.state or "",
            waited=now - row.submitted_at,
        )
        for row in rows
    ]


def expiring_listings(today: date, within_days: int = EXPIRY_WARNING_DAYS) -> list[Clinic]:
    """Published listings whose verification has run out or runs out within `within_days`."""
    return list(
        db.session.scalars(
            select(Clinic)
            .where(
                Clinic.status == "published",
                Clinic.verification_expires <= today + timedelta(days=within_days),
            )
            .order_by(Clinic.verification_expires, Clinic.name)
        )
    )


def waited_text(waited: timedelta) -> str:
    """How long something waited, in the unit a person would use."""
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return "less than an hour" if minutes < 1 else _plural(minutes, "minute")
    hours = minutes // 60
    if hours < 48:
        return _plural(hours, "hour")
    return _plural(hours // 24, "day")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


# --- one revision --------------------------------------------------------------------------


def revision_state(revision: ClinicRevision) -> str:
    """`decided`, `replaced` (a newer revision came in) or `pending`."""
    if decision_of(revision) is not None:
        return "decided"
    latest = listings.latest_revision(revision.clinic)
    if latest is not None and latest.id != revision.id:
        return "replaced"
    return "pending"


def decision_of(revision: ClinicRevision) -> ReviewDecision | None:
    """The revision's decision, read from the database (not a cached relationship)."""
    return db.session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.revision_id == revision.id)
        .execution_options(populate_existing=True)
    )


def base_profile(revision: ClinicRevision) -> Profile | None:
    """What an edit would replace: the listing patients see now (None for a new clinic)."""
    clinic = revision.clinic
    if revision.kind == "new" or clinic.published_revision_id is None:
        return None
    return clinic.profile


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.name in LIST_FIELDS


def display_value(name: str, value) -> str:
    """One answer as a moderator reads it: labels for codes, Yes/No, "Not stated"."""
    if name in LIST_FIELDS:
        vocabulary = LIST_VOCABULARIES[name]
        return ", ".join(vocab.label(vocabulary, code) for code in value) or "Not stated"
    if name in RECORD_FIELDS:
        return record_text(name, value)
    if name in CODE_FIELDS:
        return vocab.label(CODE_FIELDS[name], value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "Not stated"
    return str(value)


def profile_changes(old: Profile, new: Profile) -> list[FieldChange]:
    """Every field that differs, in form order; lists as added and removed labels."""
    changes = []
    for name in PROFILE_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        added = removed = ()
        if name in LIST_FIELDS:
            vocabulary = LIST_VOCABULARIES[name]
            added = tuple(vocab.label(vocabulary, c) for c in after if c not in before)
            removed = tuple(vocab.label(vocabulary, c) for c in before if c not in after)
        changes.append(
            FieldChange(
                name=name,
                label=FIELD_LABELS.get(name, name),
                old=display_value(name, before),
                new=display_value(name, after),
                added=added,
                removed=removed,
            )
        )
    return changes


def all_answers(profile: Profile) -> list[tuple[str, str]]:
    """Every answer of a new clinic as (label, value), in form order."""
    return [
        (FIELD_LABELS.get(name, name), display_value(name, getattr(profile, name)))
        for name in PROFILE_FIELDS
    ]


@dataclass(frozen=True)
class FlagReview:
    flag: Flag
    is_new: bool  # raised by this revision but not by the published version


def flag_review(revision: ClinicRevision) -> list[FlagReview]:
    """The red flags the rules raise on this revision; for an edit, which ones are new."""
    base = base_profile(revision)
    before = {flag.code for flag in red_flags(base)} if base is not None else set()
    return [
        FlagReview(flag, is_new=base is not None and flag.code not in before)
        for flag in red_flags(revision.profile)
    ]


@dataclass(frozen=True)
class AddressCheck:
    """Where the address lands on the map, beside what its ZIP code says."""

    stated_city: str
    stated_state: str
    position: tuple[float, float] | None
    zip_place: Place | None
    problem: str = ""

    @property
    def zip_matches(self) -> bool | None:
        """Whether the ZIP's own city and state are the ones the clinic wrote."""
        if self.zip_place is None:
            return None
        return self.zip_place.state == self.stated_state and (
            (self.zip_place.city or "").casefold() == self.stated_city.strip().casefold()
        )

    @property
    def miles_from_zip(self) -> float | None:
        if self.position is None or self.zip_place is None:
            return None
        return miles_between(*self.position, self.zip_place.lat, self.zip_place.lng)


def address_check(
    profile: Profile,
    locate: Callable[[Profile], tuple[float, float] | None],
    zip_table_path: str,
) -> AddressCheck:
    """Geocode the revision's address the way approval will, and look up its ZIP."""
    problem = ""
    try:
        position = locate(profile)
    except GeocodingError as error:
        position, problem = None, str(error)
    if position is None and not problem:
        problem = "The address could not be placed on the map."
    try:
        zip_place = OfflineGeocoder(zip_table_path).lookup_zip(profile.zip) if profile.zip else None
    except GeocodingError as error:
        zip_place, problem = None, problem or str(error)
    return AddressCheck(profile.city, profile.state, position, zip_place, problem)


# --- decisions -----------------------------------------------------------------------------


def lock_clinic(clinic_id: int) -> Clinic | None:
    """The clinic re-read and locked until commit (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writing requests)."""
    return db.session.scalar(
        select(Clinic)
        .where(Clinic.id == clinic_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def already_decided_message(revision: ClinicRevision) -> str:
    """Why a decision on this revision is refused: who decided it and when, or what replaced it."""
    decision = decision_of(revision)
    if decision is not None:
        who = decision.moderator.email if decision.moderator else "the sample data loader"
        return (
            f"This revision was already decided by {who} at "
            f"{decision.decided_at:%Y-%m-%d %H:%M} UTC "
            f"({vocab.DECISIONS[decision.outcome].lower()}). Your decision was not recorded."
        )
    latest = listings.latest_revision(revision.clinic)
    if latest is not None and latest.id != revision.id:
        return (
            f"The clinic sent a newer revision (number {latest.number}) that replaces this "
            "one. Your decision was not recorded; review the newer revision instead."
        )
    return "This revision is no longer waiting for a decision. Your decision was not recorded."


def decide(
    revision: ClinicRevision,
    moderator: User,
    outcome: str,
    reason: str,
    checklist: listings.Checklist,
    today: date,
    *,
    verification_months: int = 12,
    locate: Callable[[Profile], tuple[float, float] | None] | None = None,
) -> ReviewDecision:
    """Record a moderator's decision on the pending revision of a clinic.

    Approve publishes it (through listings.publish_revision) and verifies it from
    today; reject and request_changes store the reason the clinic will read. A
    revision already decided, or replaced by a newer one, raises AlreadyDecided.
    """
    _require_moderator(moderator)
    if outcome not in vocab.DECISIONS:
        raise ModerationError("Choose approve, reject or ask for changes.")
    reason = (reason or "").strip()
    _require_independent(moderator, revision.clinic_id)
    clinic = lock_clinic(revision.clinic_id)
    if decision_of(revision) is not None:
        raise AlreadyDecided(already_decided_message(revision))
    pending = listings.pending_revision(clinic)
    if pending is None or pending.id != revision.id:
        raise AlreadyDecided(already_decided_message(revision))

    if outcome == "approve":
        if missing := [name for name in APPROVAL_CHECKS if not getattr(checklist, name)]:
            raise ChecklistIncomplete(missing)
        try:
            coordinates = (locate or clinic_coordinates)(revision.profile)
        except GeocodingError as error:
            raise CannotLocate(str(error)) from None
        if coordinates is None:
            raise CannotLocate(
                "The address could not be placed on the map, so patients could not find "
                "this clinic by location. Ask the clinic to check its ZIP code."
            )
        listings.publish_revision(
            revision,
            moderator=moderator,
            today=today,
            checklist=checklist,
            coordinates=coordinates,
            verification_months=verification_months,
            reason=reason,
        )
        return decision_of(revision)

    if not reason:
        raise ReasonRequired(
            "Write the reason the clinic will read: what is wrong"
            if outcome == "reject"
            else "Write what the clinic should change before sending it again"
        )
    decision = ReviewDecision(
        revision_id=revision.id, moderator_id=moderator.id, outcome=outcome, reason=reason
    )
    db.session.add(decision)
    if revision.kind == "new" and clinic.status == "pending":
        clinic.status = "rejected" if outcome == "reject" else "draft"
    db.session.flush()
    listings.record(
        "revision_rejected" if outcome == "reject" else "changes_requested",
        actor=moderator,
        clinic=clinic,
        revision=revision,
        detail=reason,
    )
    db.session.flush()
    return decision


def checklist_from(
    profile: Profile,
    *,
    licence_state: str,
    licence_number: str,
    licence_checked_how: str,
    address_plausible: bool,
    answers_plausible: bool,
    red_flags_reviewed: bool,
    notes: str,
) -> listings.Checklist:
    """The checklist as stored: the NPI result is computed, never typed in."""
    return listings.Checklist(
        npi_check_passed=npi_check(profile.npi),
        licence_state=(licence_state or "").strip().upper(),
        licence_number=(licence_number or "").strip(),
        licence_checked_how=(licence_checked_how or "").strip(),
        address_plausible=bool(address_plausible),
        answers_plausible=bool(answers_plausible),
        red_flags_reviewed=bool(red_flags_reviewed),
        notes=(notes or "").strip(),
    )


# --- suspension ----------------------------------------------------------------------------


def suspend(clinic: Clinic, moderator: User, reason: str) -> Clinic:
    """Hide a published listing from patients, saying why."""
    _require_moderator(moderator)
    _require_independent(moderator, clinic.id)
    reason = (reason or "").strip()
    clinic = lock_clinic(clinic.id)
    if clinic.status != "published":
        raise WrongListingState(
            f"Only a published listing can be suspended; this one is "
            f"{vocab.LISTING_STATUS[clinic.status].lower()}."
        )
    if not reason:
        raise ReasonRequired("Write why the listing is suspended; it goes in the audit log.")
    clinic.status = "suspended"
    clinic.suspended_reason = reason
    db.session.flush()
    listings.record("clinic_suspended", actor=moderator, clinic=clinic, detail=reason)
    db.session.flush()
    return clinic


def restore(clinic: Clinic, moderator: User, reason: str) -> Clinic:
    """Show a suspended listing to patients again."""
    _require_moderator(moderator)
    _require_independent(moderator, clinic.id)
    reason = (reason or "").strip()
    clinic = lock_clinic(clinic.id)
    if clinic.status != "suspended":
        raise WrongListingState(
            f"Only a suspended listing can be restored; this one is "
            f"{vocab.LISTING_STATUS[clinic.status].lower()}."
        )
    if not reason:
        raise ReasonRequired("Write why the listing can be shown again; it goes in the audit log.")
    clinic.status = "published"
    clinic.suspended_reason = None
    db.session.flush()
    listings.record("clinic_restored", actor=moderator, clinic=clinic, detail=reason)
    db.session.flush()
    return clinic


# --- history -------------------------------------------------------------------------------


def audit_events(clinic: Clinic) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.clinic_id == clinic.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def verifications(clinic: Clinic) -> list[Verification]:
    return list(
        db.session.scalars(
            select(Verification)
            .where(Verification.clinic_id == clinic.id)
            .order_by(Verification.verified_on.desc(), Verification.id.desc())
        )
    )


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
    rows = []
    for revision in revisions:
        decision = decisions.get(revision.id)
        state = "decided" if decision else ("pending" if revision.id == newest else "replaced")
        rows.append(RevisionRow(revision, decision, state))
    return rows
