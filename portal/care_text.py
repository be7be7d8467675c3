"""How the record-shaped answers read to people (listing page, moderators' review, compare)."""

from __future__ import annotations

from portal import vocab
from portal.hours import DAYS, minutes


def span_text(opens: str, closes: str) -> str:
    overnight = minutes(closes) <= minutes(opens) and closes != "00:00"
    return f"{opens}–{closes}" + (" (next day)" if overnight else "")


def hours_by_day(spans) -> list[tuple[str, str]]:
    """(weekday, "09:00–12:00, 13:00–17:00" or "Closed") for the whole week, Monday first."""
    rows = []
    for day in DAYS:
        texts = [span_text(opens, closes) for d, opens, closes in spans if d == day]
        rows.append((vocab.WEEKDAYS[day], ", ".join(texts) or "Closed"))
    return rows


def state_licence(state: str, number: str) -> str:
    name = vocab.US_STATES.get(state, state)
    return f"{name} (licence {number})" if number else f"{name} (licence number not given)"


def clinician_text(name: str, credential: str, role: str, npi: str) -> str:
    text = name + (f", {credential}" if credential else "")
    if role:
        text += f" – {vocab.label(vocab.CLINICIAN_ROLES, role)}"
    if npi:
        text += f" (NPI {npi})"
    return text


def record_text(name: str, value) -> str:
    """One record-shaped answer on one line; "Not stated" when empty."""
    if not value:
        return "Not stated"
    if name == "hours":
        return "; ".join(f"{day} {text}" for day, text in hours_by_day(value))
    if name == "telehealth_states":
        return ", ".join(state_licence(*item) for item in value)
    if name == "clinicians":
        return "; ".join(clinician_text(*item) for item in value)
    return str(value)
