"""Vetting a clinic's answers: red flags, and the questions its listing leaves open.

`assess` is what every page, the API and the open data show about one listing:
the flags patients see (a moderator's dismissal of a text-based flag hidden),
the questions left open and how many are answered. Pure functions; the
dismissals themselves are read by `portal.vetting.dismissals`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from portal.profile import Profile
from portal.vetting.catalogue import DISMISSABLE_CODES, FLAG_CODES, FLAG_KINDS, KINDS, FlagKind
from portal.vetting.promises import promise_in
from portal.vetting.questions import QUESTIONS, Question, asked, unanswered
from portal.vetting.rules import RULES, Flag, red_flags

__all__ = [
    "DISMISSABLE_CODES",
    "FLAG_CODES",
    "FLAG_KINDS",
    "KINDS",
    "QUESTIONS",
    "RULES",
    "Assessment",
    "Flag",
    "FlagKind",
    "Question",
    "assess",
    "promise_in",
    "public_flags",
    "red_flags",
    "unanswered",
]

# (flag code, hash of the text it rests on) for each dismissal that applies to a listing.
Dismissed = Collection[tuple[str, str]]


def public_flags(profile: Profile, dismissed: Dismissed = ()) -> list[Flag]:
    """The flags patients see: every rule's, less text-based ones a moderator dismissed
    for exactly this text."""
    return [
        found
        for found in red_flags(profile)
        if not (found.dismissable and (found.code, found.text_hash) in dismissed)
    ]


@dataclass(frozen=True)
class Assessment:
    flags: tuple[Flag, ...]
    open_questions: tuple[Question, ...]
    questions: int = len(QUESTIONS)  # how many apply to this provider

    @property
    def answered(self) -> int:
        return self.questions - len(self.open_questions)

    @property
    def open_safety_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.open_questions if q.safety)


def assess(profile: Profile, dismissed: Dismissed = ()) -> Assessment:
    return Assessment(
        tuple(public_flags(profile, dismissed)),
        tuple(unanswered(profile)),
        len(asked(profile)),
    )
