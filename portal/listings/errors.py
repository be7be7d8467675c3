"""Why a listing operation was refused; every message is safe to show.

`status` is the HTTP status a view answers with; `field` names the form field
the message belongs to, when there is one.
"""

from __future__ import annotations


class ListingError(Exception):
    """A rule of the listing workflow was broken; the message is safe to show."""

    status = 422
    field: str | None = None


class IllegalTransition(ListingError):
    """The transition table has no such move from the listing's current status."""

    status = 409


class StaleEdit(ListingError):
    """The form was based on an older version than the one now stored."""

    status = 409


class IncompleteProfile(ListingError):
    def __init__(self, missing: list[str]):
        super().__init__("Some required answers are missing.")
        self.missing = missing


class NothingToSubmit(ListingError):
    """The working copy is the same as the version waiting for review or already public."""


# --- moderators' decisions -----------------------------------------------------------------


class ModerationError(ListingError):
    """A moderation rule was broken; the message is safe to show."""


class AlreadyDecided(ModerationError):
    """Someone decided this revision first (or a newer one replaced it)."""

    status = 409


class ReasonRequired(ModerationError):
    field = "reason"


class CannotLocate(ModerationError):
    pass


class WrongListingState(IllegalTransition, ModerationError):
    """Suspend or restore refused by the transition table."""


class NotAModerator(ModerationError):
    status = 403


class OwnClinic(ModerationError):
    status = 403


# --- staff confirming their listing --------------------------------------------------------


class FreshnessError(ListingError):
    """A confirmation was refused; the message is safe to show."""

    status = 409


class NotYourClinic(FreshnessError):
    status = 403


class NotPublished(IllegalTransition, FreshnessError):
    """Only a published listing can be confirmed as still accurate."""
