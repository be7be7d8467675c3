"""After a search the results come first: a summary line, removable filter chips, a folded panel."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qsl, urlsplit

from portal import vocab
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


def test_care_filters_have_chips_too():
    """Every filter the care issue added shows as a chip, so "Filters (n)" counts it."""
    query = SearchQuery(
        location="59001",
        settings=("telehealth",),
        languages=("es",),
        insurers=("medicare",),
        age_groups=("adolescents",),
        accessibility=("elevator",),
        open_now=True,
    )
    assert [chip.label for chip in filter_chips(query)] == [
        "By telehealth",
        "Takes Medicare",
        "Speaks Spanish",
        "Treats adolescents (13-17)",
        "Elevator",
        "Open now",
    ]
    assert [len(filter_chips(chip.without)) for chip in filter_chips(query)] == [5] * 6


def test_every_filter_of_a_search_has_a_chip():
    """A filter added to SearchQuery without a chip would be counted nowhere."""
    not_filters = {"location", "radius_miles", "sort", "page", "per_page"}
    values = {"verified": True, "accepting": True, "open_now": True, "max_price": 300}
    for field in dataclasses.fields(SearchQuery):
        if field.name in not_filters:
            continue
        value = values.get(field.name, ("x",))
        query = SearchQuery(location="92101", **{field.name: value})
        if isinstance(value, tuple):
            query = _with_known_code(query, field.name)
        assert len(filter_chips(query)) == 1, field.name


def _with_known_code(query, attribute):
    vocabularies = {
        "routes": vocab.ROUTES,
        "conditions": vocab.CONDITIONS,
        "therapy": vocab.THERAPY,
        "payment": vocab.PAYMENT_OPTIONS,
        "settings": vocab.SETTINGS,
        "languages": vocab.LANGUAGES,
        "insurers": vocab.INSURERS,
        "age_groups": vocab.AGE_GROUPS,
        "accessibility": vocab.ACCESSIBILITY,
    }
    return dataclasses.replace(query, **{attribute: (next(iter(vocabularies[attribute])),)})
