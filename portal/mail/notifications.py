"""Who is told what when a listing or a report changes: one handler per lifecycle event.

Each handler runs inside the transaction of the change (portal.events) and
only adds outbox rows. Clinic staff read the moderator's reason in the email
itself; a patient who left an address with a report hears that it arrived and
how it was resolved. Nothing here logs an address.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.mail.outbox import enqueue, public_url
from portal.models import Clinic, ClinicManager, ProblemReport, ReviewDecision, User


def staff_addresses(clinic: Clinic) -> list[str]:
    """Every staff member of the clinic (owners and editors), each once."""
    return list(
        db.session.scalars(
            select(User.email)
            .join(ClinicManager, ClinicManager.user_id == User.id)
            .where(ClinicManager.clinic_id == clinic.id, User.is_suspended.is_(False))
            .order_by(User.email)
        )
    )


def _to_staff(clinic: Clinic, subject: str, template: str, *, kind: str, **context) -> None:
    links = {
        "dashboard_url": public_url("dashboard.index"),
        "listing_url": public_url("clinics.listing", slug=clinic.slug),
    }
    for address in staff_addresses(clinic):
        enqueue(address, subject, template, kind=kind, clinic=clinic, **links, **context)


def _decision(revision) -> ReviewDecision | None:
    return db.session.scalar(
        select(ReviewDecision).where(ReviewDecision.revision_id == revision.id)
    )


def revision_approved(clinic: Clinic, *, actor=None, revision=None, **_) -> None:
    if actor is None:  # the sample data and imports are approved by nobody: no one to tell
        return
    _to_staff(
        clinic,
        f"{clinic.name} is published",
        "decision_approved",
        kind="decision",
        revision=revision,
        decision=_decision(revision),
    )


def revision_rejected(clinic: Clinic, *, revision=None, **_) -> None:
    _to_staff(
        clinic,
        f"{clinic.name}: your submission was not accepted",
        "decision_rejected",
        kind="decision",
        revision=revision,
        decision=_decision(revision),
    )


def changes_requested(clinic: Clinic, *, revision=None, **_) -> None:
    _to_staff(
        clinic,
        f"{clinic.name}: the moderators ask for changes",
        "decision_changes",
        kind="decision",
        revision=revision,
        decision=_decision(revision),
    )


def listing_suspended(clinic: Clinic, *, detail: str = "", **_) -> None:
    _to_staff(
        clinic,
        f"{clinic.name} is hidden from patients for now",
        "listing_suspended",
        kind="decision",
        reason=detail,
    )


def listing_restored(clinic: Clinic, *, detail: str = "", **_) -> None:
    _to_staff(
        clinic,
        f"{clinic.name} is shown to patients again",
        "listing_restored",
        kind="decision",
        reason=detail,
    )


def report_filed(report: ProblemReport, **_) -> None:
    if report.contact_email:
        enqueue(
            report.contact_email,
            f"We received your report about {report.clinic.name}",
            "report_received",
            kind="report",
            report=report,
        )


def report_resolved(report: ProblemReport, **_) -> None:
    if report.contact_email:
        enqueue(
            report.contact_email,
            f"Your report about {report.clinic.name} is resolved",
            "report_resolved",
            kind="report",
            report=report,
        )


def verification_expiring(clinic: Clinic, *, days_left: int) -> None:
    _to_staff(
        clinic,
        f"{clinic.name}: verification runs out on {clinic.verification_expires:%B %-d, %Y}",
        "reminder_expiry",
        kind="reminder",
        days_left=days_left,
    )


def listing_out_of_date(clinic: Clinic, *, stale_after_days: int) -> None:
    _to_staff(
        clinic,
        f"{clinic.name}: please confirm your listing is still accurate",
        "reminder_stale",
        kind="reminder",
        stale_after_days=stale_after_days,
    )
