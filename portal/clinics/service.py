"""Reading published listings for patients."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Clinic, Verification


def published_clinic_by_slug(slug: str) -> Clinic | None:
    return db.session.scalar(
        select(Clinic).where(Clinic.slug == slug, Clinic.status == "published")
    )


def published_clinic_by_id(clinic_id: int) -> Clinic | None:
    return db.session.scalar(
        select(Clinic).where(Clinic.id == clinic_id, Clinic.status == "published")
    )


def latest_verifications(clinic_ids: list[int]) -> dict[int, Verification]:
    """The newest verification of each of these clinics, in one query (the comparison's)."""
    rows = db.session.scalars(
        select(Verification)
        .where(Verification.clinic_id.in_(clinic_ids))
        .order_by(Verification.verified_on.desc(), Verification.id.desc())
    )
    newest: dict[int, Verification] = {}
    for verification in rows:
        newest.setdefault(verification.clinic_id, verification)
    return newest


def verification_coverage(v: Verification) -> list[tuple[bool, str]]:
    """What one verification covered, check by check, in the words patients read.

    The listing and the comparison both show this list, so they never disagree.
    """
    if v.npi_check_passed is None:
        npi = (False, "The provider number (NPI) was not checked")
    elif v.npi_check_passed:
        npi = (True, "The provider number (NPI) passed its check-digit test")
    else:
        npi = (False, "The provider number (NPI) failed its check-digit test")
    licence = " ".join(
        part for part in ("The", v.licence_state, "licence", v.licence_number) if part
    )
    return [
        npi,
        (True, f"{licence} was checked")
        if v.licence_checked_how
        else (False, "The medical licence was not checked"),
        (True, "The address and map position were checked")
        if v.address_plausible
        else (False, "The address was not checked"),
        (True, "The answers were checked for consistency")
        if v.answers_plausible
        else (False, "The answers were not checked for consistency"),
        (True, "A moderator reviewed the red flags")
        if v.red_flags_reviewed
        else (False, "The red flags were not reviewed by a moderator"),
        *(
            [(True, "The licence in each telehealth state was checked")]
            if v.telehealth_licences_checked_how
            else []
        ),
    ]


def directory_summary() -> dict[str, int]:
    """How many clinics and metro areas the home page can promise."""
    published = Clinic.status == "published"
    clinics = db.session.scalar(select(func.count()).select_from(Clinic).where(published))
    states = db.session.scalar(select(func.count(func.distinct(Clinic.state))).where(published))
    return {"clinics": clinics or 0, "states": states or 0}


def latest_verification(clinic: Clinic) -> Verification | None:
    """The newest verification: what the listing's "Verified on" date covers."""
    return db.session.scalar(
        select(Verification)
        .where(Verification.clinic_id == clinic.id)
        .order_by(Verification.verified_on.desc(), Verification.id.desc())
        .limit(1)
    )
