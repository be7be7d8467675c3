"""Clinic addresses in URLs: readable, and unique among clinics."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from portal.extensions import db
from portal.models import Clinic


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "clinic"


def unique_slug(name: str, city: str = "") -> str:
    """A slug no other clinic has: the name, then name-city, then a number."""
    base = slugify(name)
    candidates = [base, f"{base}-{slugify(city)}" if city else None]
    for candidate in filter(None, candidates):
        if not _slug_taken(candidate):
            return candidate
    number = 2
    while _slug_taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Clinic.id).where(Clinic.slug == slug)) is not None
