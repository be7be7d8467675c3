"""The review page of one revision: what changed, every answer, red flags, the address check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal import vocab
from portal.care_text import record_text
from portal.geo import GeocodingError, OfflineGeocoder, Place, miles_between
from portal.models import ClinicRevision
from portal.profile import (
    FIELD_LABELS,
    LIST_FIELDS,
    LIST_VOCABULARIES,
    PROFILE_FIELDS,
    RECORD_FIELDS,
    Profile,
)

# Fields whose stored value is a code; the diff shows their labels.
CODE_FIELDS: dict[str, dict[str, str]] = {
    "director_discipline": vocab.DIRECTOR_DISCIPLINES,
    "session_monitor": vocab.SESSION_MONITORS,
    "therapy": vocab.THERAPY,
    "telehealth_evaluation": vocab.TELEHEALTH_EVALUATIONS,
    "remote_companion": vocab.REMOTE_COMPANIONS,
}


def base_profile(revision: ClinicRevision) -> Profile | None:
    """What an edit would replace: the listing patients see now (None for a new clinic)."""
    clinic = revision.clinic
    if revision.kind == "new" or clinic.published_revision_id is None:
        return None
    return clinic.profile


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.name in LIST_FIELDS


def display_value(name: str, value) -> str:
    """One answer as a moderator reads it: labels for codes, Yes/No, "Not stated"."""
    if name in LIST_FIELDS:
        vocabulary = LIST_VOCABULARIES[name]
        return ", ".join(vocab.label(vocabulary, code) for code in value) or "Not stated"
    if name in RECORD_FIELDS:
        return record_text(name, value)
    if name in CODE_FIELDS:
        return vocab.label(CODE_FIELDS[name], value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "Not stated"
    return str(value)


def profile_changes(old: Profile, new: Profile) -> list[FieldChange]:
    """Every field that differs, in form order; lists as added and removed labels."""
    changes = []
    for name in PROFILE_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        added = removed = ()
        if name in LIST_FIELDS:
            vocabulary = LIST_VOCABULARIES[name]
            added = tuple(vocab.label(vocabulary, c) for c in after if c not in before)
            removed = tuple(vocab.label(vocabulary, c) for c in before if c not in after)
        changes.append(
            FieldChange(
                name=name,
                label=FIELD_LABELS.get(name, name),
                old=display_value(name, before),
                new=display_value(name, after),
                added=added,
                removed=removed,
            )
        )
    return changes


def all_answers(profile: Profile) -> list[tuple[str, str]]:
    """Every answer of a new clinic as (label, value), in form order."""
    return [
        (FIELD_LABELS.get(name, name), display_value(name, getattr(profile, name)))
        for name in PROFILE_FIELDS
    ]


@dataclass(frozen=True)
class AddressCheck:
    """Where the address lands on the map, beside what its ZIP code says."""

    stated_city: str
    stated_state: str
    position: tuple[float, float] | None
    zip_place: Place | None
    problem: str = ""

    @property
    def zip_matches(self) -> bool | None:
        """Whether the ZIP's own city and state are the ones the clinic wrote."""
        if self.zip_place is None:
            return None
        return self.zip_place.state == self.stated_state and (
            (self.zip_place.city or "").casefold() == self.stated_city.strip().casefold()
        )

    @property
    def miles_from_zip(self) -> float | None:
        if self.position is None or self.zip_place is None:
            return None
        return miles_between(*self.position, self.zip_place.lat, self.zip_place.lng)


def address_check(
    profile: Profile,
    locate: Callable[[Profile], tuple[float, float] | None],
    zip_table_path: str,
) -> AddressCheck:
    """Geocode the revision's address the way approval will, and look up its ZIP."""
    problem = ""
    try:
        position = locate(profile)
    except GeocodingError as error:
        position, problem = None, str(error)
    if position is None and not problem:
        problem = "The address could not be placed on the map."
    try:
        zip_place = OfflineGeocoder(zip_table_path).lookup_zip(profile.zip) if profile.zip else None
    except GeocodingError as error:
        zip_place, problem = None, problem or str(error)
    return AddressCheck(profile.city, profile.state, position, zip_place, problem)
