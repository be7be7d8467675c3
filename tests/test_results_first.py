"""After a search the results come first: a summary line, removable filter chips, a folded panel."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from portal.search.chips import filter_chips
from portal.search.service import SearchQuery


def chips(html: str) -> dict[str, str]:
    """{chip label: the link that removes it}."""
    found = re.findall(
        r'<a class="chip" href="([^"]+)">'
        r'<span class="sr-only">Remove filter: </span>([^<]+?) <span',
        html,
    )
    return {label: href.replace("&amp;", "&") for href, label in found}


def test_active_filters_become_chips_each_removing_only_itself(client, sample_clinics):
    html = client.get(
        "/search?location=92101&radius=50&route=iv&route=esketamine&condition=ptsd&verified=1&page=2"
    ).get_data(as_text=True)
    found = chips(html)
    assert list(found) == [
        "IV infusion",
        "Esketamine nasal spray (Spravato)",
        "Treats PTSD",
        "Verified only",
    ]
    args = parse_qsl(urlsplit(found["IV infusion"]).query)
    assert args == [
        ("location", "92101"),
        ("radius", "50"),
        ("route", "esketamine"),
        ("condition", "ptsd"),
        ("verified", "1"),
    ]
    assert "Filters (4)" in html


def test_after_a_search_the_panel_is_folded_before_it_is_open(client, sample_clinics):
    searched = client.get("/search?location=92101").get_data(as_text=True)
    assert '<details class="search-panel" id="search-panel">' in searched
    assert "Filters (0)" in searched
    assert "Ketamine clinics near San Diego, CA 92101" in searched
    nothing_yet = client.get("/search").get_data(as_text=True)
    assert '<details class="search-panel" id="search-panel" open>' in nothing_yet
    mistake = client.get("/search?location=Atlantis%2C+ZZ").get_data(as_text=True)
    assert '<details class="search-panel" id="search-panel" open>' in mistake


def test_every_kind_of_filter_has_a_chip():
    query = SearchQuery(
        location="92101",
        therapy=("in_house",),
        payment=("sliding_scale",),
        accepting=True,
        max_price=450,
        conditions=("depression",),
    )
    assert [chip.label for chip in filter_chips(query)] == [
        "Treats depression",
        "Therapy offered in house",
        "Sliding-scale prices",
        "Up to $450 a session",
        "Accepting new patients",
    ]
    assert [len(filter_chips(chip.without)) for chip in filter_chips(query)] == [4] * 5
    assert filter_chips(SearchQuery(location="92101")) == []
