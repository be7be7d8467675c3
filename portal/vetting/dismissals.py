"""Reading moderators' dismissals of text-based red flags, for every page that shows flags.

A dismissal is keyed by (flag code, hash of the text the flag rested on), so it
stops applying the moment the clinic's text changes. Written by
`portal.moderation.flags.dismiss`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.extensions import db
from portal.models import FlagDismissal
from portal.profile import Profile
from portal.vetting import Assessment, assess


def dismissed_for(clinic_ids: Iterable[int]) -> dict[int, frozenset[tuple[str, str]]]:
    """Each clinic's dismissed (code, text hash) pairs, in one query."""
    wanted = list(clinic_ids)
    found: dict[int, set[tuple[str, str]]] = {clinic_id: set() for clinic_id in wanted}
    if wanted:
        rows = db.session.execute(
            select(FlagDismissal.clinic_id, FlagDismissal.flag_code, FlagDismissal.text_hash).where(
                FlagDismissal.clinic_id.in_(wanted)
            )
        )
        for clinic_id, code, text_hash in rows:
            found[clinic_id].add((code, text_hash))
    return {clinic_id: frozenset(pairs) for clinic_id, pairs in found.items()}


def assess_listing(clinic_id: int, profile: Profile) -> Assessment:
    """What patients see of one listing's vetting (its dismissals applied)."""
    return assess(profile, dismissed_for([clinic_id])[clinic_id])


def dismissals_of(clinic_id: int) -> list[FlagDismissal]:
    """Every dismissal of a clinic's flags, newest first (for the moderators' pages)."""
    return list(
        db.session.scalars(
            select(FlagDismissal)
            .where(FlagDismissal.clinic_id == clinic_id)
            .order_by(FlagDismissal.dismissed_at.desc(), FlagDismissal.id.desc())
        )
    )
