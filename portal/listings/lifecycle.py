"""A listing's statuses and the one table of moves between them.

`move` is the only place a clinic's status is assigned: an operation asks for a
transition by name and gets an `IllegalTransition` (a 409 for the views) when the
table has no row for the listing's current status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal import vocab
from portal.listings.errors import IllegalTransition
from portal.models import Clinic


class ListingStatus(StrEnum):
    """What patients may see of a clinic; the values are stored in `clinics.status`."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return vocab.LISTING_STATUS[self.value]


DRAFT, PENDING, PUBLISHED, REJECTED, SUSPENDED = ListingStatus


@dataclass(frozen=True)
class Transition:
    action: str
    source: ListingStatus | None  # None: the clinic does not exist yet
    target: ListingStatus


def _rows(action: str, moves: dict[ListingStatus | None, ListingStatus]) -> list[Transition]:
    return [Transition(action, source, target) for source, target in moves.items()]


# Every allowed move. A status missing from an action's rows refuses that action.
TRANSITIONS: tuple[Transition, ...] = (
    *_rows("create", {None: DRAFT}),
    # Saving the working copy never changes what patients see.
    *_rows("save_draft", {status: status for status in ListingStatus}),
    # A newer submission replaces one still waiting; an edit of a public listing
    # leaves the public version in place until it is approved.
    *_rows(
        "submit",
        {
            DRAFT: PENDING,
            REJECTED: PENDING,
            PENDING: PENDING,
            PUBLISHED: PUBLISHED,
            SUSPENDED: SUSPENDED,
        },
    ),
    *_rows("approve", {PENDING: PUBLISHED, PUBLISHED: PUBLISHED, SUSPENDED: PUBLISHED}),
    *_rows("reject", {PENDING: REJECTED, PUBLISHED: PUBLISHED, SUSPENDED: SUSPENDED}),
    *_rows("request_changes", {PENDING: DRAFT, PUBLISHED: PUBLISHED, SUSPENDED: SUSPENDED}),
    *_rows("suspend", {PUBLISHED: SUSPENDED}),
    *_rows("restore", {SUSPENDED: PUBLISHED}),
    *_rows("confirm", {PUBLISHED: PUBLISHED}),
)

_TABLE: dict[tuple[str, ListingStatus | None], ListingStatus] = {
    (row.action, row.source): row.target for row in TRANSITIONS
}
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(row.action for row in TRANSITIONS))

# Why an action is refused, in words a person can act on ({status}: the current one).
REFUSALS: dict[str, str] = {
    "suspend": "Only a published listing can be suspended; this one is {status}.",
    "restore": "Only a suspended listing can be restored; this one is {status}.",
    "confirm": (
        "{name} is not shown to patients at the moment (its listing is {status}), so there "
        "is nothing public to confirm. Once a moderator approves it, the approval counts "
        "as a confirmation."
    ),
}
DEFAULT_REFUSAL = "A listing that is {status} cannot be changed that way ({action})."


def target(action: str, source: str | None) -> ListingStatus | None:
    """Where `action` takes a listing in `source`, or None when the table refuses it."""
    key = ListingStatus(source) if source is not None else None
    return _TABLE.get((action, key))


def check(clinic: Clinic, action: str, error: type[IllegalTransition] = IllegalTransition):
    """Raise `error` unless the table allows `action` from the clinic's status."""
    if action not in ACTIONS:
        raise ValueError(f"unknown listing action {action!r}")
    if target(action, clinic.status) is None:
        template = REFUSALS.get(action, DEFAULT_REFUSAL)
        raise error(
            template.format(
                status=vocab.LISTING_STATUS[clinic.status].lower(),
                name=clinic.name,
                action=action.replace("_", " "),
            )
        )


def move(
    clinic: Clinic, action: str, error: type[IllegalTransition] = IllegalTransition
) -> ListingStatus:
    """Apply `action` to the clinic's status: the one place a status is assigned."""
    if clinic.status is None and action == "create":
        clinic.status = DRAFT.value
        return DRAFT
    check(clinic, action, error)
    new = target(action, clinic.status)
    clinic.status = new.value
    return new
