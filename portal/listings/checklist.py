"""What a moderator checks before approving, as stored on the verification."""

from __future__ import annotations

from dataclasses import dataclass

from portal.credentials import npi_check
from portal.listings.errors import ModerationError
from portal.profile import Profile

# The checklist boxes a moderator must tick before approving, with what each one means.
APPROVAL_CHECKS: dict[str, str] = {
    "address_plausible": "the address and map position are plausible",
    "answers_plausible": "the answers are plausible",
    "red_flags_reviewed": "the red flags were reviewed",
}
# Asked only of a provider that treats by telehealth: patients in each listed state see it.
TELEHEALTH_CHECK = "telehealth_licences_checked_how"
TELEHEALTH_CHECK_TEXT = "the licence in each telehealth state was looked up (say how)"


@dataclass(frozen=True)
class Checklist:
    """What a moderator checked before verifying; stored on the verification."""

    npi_check_passed: bool | None = None
    licence_state: str = ""
    licence_number: str = ""
    licence_checked_how: str = ""
    address_plausible: bool = False
    answers_plausible: bool = False
    red_flags_reviewed: bool = False
    telehealth_licences_checked_how: str = ""
    notes: str = ""

    def missing(self, profile: Profile) -> list[str]:
        """The boxes of APPROVAL_CHECKS left unticked, and the telehealth licences'
        look-up when the provider lists telehealth states."""
        missing = [name for name in APPROVAL_CHECKS if not getattr(self, name)]
        if profile.telehealth_states and not self.telehealth_licences_checked_how:
            missing.append(TELEHEALTH_CHECK)
        return missing


class ChecklistIncomplete(ModerationError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "Before approving, confirm that "
            + join_and(
                [
                    {**APPROVAL_CHECKS, TELEHEALTH_CHECK: TELEHEALTH_CHECK_TEXT}[name]
                    for name in missing
                ]
            )
            + ". Tick each box once you have checked it."
        )


def join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def checklist_from(
    profile: Profile,
    *,
    licence_state: str,
    licence_number: str,
    licence_checked_how: str,
    address_plausible: bool,
    answers_plausible: bool,
    red_flags_reviewed: bool,
    notes: str,
    telehealth_licences_checked_how: str = "",
) -> Checklist:
    """The checklist as stored: the NPI result is computed, never typed in."""
    return Checklist(
        npi_check_passed=npi_check(profile.npi),
        licence_state=(licence_state or "").strip().upper(),
        licence_number=(licence_number or "").strip(),
        licence_checked_how=(licence_checked_how or "").strip(),
        address_plausible=bool(address_plausible),
        answers_plausible=bool(answers_plausible),
        red_flags_reviewed=bool(red_flags_reviewed),
        telehealth_licences_checked_how=(telehealth_licences_checked_how or "").strip(),
        notes=(notes or "").strip(),
    )
