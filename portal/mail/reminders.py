"""Reminders for a timer: verification about to lapse, listing reaching the out-of-date mark.

Each goes once per period: the period of an expiry reminder is the expiry
date, that of an out-of-date reminder the confirmation date it counts from.
A new verification or confirmation starts a new period. Rows in
`reminders_sent` record what went; the unique key stops a second timer run
(or two at once) from sending it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.freshness import stale_condition
from portal.mail import notifications
from portal.mail.models import ReminderSent
from portal.models import Clinic

EXPIRY_NOTICE_DAYS = 30


@dataclass
class ReminderReport:
    expiry: int = 0
    stale: int = 0


def _already_sent(clinic: Clinic, kind: str, period: str) -> bool:
    return (
        db.session.scalar(
            select(ReminderSent.id).where(
                ReminderSent.clinic_id == clinic.id,
                ReminderSent.kind == kind,
                ReminderSent.period == period,
            )
        )
        is not None
    )


def _record(clinic: Clinic, kind: str, period: str) -> bool:
    """Record the reminder; False (nothing recorded) when this period already had one."""
    if _already_sent(clinic, kind, period) or not notifications.staff_addresses(clinic):
        return False
    db.session.add(ReminderSent(clinic_id=clinic.id, kind=kind, period=period))
    db.session.flush()
    return True


def send_reminders(today: date, now: datetime, stale_after_days: int) -> ReminderReport:
    """Queue every reminder that is due; flushes, the caller commits."""
    report = ReminderReport()
    expiring = db.session.scalars(
        select(Clinic).where(
            Clinic.status == "published",
            Clinic.verification_expires > today,
            Clinic.verification_expires <= today + timedelta(days=EXPIRY_NOTICE_DAYS),
        )
    )
    for clinic in expiring:
        if _record(clinic, "verification_expiry", clinic.verification_expires.isoformat()):
            days_left = (clinic.verification_expires - today).days
            notifications.verification_expiring(clinic, days_left=days_left)
            report.expiry += 1
    stale = db.session.scalars(
        select(Clinic).where(Clinic.status == "published", stale_condition(now, stale_after_days))
    )
    for clinic in stale:
        period = clinic.last_confirmed_at.isoformat() if clinic.last_confirmed_at else "never"
        if _record(clinic, "out_of_date", period):
            notifications.listing_out_of_date(clinic, stale_after_days=stale_after_days)
            report.stale += 1
    return report
