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
