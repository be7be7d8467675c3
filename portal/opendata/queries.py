"""Reading published listings for the HSDS endpoints and the export.

Only published clinics ever leave here. Filters run in SQL, a taxonomy term
as the condition under which `hsds.carried_term_codes` puts that term on a
service (tests hold the two together for every term). Red-flag terms come from
the rules in portal.vetting, not from a column, so they are filtered in Python
over the SQL-filtered rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from portal.extensions import db
from portal.models import Clinic, ClinicCode, ClinicCondition, ClinicPaymentOption, ClinicRoute
from portal.opendata import hsds
from portal.vetting.dismissals import dismissed_for


@dataclass(frozen=True)
class Filters:
    """HSDS list parameters, already parsed and checked."""

    search: str = ""
    organization_id: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    modified_after: datetime | None = None


@dataclass(frozen=True)
class Page:
    listings: list[hsds.Listing]
    total_items: int
    page_number: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_items / self.per_page)


def _published() -> Select:
    return select(Clinic).where(Clinic.status == "published").order_by(Clinic.id)


def clinic_id_for(kind: str, record_uuid: str) -> int | None:
    """The published clinic whose `kind` record has this id (ids are one-way uuid5)."""
    ids = db.session.scalars(select(Clinic.id).where(Clinic.status == "published"))
    return next((cid for cid in ids if hsds.record_id(kind, cid) == record_uuid), None)


def published_listing(kind: str, record_uuid: str) -> hsds.Listing | None:
    clinic_id = clinic_id_for(kind, record_uuid)
    if clinic_id is None:
        return None
    clinic = db.session.get(Clinic, clinic_id)
    return _as_listings([clinic])[0]


def _filtered(filters: Filters) -> Select | None:
    """The SQL part of the filters; None when nothing can match."""
    query = _published()
    if filters.search:
        words = filters.search.strip()
        query = query.where(
            or_(
                *(
                    column.icontains(words, autoescape=True)
                    for column in (
                        Clinic.name,
                        Clinic.description,
                        Clinic.city,
                        Clinic.state,
                        Clinic.zip,
                    )
                )
            )
        )
    if filters.organization_id is not None:
        clinic_id = clinic_id_for("organization", filters.organization_id)
        if clinic_id is None:
            return None
        query = query.where(Clinic.id == clinic_id)
    if filters.taxonomy_id is not None and filters.taxonomy_id != hsds.TAXONOMY_ID:
        return None
    if filters.taxonomy_term_id is not None and filters.taxonomy_term_id not in hsds.TERMS_BY_ID:
        return None
    if filters.modified_after is not None:
        query = query.where(Clinic.updated_at >= filters.modified_after)
    return query


_CODE_ROWS = {
    "route": (Clinic.route_rows, ClinicRoute),
    "condition": (Clinic.condition_rows, ClinicCondition),
    "payment_option": (Clinic.payment_option_rows, ClinicPaymentOption),
}
_CODE_COLUMNS = {
    "therapy": Clinic.therapy,
    "session_monitor": Clinic.session_monitor,
    "director_discipline": Clinic.director_discipline,
    "remote_companion": Clinic.remote_companion,
    "telehealth_evaluation": Clinic.telehealth_evaluation,
}
# Categories whose codes live in clinic_codes, with their kind there.
_CODE_KINDS = {
    "setting": "settings",
    "insurer": "insurers",
    "age_group": "age_groups",
    "accessibility": "accessibility",
}
_LISTING_DATES = {
    "verification_expires": Clinic.verification_expires,
    "last_confirmed_on": Clinic.last_confirmed_at,
}


def term_clause(code: str) -> ColumnElement[bool] | None:
    """SQL true exactly when the service carries the term (or one under it); None: red flags."""
    category, _, value = code.partition(":")
    if category == "red_flag":
        return None
    if category in _CODE_ROWS:
        rows, model = _CODE_ROWS[category]
        return rows.any(model.code == value) if value else rows.any()
    if category in _CODE_KINDS:
        kind = ClinicCode.kind == _CODE_KINDS[category]
        return Clinic.code_rows.any(and_(kind, ClinicCode.code == value) if value else kind)
    if category in _CODE_COLUMNS:
        vocabulary = hsds.CODED_FIELDS[hsds.CATEGORY_FIELDS[category]][1]
        column = _CODE_COLUMNS[category]
        return column == value if value else column.in_(list(vocabulary))
    if category in hsds.CHECKED_FIELDS:
        prefix, vocabulary = hsds.CHECKED_FIELDS[category]
        names = [prefix + value] if value else list(vocabulary)
        return or_(*(getattr(Clinic, name).is_(True) for name in names))
    if code in hsds.BOOLEAN_FIELDS:
        return getattr(Clinic, code).is_not(None)
    if code in hsds.NUMBER_FIELDS or code in hsds.COST_FIELDS:
        return getattr(Clinic, code).is_not(None)
    if code in hsds.TEXT_FIELDS:
        return and_(getattr(Clinic, code).is_not(None), getattr(Clinic, code) != "")
    return _LISTING_DATES[code].is_not(None)


def published_page(filters: Filters, page_number: int, per_page: int) -> Page:
    """One page of published listings, in a stable order (by clinic id)."""
    query = _filtered(filters)
    if query is None:
        return Page([], 0, page_number, per_page)
    offset = (page_number - 1) * per_page
    code = hsds.TERMS_BY_ID[filters.taxonomy_term_id].code if filters.taxonomy_term_id else None
    if code is not None and (clause := term_clause(code)) is not None:
        query = query.where(clause)
    elif code is not None:
        matching = [
            listing
            for listing in _as_listings(db.session.scalars(query))
            if _carries(listing, code)
        ]
        return Page(matching[offset : offset + per_page], len(matching), page_number, per_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    clinics = db.session.scalars(query.offset(offset).limit(per_page))
    return Page(_as_listings(clinics), total or 0, page_number, per_page)


def _carries(listing: hsds.Listing, code: str) -> bool:
    """True when the service carries the term, or a child of it when it is a category."""
    codes = hsds.carried_term_codes(listing)
    return code in codes or any(c.startswith(f"{code}:") for c in codes)


def all_published() -> list[hsds.Listing]:
    return _as_listings(db.session.scalars(_published()))


def _as_listings(clinics: Iterable[Clinic]) -> list[hsds.Listing]:
    """Listings with their flag dismissals, read in one query."""
    clinics = list(clinics)
    dismissed = dismissed_for(clinic.id for clinic in clinics)
    return [hsds.Listing.from_clinic(clinic, dismissed[clinic.id]) for clinic in clinics]
