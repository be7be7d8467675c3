"""Problem reports: patients file them, moderators resolve them, clinic staff read them.

Plain functions over the session like portal.listings.operations: they flush but never
commit, take the acting moderator as an argument, and raise a `ReportError`
when a rule is broken. Reports are never deleted (the database refuses it);
a resolved report keeps its text beside the moderator's note.

Nothing here logs a reporter's text or email address.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from portal import listings, vocab
from portal.extensions import db
from portal.models import Clinic, ProblemReport, User

MAX_DETAILS = 2000
MAX_NOTE = 4000

# Reports about something unsafe come first in every list moderators read.
URGENCY = case((ProblemReport.kind == "unsafe", 0), else_=1)
# One clinic's reports: open ones (unsafe, then oldest), then resolved ones, newest first.
CLINIC_ORDER = (
    ProblemReport.resolved_at.is_not(None),
    URGENCY,
    ProblemReport.resolved_at.desc(),
    ProblemReport.created_at,
    ProblemReport.id,
)


class ReportError(Exception):
    """A rule about reports was broken; the message is safe to show."""

    status = 422
    field: str | None = None


class UnknownKind(ReportError):
    field = "kind"


class NoteRequired(ReportError):
    field = "note"


class AlreadyResolved(ReportError):
    status = 409


class NotAModerator(ReportError):
    status = 403


def file_report(
    clinic: Clinic, *, kind: str, details: str = "", contact_email: str = "", now: datetime
) -> ProblemReport:
    """Store a patient's report about a published listing; the audit log notes its kind only."""
    if kind not in vocab.REPORT_KINDS:
        raise UnknownKind("Choose what is wrong with the listing.")
    report = ProblemReport(
        clinic_id=clinic.id,
        kind=kind,
        details=(details or "").strip()[:MAX_DETAILS],
        contact_email=(contact_email or "").strip(),
        created_at=now,
    )
    db.session.add(report)
    db.session.flush()
    listings.record(
        "problem_reported",
        actor=None,
        clinic=clinic,
        detail=f"Report {report.id}: {vocab.REPORT_KINDS[kind]}.",
    )
    db.session.flush()
    return report


def open_reports() -> list[ProblemReport]:
    """Every unresolved report, about something unsafe first, then the oldest first."""
    return list(
        db.session.scalars(
            select(ProblemReport)
            .options(joinedload(ProblemReport.clinic))
            .where(ProblemReport.resolved_at.is_(None))
            .order_by(URGENCY, ProblemReport.created_at, ProblemReport.id)
        )
    )


def reports_about(clinic: Clinic) -> list[ProblemReport]:
    """All reports about one clinic, in CLINIC_ORDER."""
    return list(
        db.session.scalars(
            select(ProblemReport)
            .options(joinedload(ProblemReport.resolved_by))
            .where(ProblemReport.clinic_id == clinic.id)
            .order_by(*CLINIC_ORDER)
        )
    )


def reports_for_clinics(clinic_ids: list[int]) -> dict[int, list[ProblemReport]]:
    """Reports grouped by clinic, each in CLINIC_ORDER, for a staff dashboard."""
    grouped: dict[int, list[ProblemReport]] = defaultdict(list)
    if not clinic_ids:
        return grouped
    rows = db.session.scalars(
        select(ProblemReport).where(ProblemReport.clinic_id.in_(clinic_ids)).order_by(*CLINIC_ORDER)
    )
    for report in rows:
        grouped[report.clinic_id].append(report)
    return grouped


def lock_report(report_id: int) -> ProblemReport | None:
    """The report re-read and locked until commit, so two moderators cannot both resolve it."""
    return listings.locked(ProblemReport, id=report_id)


def resolve(report_id: int, moderator: User, note: str, now: datetime) -> ProblemReport:
    """Close a report with the moderator's note; the audit log keeps the note."""
    if moderator is None or not moderator.is_moderator:
        raise NotAModerator("Only moderators can resolve reports.")
    note = (note or "").strip()
    report = lock_report(report_id)
    if report is None:
        raise ReportError("There is no such report.")
    if report.resolved_at is not None:
        who = report.resolved_by.email if report.resolved_by else "another moderator"
        raise AlreadyResolved(
            f"This report was already resolved by {who} at "
            f"{report.resolved_at:%Y-%m-%d %H:%M} UTC. Your note was not recorded."
        )
    if not note:
        raise NoteRequired("Write what you did about this report; the audit log keeps it.")
    if len(note) > MAX_NOTE:
        raise NoteRequired(f"Keep the note under {MAX_NOTE:,} characters.")
    report.resolved_at = now
    report.resolved_by_id = moderator.id
    report.resolution_note = note
    db.session.flush()
    listings.record(
        "report_resolved",
        actor=moderator,
        clinic=report.clinic,
        detail=f"Report {report.id} ({vocab.REPORT_KINDS[report.kind]}) resolved: {note}",
    )
    db.session.flush()
    return report
