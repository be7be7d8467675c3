"""Clinic addresses in URLs (`/clinics/<slug>`): from the name a moderator approves.

A draft gets a provisional address nobody sees, so a first draft's name (which
no moderator has read) never becomes public. Approval sets the address from the
approved name; a later approved rename moves it and keeps the old one as a
redirect. The database's unique index decides between two clinics taking the
same address at once (a savepoint per try), not a check before the insert.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Clinic, FormerSlug

PROVISIONAL_PREFIX = "draft-"
MAX_TRIES = 50


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100].strip("-") or "clinic"


def provisional_slug() -> str:
    """A draft's address: unique by chance alone, never shown to patients."""
    return PROVISIONAL_PREFIX + secrets.token_hex(8)


def is_provisional(slug: str) -> bool:
    return bool(re.fullmatch(PROVISIONAL_PREFIX + "[0-9a-f]{16}", slug or ""))


def fits_name(slug: str, name: str) -> bool:
    """The address already says this name (`name`, `name-city`, `name-2`)."""
    base = slugify(name)
    return not is_provisional(slug) and (slug == base or slug.startswith(base + "-"))


def candidates(name: str, city: str = ""):
    """Addresses to try for a name, best first: the name, name-city, then numbered."""
    base = slugify(name)
    yield base
    if city:
        yield f"{base}-{slugify(city)}"
    for number in range(2, MAX_TRIES):
        yield f"{base}-{number}"
    while True:
        yield f"{base}-{secrets.token_hex(3)}"


def proposed_address(clinic: Clinic, name: str, city: str = "") -> str:
    """What approving `name` would make the address, for the review page.

    Another clinic approved first may still take it; approval then moves to the next one.
    """
    if fits_name(clinic.slug, name):
        return clinic.slug
    return next(c for c in candidates(name, city) if not _held_by_another(clinic, c))


def _held_by_another(clinic: Clinic, slug: str) -> bool:
    owner = db.session.scalar(select(Clinic.id).where(Clinic.slug == slug))
    former = db.session.scalar(select(FormerSlug.clinic_id).where(FormerSlug.slug == slug))
    return (owner is not None and owner != clinic.id) or (
        former is not None and former != clinic.id
    )


def set_public_address(clinic: Clinic, name: str, city: str = "") -> str:
    """Give `clinic` the address of its approved `name`; the old public one redirects.

    Flushes the session first, so a refused try rolls back only the address.
    """
    if fits_name(clinic.slug, name):
        return clinic.slug
    db.session.flush()
    old = clinic.slug
    for candidate in candidates(name, city):
        if _held_by_another(clinic, candidate):
            continue
        try:
            with db.session.begin_nested():
                clinic.slug = candidate
                db.session.flush()
        except IntegrityError:  # a twin approval took it a moment ago
            continue
        break
    db.session.execute(
        delete(FormerSlug).where(FormerSlug.clinic_id == clinic.id, FormerSlug.slug == clinic.slug)
    )  # an address of its own coming back is current again
    if not is_provisional(old):
        db.session.add(FormerSlug(clinic_id=clinic.id, slug=old))
    db.session.flush()
    return clinic.slug


def current_slug_for(former: str) -> tuple[int, str] | None:
    """(clinic id, address now) for an address a clinic used to have."""
    row = db.session.execute(
        select(Clinic.id, Clinic.slug)
        .join(FormerSlug, FormerSlug.clinic_id == Clinic.id)
        .where(FormerSlug.slug == former)
    ).first()
    return (row.id, row.slug) if row else None
