"""The active filters of a search as removable chips: the one-line summary on small screens.

Each chip names one filter in the patient's words and carries the search without
it, so removing a filter is a plain link (no JavaScript) that keeps everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from portal import vocab
from portal.search.service import SearchQuery


@dataclass(frozen=True)
class Chip:
    label: str
    without: SearchQuery  # the same search with this filter taken off, from page 1


def filter_chips(query: SearchQuery) -> list[Chip]:
    """One chip per filter value in use, in the order of the filter panel."""
    chips: list[Chip] = []
    for attribute, vocabulary, prefix in (
        ("settings", vocab.SETTINGS, ""),
        ("routes", vocab.ROUTES, ""),
        ("conditions", vocab.CONDITIONS, "Treats "),
        ("therapy", vocab.THERAPY, ""),
        ("payment", vocab.PAYMENT_OPTIONS, ""),
        ("insurers", vocab.INSURERS, "Takes "),
        ("languages", vocab.LANGUAGES, "Speaks "),
        ("age_groups", vocab.AGE_GROUPS, "Treats "),
        ("accessibility", vocab.ACCESSIBILITY, ""),
    ):
        chosen: tuple[str, ...] = getattr(query, attribute)
        for code in chosen:
            label = vocabulary[code]
            if prefix == "Treats ":
                label = label[0].lower() + label[1:] if not label[:2].isupper() else label
            rest = tuple(other for other in chosen if other != code)
            chips.append(Chip(prefix + label, replace(query, **{attribute: rest}, page=1)))
    if query.open_now:
        chips.append(Chip("Open now", replace(query, open_now=False, page=1)))
    if query.max_price is not None:
        chips.append(
            Chip(f"Up to ${query.max_price:,} a session", replace(query, max_price=None, page=1))
        )
    if query.verified:
        chips.append(Chip("Verified only", replace(query, verified=False, page=1)))
    if query.accepting:
        chips.append(Chip("Accepting new patients", replace(query, accepting=False, page=1)))
    return chips
