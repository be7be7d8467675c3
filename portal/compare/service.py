"""Comparing clinics side by side: which clinics a request names, and the rows.

`parse_ids` reads the `ids` parameter the way a patient may have typed or
shared it; `build` turns the clinics into groups of rows in the order the
issue asks patients to read them (the three questions first), each row
knowing whether the clinics differ and each cell whether a red flag rests on
it. The comparison page, the print view and the tests all read these rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.clinics.service import latest_verifications, verification_coverage
from portal.compare.rows import GROUPS, NOT_STATED, Cell, RowSpec
from portal.extensions import db
from portal.models import Clinic
from portal.search.service import ClinicRow, load_clinics
from portal.templating import is_stale, long_date
from portal.vetting import FLAG_CODES, Flag, red_flags

MAX_CLINICS = 4
# More ids than this are not even read: a comparison never needs them.
MAX_IDS_READ = 40
# Ids are 32-bit integers in every database we run on.
LARGEST_ID = 2**31 - 1
ID_PATTERN = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class RequestedIds:
    """What the `ids` parameter asked for, before the database is consulted."""

    ids: tuple[int, ...] = ()
    malformed: tuple[str, ...] = ()
    duplicates: tuple[int, ...] = ()
    not_read: int = 0


def parse_ids(values: Iterable[str]) -> RequestedIds:
    """Clinic ids from `ids=1,2,3` (or repeated `ids=`), in order, each once.

    Anything that is not a whole positive number within range is kept aside as
    malformed, so the page can say which parts it ignored.
    """
    tokens = [token.strip() for value in values for token in value.split(",")]
    tokens = [token for token in tokens if token]
    read, not_read = tokens[:MAX_IDS_READ], max(0, len(tokens) - MAX_IDS_READ)
    ids: list[int] = []
    malformed: list[str] = []
    duplicates: list[int] = []
    for token in read:
        if not ID_PATTERN.fullmatch(token) or not 0 < int(token) <= LARGEST_ID:
            malformed.append(_printable(token))
        elif int(token) in ids:
            if int(token) not in duplicates:
                duplicates.append(int(token))
        else:
            ids.append(int(token))
    return RequestedIds(tuple(ids), tuple(malformed), tuple(duplicates), not_read)


def _printable(token: str, limit: int = 20) -> str:
    """A typed value safe and short enough to quote back in a message."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in token)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """One thing the page says about what was asked for; `kind` names the case."""

    kind: str
    message: str


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    differs: bool


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Column:
    """One compared clinic: the row read from the listing, its flags and freshness."""

    clinic: ClinicRow
    flags: tuple[Flag, ...]
    verification: str
    stale: bool
    coverage: tuple[tuple[bool, str], ...] = ()  # what the newest verification checked

    @property
    def flag_codes(self) -> frozenset[str]:
        return frozenset(flag.code for flag in self.flags)


@dataclass(frozen=True)
class Comparison:
    columns: tuple[Column, ...]
    groups: tuple[Group, ...]
    notices: tuple[Notice, ...]

    @property
    def ids(self) -> list[int]:
        return [column.clinic.id for column in self.columns]

    @property
    def is_cleaned(self) -> bool:
        """True when the URL asked for something other than exactly these clinics."""
        return any(notice.kind != "single" for notice in self.notices)


def compare(values: Iterable[str], *, today: date) -> Comparison:
    """The comparison a URL asks for: its clinics, rows and what was left out."""
    requested = parse_ids(values)
    found = load_clinics(requested.ids) if requested.ids else {}
    missing = [clinic_id for clinic_id in requested.ids if clinic_id not in found]
    unpublished = _unpublished(missing)
    unknown = [clinic_id for clinic_id in missing if clinic_id not in unpublished]
    available = [found[clinic_id] for clinic_id in requested.ids if clinic_id in found]
    shown, over_limit = available[:MAX_CLINICS], available[MAX_CLINICS:]

    notices = _notices(requested, unknown, unpublished, over_limit, len(available))
    verifications = latest_verifications([clinic.id for clinic in shown]) if shown else {}
    columns = tuple(
        Column(
            clinic=clinic,
            flags=tuple(red_flags(clinic.profile)),
            verification=clinic.verification_state(today),
            stale=is_stale(clinic),
            coverage=tuple(verification_coverage(verifications[clinic.id]))
            if clinic.id in verifications
            else (),
        )
        for clinic in shown
    )
    return Comparison(columns, build_groups(columns), notices)


def _unpublished(ids: Sequence[int]) -> list[int]:
    """Which of these ids belong to a clinic that exists but is not public."""
    if not ids:
        return []
    return list(db.session.scalars(select(Clinic.id).where(Clinic.id.in_(ids))))


def _numbers(ids: Sequence[int]) -> str:
    listed = [str(clinic_id) for clinic_id in ids]
    if len(listed) == 1:
        return listed[0]
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _notices(
    requested: RequestedIds,
    unknown: list[int],
    unpublished: list[int],
    over_limit: list[ClinicRow],
    available: int,
) -> tuple[Notice, ...]:
    notices: list[Notice] = []
    if requested.malformed:
        quoted = ", ".join(f"“{token}”" for token in requested.malformed[:5])
        more = len(requested.malformed) - 5
        notices.append(
            Notice(
                "malformed",
                f"We ignored {quoted}{f' and {more} more' if more > 0 else ''}: "
                "a clinic is named by its number, like 12.",
            )
        )
    if requested.duplicates:
        notices.append(
            Notice(
                "duplicate",
                f"Clinic {_numbers(requested.duplicates)} was named more than once; "
                "it is shown once.",
            )
        )
    if unknown:
        noun = "clinic numbered" if len(unknown) == 1 else "clinics numbered"
        notices.append(
            Notice("unknown", f"We have no {noun} {_numbers(unknown)}, so it was left out.")
        )
    if unpublished:
        noun = "Clinic" if len(unpublished) == 1 else "Clinics"
        notices.append(
            Notice(
                "unpublished",
                f"{noun} {_numbers(unpublished)} cannot be shown: the listing is not "
                "public at the moment (it may be waiting for review or withdrawn).",
            )
        )
    if requested.not_read and not over_limit:
        notices.append(
            Notice(
                "too_many",
                f"That address names more clinics than a comparison can use; we read the "
                f"first {MAX_IDS_READ} numbers and ignored the rest.",
            )
        )
    if over_limit:
        notices.append(
            Notice(
                "too_many",
                f"A comparison shows at most {MAX_CLINICS} clinics, so only the first "
                f"{MAX_CLINICS} are shown. Remove one to make room for another.",
            )
        )
    if available == 1:
        notices.append(
            Notice(
                "single",
                "Comparing needs at least two clinics. Here is the one you chose; "
                "add another from the search results or a listing.",
            )
        )
    return tuple(notices)


# Rows -----------------------------------------------------------------------

VERIFICATION_TEXT = {
    "current": ("Verified", "good"),
    "expired": ("Verification expired", "warn"),
    "none": ("Not yet verified", ""),
}


def _flagged(cell: Cell, value: Any, spec: RowSpec, column: Column) -> Cell:
    """Mark the cell with the red flags that rest on it (a "Yes" never carries one)."""
    if value is True or not spec.flag_codes:
        return cell
    flags = tuple(f for f in column.flags if f.code in spec.flag_codes)
    if not flags:
        return cell
    return Cell(cell.text, cell.items, cell.not_stated, flags, "bad")


def _row(key: str, label: str, values: list[Any], cells: list[Cell]) -> Row:
    return Row(key, label, tuple(cells), differs=len({repr(v) for v in values}) > 1)


def build_groups(columns: Sequence[Column]) -> tuple[Group, ...]:
    """Every group of rows, in reading order, for these clinics."""
    groups = []
    for key, title, specs in GROUPS:
        rows = []
        for spec in specs:
            values = [spec.value(column.clinic) for column in columns]
            cells = [
                _flagged(spec.show(value), value, spec, column)
                for value, column in zip(values, columns, strict=True)
            ]
            rows.append(_row(spec.key, spec.label, values, cells))
        groups.append(Group(key, title, tuple(rows)))
    groups.append(Group("verification", "Verification", _verification_rows(columns)))
    groups.append(Group("red_flags", "Red flags", _flag_rows(columns)))
    return tuple(groups)


def _verification_rows(columns: Sequence[Column]) -> tuple[Row, ...]:
    def status(column: Column) -> Cell:
        text, tone = VERIFICATION_TEXT[column.verification]
        return Cell(text=text, tone=tone)

    def dated(value: date | None) -> Cell:
        if value is None:
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(text=long_date(value))

    def fresh(column: Column) -> Cell:
        if column.stale:
            return Cell(text="Possibly out of date", tone="warn")
        return Cell(text="Confirmed recently", tone="good")

    def accepting(column: Column) -> Cell:
        if column.clinic.accepting_new_patients:
            return Cell(text="Yes", tone="good")
        return Cell(text="No", tone="warn")

    def covered(column: Column) -> Cell:
        if not column.coverage:
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(items=tuple(text for _done, text in column.coverage))

    clinics = [column.clinic for column in columns]
    last_confirmed = [c.last_confirmed_at.date() if c.last_confirmed_at else None for c in clinics]
    return (
        _row(
            "verification_status",
            "Checked by a moderator",
            [column.verification for column in columns],
            [status(column) for column in columns],
        ),
        _row(
            "verified_at",
            "Verified on",
            [c.verified_at for c in clinics],
            [dated(c.verified_at) for c in clinics],
        ),
        _row(
            "verification_expires",
            "Verification lasts until",
            [c.verification_expires for c in clinics],
            [dated(c.verification_expires) for c in clinics],
        ),
        _row(
            "verification_coverage",
            "What the check covered",
            [column.coverage for column in columns],
            [covered(column) for column in columns],
        ),
        _row(
            "last_confirmed",
            "Information last confirmed",
            last_confirmed,
            [dated(value) for value in last_confirmed],
        ),
        _row(
            "freshness",
            "Up to date?",
            [column.stale for column in columns],
            [fresh(column) for column in columns],
        ),
        _row(
            "accepting_new_patients",
            "Accepting new patients",
            [c.accepting_new_patients for c in clinics],
            [accepting(column) for column in columns],
        ),
    )


def _flag_rows(columns: Sequence[Column]) -> tuple[Row, ...]:
    """A count row, then one row per red flag raised for any of the clinics."""
    counts = [len(column.flags) for column in columns]
    rows = [
        _row(
            "flag_count",
            "Red flags raised",
            counts,
            [Cell(f"{n} raised", tone="bad") if n else Cell("None", tone="good") for n in counts],
        )
    ]
    raised = {flag.code: flag for column in columns for flag in column.flags}
    for code in FLAG_CODES:
        if code not in raised:
            continue
        cells = []
        for column in columns:
            flag = next((f for f in column.flags if f.code == code), None)
            cells.append(
                Cell(text=flag.reason, flags=(flag,), tone="bad")
                if flag
                else Cell(text="Not raised", tone="good")
            )
        rows.append(
            _row(
                f"flag_{code}",
                raised[code].title,
                [code in column.flag_codes for column in columns],
                cells,
            )
        )
    return tuple(rows)
