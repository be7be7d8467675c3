"""The moderators' queue: submissions waiting, listings expiring, how long things waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Clinic, ClinicRevision, ReviewDecision

EXPIRY_WARNING_DAYS = 30


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
