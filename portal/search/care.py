"""The search's care filters (setting, language, insurer, age group, accessibility,
open now) and the telehealth providers licensed in the searched place's state.

Coded filters are SQL (one EXISTS per code on the indexed `clinic_codes`);
"open now" depends on the instant and each clinic's time zone, so it is
decided in Python on the candidates the SQL already narrowed down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Select, bindparam, case, exists, select

from portal import hours
from portal.extensions import db
from portal.models import Clinic, ClinicCode, ClinicTelehealthState
from portal.profile import RECORD_FIELDS
from portal.vetting import Flag, assess
from portal.vetting.dismissals import dismissed_for

TELEHEALTH_LIMIT = 10

# Query-string parameter -> (SearchQuery attribute, clinic_codes kind, all or any).
CODE_FILTERS: dict[str, tuple[str, str, str]] = {
    "setting": ("settings", "settings", "any"),
    "language": ("languages", "languages", "all"),
    "insurer": ("insurers", "insurers", "all"),
    "age_group": ("age_groups", "age_groups", "all"),
    "accessibility": ("accessibility", "accessibility", "all"),
}


def _has_code(kind: str, codes: Iterable[str]):
    return exists().where(
        ClinicCode.clinic_id == Clinic.id, ClinicCode.kind == kind, ClinicCode.code.in_(codes)
    )


def _settings_ids(*codes: str):
    return select(ClinicCode.clinic_id).where(
        ClinicCode.kind == "settings", ClinicCode.code.in_(codes)
    )


@lru_cache(maxsize=1)
def _telehealth_only_ids():
    """Ids of telehealth-only providers: one small, uncorrelated subquery (built once)."""
    return _settings_ids("telehealth").except_(_settings_ids("in_clinic", "at_home"))


def with_care_filters(statement: Select, query, *, nearby: bool = True) -> Select:
    """`statement` narrowed by every care filter the query gives.

    Settings match when any one given holds (a patient happy with at home or
    telehealth); languages, insurers, age groups and accessibility must all hold.
    Telehealth-only providers are never "near" anyone: they have their own
    section, by licence rather than distance (`nearby=False` narrows that section,
    which is telehealth by definition, so the settings filter does not apply).
    """
    if nearby:
        statement = statement.where(Clinic.id.not_in(_telehealth_only_ids()))
    for attribute, kind, mode in CODE_FILTERS.values():
        codes = getattr(query, attribute)
        if not codes or (attribute == "settings" and not nearby):
            continue
        if mode == "any":
            statement = statement.where(_has_code(kind, codes))
        else:
            for code in codes:
                statement = statement.where(_has_code(kind, (code,)))
    return statement


def hours_columns(query) -> list:
    """Columns the open-now filter needs beside the ranking's own."""
    return [Clinic.hours, Clinic.local_timezone] if query.open_now else []


def open_at(clinic, now: datetime) -> bool | None:
    """Whether a listing (or a candidate row with hours and zone) is open at `now`."""
    spans = [tuple(span[key] for key in RECORD_FIELDS["hours"]) for span in (clinic.hours or ())]
    return hours.open_now(spans, clinic.local_timezone, now)


@dataclass(frozen=True)
class TelehealthProvider:
    """A published telehealth provider licensed in the patient's state, with all its states."""

    clinic: Clinic
    verified: bool
    red_flags: list[Flag]
    open_now: bool | None = None


def _telehealth_rows(narrow: Callable[[Select], Select] | None = None) -> Select:
    """Published telehealth providers licensed in the state `:state`, verified first."""
    statement = (
        select(Clinic.id, Clinic.hours, Clinic.local_timezone)
        .where(
            # Driven by the (state, clinic_id) index: a state has few telehealth providers.
            Clinic.id.in_(
                select(ClinicTelehealthState.clinic_id).where(
                    ClinicTelehealthState.state == bindparam("state")
                )
            ),
            Clinic.id.in_(_settings_ids("telehealth")),
            Clinic.status == "published",
        )
        .order_by(
            case((Clinic.verification_expires > bindparam("today"), 0), else_=1),
            Clinic.name,
            Clinic.id,
        )
    )
    return narrow(statement) if narrow else statement


@lru_cache(maxsize=1)
def _unfiltered_telehealth_rows() -> Select:
    """Built once (with parameters): building it on every search cost more than running it."""
    return _telehealth_rows().limit(bindparam("limit"))


def telehealth_providers(
    state: str | None,
    *,
    today: date,
    now: datetime,
    narrow: Callable[[Select], Select] | None = None,
    open_now: bool = False,
    limit: int = TELEHEALTH_LIMIT,
) -> list[TelehealthProvider]:
    """Up to `limit` published telehealth providers licensed in `state`, whatever the distance.

    Verified ones first, then by name: a patient far from any clinic sees who may
    treat them where they live. `narrow` applies the search's other filters (the
    same ones the clinics near the patient pass); `open_now` keeps only those open
    at `now`.
    """
    if not state:
        return []
    params = {"state": state, "today": today, "limit": limit}
    if narrow is None and not open_now:
        statement = _unfiltered_telehealth_rows()
    else:
        statement = _telehealth_rows(narrow)
        if not open_now:
            statement = statement.limit(bindparam("limit"))
    # Plain rows first (most places have none); whole listings only for those found.
    rows = db.session.connection().execute(statement, params).all()
    if open_now:
        rows = [row for row in rows if open_at(row, now)][:limit]
    ids = [row.id for row in rows]
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(select(Clinic).where(Clinic.id.in_(ids)))}
    clinics = [found[clinic_id] for clinic_id in ids if clinic_id in found]
    dismissed = dismissed_for(clinic.id for clinic in clinics)
    return [
        TelehealthProvider(
            clinic,
            clinic.verification_state(today) == "current",
            list(assess(clinic.profile, dismissed[clinic.id]).flags),
            open_at(clinic, now),
        )
        for clinic in clinics
    ]
