"""The comparison tray: the clinics a patient has picked, kept in their session.

Functions take the session (any mutable mapping) as an argument, so tests and
views share them; only ids are kept, and clinics that stop being public drop
out when the tray is read.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.compare.service import MAX_CLINICS
from portal.extensions import db
from portal.models import Clinic

SESSION_KEY = "compare"


class TrayFull(Exception):
    """The tray already holds as many clinics as a comparison can show."""


class NotListed(Exception):
    """No published clinic has this id."""


@dataclass(frozen=True)
class TrayClinic:
    id: int
    slug: str
    name: str


def ids(store: MutableMapping[str, Any]) -> list[int]:
    """The ids in the tray, in the order they were added (never more than the limit)."""
    raw = store.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    return [value for value in raw if isinstance(value, int)][:MAX_CLINICS]


def clinics(store: MutableMapping[str, Any]) -> list[TrayClinic]:
    """The tray's clinics that are still public, in tray order (one query)."""
    wanted = ids(store)
    if not wanted:
        return []
    rows = db.session.execute(
        select(Clinic.id, Clinic.slug, Clinic.name).where(
            Clinic.id.in_(wanted), Clinic.status == "published"
        )
    ).all()
    by_id = {row.id: TrayClinic(row.id, row.slug, row.name) for row in rows}
    return [by_id[clinic_id] for clinic_id in wanted if clinic_id in by_id]


def add(store: MutableMapping[str, Any], clinic_id: int) -> TrayClinic:
    """Put a published clinic in the tray; adding it twice changes nothing."""
    clinic = _published(clinic_id)
    current = [c.id for c in clinics(store)]
    if clinic.id not in current:
        if len(current) >= MAX_CLINICS:
            raise TrayFull(
                f"You can compare up to {MAX_CLINICS} clinics at once. "
                f"Remove one before adding {clinic.name}."
            )
        current.append(clinic.id)
    store[SESSION_KEY] = current
    return clinic


def remove(store: MutableMapping[str, Any], clinic_id: int) -> None:
    """Take a clinic out of the tray; removing one that is not there changes nothing."""
    store[SESSION_KEY] = [value for value in ids(store) if value != clinic_id]


def clear(store: MutableMapping[str, Any]) -> None:
    store.pop(SESSION_KEY, None)


def _published(clinic_id: int) -> TrayClinic:
    row = db.session.execute(
        select(Clinic.id, Clinic.slug, Clinic.name).where(
            Clinic.id == clinic_id, Clinic.status == "published"
        )
    ).first()
    if row is None:
        raise NotListed("That clinic is not listed, so it cannot be compared.")
    return TrayClinic(row.id, row.slug, row.name)
