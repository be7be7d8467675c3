"""Freshness: how old a listing's information is, and the clinic's one-click confirmation.

A listing counts as confirmed when a moderator approves a revision (see
listings.publish_revision) or when its staff say "still accurate" here. After
STALE_AFTER_DAYS without either, patients see it marked as possibly out of date
and moderators find it in their queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select

from portal import listings, vocab
from portal.extensions import db
from portal.models import Clinic, ClinicManager, User


class FreshnessError(Exception):
    """A confirmation was refused; the message is safe to show."""

    status = 409


class NotYourClinic(FreshnessError):
    status = 403


class NotPublished(FreshnessError):
    pass


def is_stale(last_confirmed_at: datetime | None, now: datetime, stale_after_days: int) -> bool:
    """True when nobody confirmed the listing for more than `stale_after_days` whole days."""
    if last_confirmed_at is None:
        return True
    return (now - last_confirmed_at).days > stale_after_days


def stale_condition(now: datetime, stale_after_days: int) -> ColumnElement[bool]:
    """`is_stale` as SQL: confirmed at least `stale_after_days + 1` days ago, or never."""
    cutoff = now - timedelta(days=stale_after_days + 1)
    return or_(Clinic.last_confirmed_at.is_(None), Clinic.last_confirmed_at <= cutoff)


def out_of_date_listings(now: datetime, stale_after_days: int) -> list[Clinic]:
    """Published listings nobody confirmed for too long, the longest unconfirmed first."""
    return list(
        db.session.scalars(
            select(Clinic)
            .where(Clinic.status == "published", stale_condition(now, stale_after_days))
            .order_by(Clinic.last_confirmed_at.is_not(None), Clinic.last_confirmed_at, Clinic.name)
        )
    )


def confirm_still_accurate(clinic_id: int, user: User, now: datetime) -> Clinic:
    """Record that the clinic's staff checked the public listing and it is still right.

    Changes nothing patients read except the confirmation date, so nothing goes
    to review. Only the clinic's own staff may confirm, and only a published listing.
    """
    manages = db.session.scalar(
        select(ClinicManager.clinic_id).where(
            ClinicManager.clinic_id == clinic_id, ClinicManager.user_id == user.id
        )
    )
    if manages is None or user.is_moderator:
        raise NotYourClinic("Only the clinic's own staff can confirm its listing.")
    clinic = db.session.scalar(
        select(Clinic)
        .where(Clinic.id == clinic_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if clinic.status != "published":
        raise NotPublished(
            f"{clinic.name} is not shown to patients at the moment (its listing is "
            f"{vocab.LISTING_STATUS[clinic.status].lower()}), so there is nothing public to "
            "confirm. Once a moderator approves it, the approval counts as a confirmation."
        )
    clinic.last_confirmed_at = now
    db.session.flush()
    listings.record(
        "listing_confirmed",
        actor=user,
        clinic=clinic,
        detail="The clinic's staff confirmed that the public listing is still accurate.",
    )
    db.session.flush()
    return clinic
