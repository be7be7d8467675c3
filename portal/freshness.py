"""Freshness: how old a listing's information is.

A listing counts as confirmed when a moderator approves a revision or when its
staff say "still accurate" (both in portal.listings.operations). After
STALE_AFTER_DAYS without either, patients see it marked as possibly out of date
and moderators find it in their queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select

from portal.extensions import db
from portal.listings.errors import FreshnessError, NotPublished, NotYourClinic
from portal.listings.operations import confirm_still_accurate
from portal.models import Clinic

__all__ = [
    "FreshnessError",
    "NotPublished",
    "NotYourClinic",
    "confirm_still_accurate",
    "is_stale",
    "out_of_date_listings",
    "stale_condition",
]


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
