"""Search and API on the care facts: every filter holds on every result, "open now"
at an injected instant, and telehealth providers licensed in the searched state."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from portal import hours, vocab
from tests.helpers import schema_validator

# One ZIP in each sample metro: at 250 miles they reach every listed clinic.
METROS = ("92101", "10001", "60601", "77002", "80202", "98101", "33131", "30303", "02108",
          "37203", "55401")  # fmt: skip
CODE_FILTERS = {
    "setting": ("settings", vocab.SETTINGS),
    "language": ("languages", vocab.LANGUAGES),
    "insurer": ("insurers", vocab.INSURERS),
    "age_group": ("age_groups", vocab.AGE_GROUPS),
    "accessibility": ("accessibility", vocab.ACCESSIBILITY),
}
# Tuesday 1 December 2026, 15:00 UTC: 10:00 in New York, 09:00 Chicago, 07:00 Los Angeles.
TUESDAY_MORNING = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
# Saturday 5 December 2026, 00:30 in Chicago: only a clinic open past Friday midnight.
SATURDAY_AFTER_MIDNIGHT = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)


def api(client, **params) -> dict:
    response = client.get("/api/v1/clinics", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def everywhere(client, **params) -> list[dict]:
    """Every result of the metros' searches at the widest radius (each clinic once)."""
    found = {}
    for location in METROS:
        for result in api(client, location=location, radius=250, per_page=100, **params)["results"]:
            found[result["id"]] = result
    return list(found.values())


@pytest.fixture
def clock(app):
    """Set the instant the site believes it is (the app's injectable clock)."""

    def set_to(instant: datetime) -> None:
        app.config["CLOCK"] = lambda: instant

    yield set_to
    app.config.pop("CLOCK", None)


@pytest.mark.parametrize("name", CODE_FILTERS)
def test_each_care_filter_holds_on_every_result(client, sample_clinics, name):
    attribute, vocabulary = CODE_FILTERS[name]
    unfiltered = everywhere(client)
    for code in vocabulary:
        results = everywhere(client, **{name: code})
        for result in results:
            assert code in result[attribute], (name, code, result["slug"])
        expected = {r["id"] for r in unfiltered if code in r[attribute]}
        assert {r["id"] for r in results} == expected, (name, code)
    some = [code for code in vocabulary if any(code in r[attribute] for r in unfiltered)]
    assert some == list(vocabulary), f"{name}: sample data leaves filters empty"


# Telehealth providers span many states: searching each state reaches every one of them.
STATE_ZIPS = ("59001", "82001", "83702", "87102", "99501", "96813", "04101", "05401", "58501")


def telehealth_everywhere(client, **params) -> list[dict]:
    found = {}
    for location in STATE_ZIPS + METROS:
        for provider in api(client, location=location, **params)["telehealth"]:
            found[provider["id"]] = provider
    return list(found.values())


@pytest.mark.parametrize("name", [n for n in CODE_FILTERS if n != "setting"])
def test_each_care_filter_holds_in_the_telehealth_section_too(client, sample_clinics, name):
    """The section beside the results passes the same filters: a patient who asks for
    Spanish is never offered a provider who does not say it speaks Spanish."""
    attribute, vocabulary = CODE_FILTERS[name]
    unfiltered = telehealth_everywhere(client)
    narrowed_somewhere = False
    for code in vocabulary:
        providers = telehealth_everywhere(client, **{name: code})
        for provider in providers:
            assert code in provider[attribute], (name, code, provider["slug"])
        narrowed_somewhere |= len(providers) < len(unfiltered)
    assert narrowed_somewhere


def test_the_telehealth_section_follows_the_other_filters_and_settings(client, sample_clinics):
    everyone = api(client, location="59001")["telehealth"]
    assert everyone
    assert api(client, location="59001", setting="in_clinic")["telehealth"] == []
    assert api(client, location="59001", setting=["in_clinic", "telehealth"])["telehealth"]
    verified = api(client, location="59001", verified=1)["telehealth"]
    assert all(provider["verified"] for provider in verified)
    # No sample provider speaks Navajo: no section, and no pointer to one.
    assert api(client, location="59001", language="nv")["telehealth"] == []
    page = client.get("/search?location=59001&language=nv").get_data(as_text=True)
    assert "telehealth-pointer" not in page and 'id="telehealth"' not in page


def test_open_now_holds_in_the_telehealth_section(client, sample_clinics, clock):
    clock(TUESDAY_MORNING)
    assert telehealth_everywhere(client, open_now=1)
    for instant in (TUESDAY_MORNING, SATURDAY_AFTER_MIDNIGHT):
        clock(instant)
        every = telehealth_everywhere(client)
        open_ones = telehealth_everywhere(client, open_now=1)
        assert {p["id"] for p in open_ones} == {p["id"] for p in every if p["open_now"]}


def test_languages_insurers_ages_and_access_must_all_hold_settings_any(client, sample_clinics):
    rich = next(
        r for r in everywhere(client) if len(r["languages"]) >= 2 and len(r["insurers"]) >= 2
    )
    languages, insurers = rich["languages"][:2], rich["insurers"][-2:]
    both = everywhere(client, language=languages, insurer=insurers)
    assert rich["id"] in {r["id"] for r in both}
    for result in both:
        assert set(languages) <= set(result["languages"])
        assert set(insurers) <= set(result["insurers"])
    either = everywhere(client, setting=["at_home", "telehealth"])
    assert either
    for result in either:
        assert {"at_home", "telehealth"} & set(result["settings"])
    adults = everywhere(client, age_group=["adults", "older_adults"], accessibility="elevator")
    for result in adults:
        assert {"adults", "older_adults"} <= set(result["age_groups"])
        assert "elevator" in result["accessibility"]


def _open_at(client, result: dict, instant: datetime) -> bool | None:
    """Decide "open" from the clinic's own answer, independently of the search."""
    clinic = client.get(f"/api/v1/clinics/{result['id']}").get_json()
    spans = [(s["day"], s["opens"], s["closes"]) for s in clinic["hours"]]
    return hours.open_now(spans, clinic["local_timezone"], instant)


def test_open_now_follows_the_injected_clock_in_each_clinics_zone(client, sample_clinics, clock):
    clock(TUESDAY_MORNING)
    for location in ("10001", "60601", "90036", "80202"):
        unfiltered = api(client, location=location, radius=100, per_page=100)["results"]
        for result in unfiltered:
            assert result["open_now"] == _open_at(client, result, TUESDAY_MORNING), result["slug"]
        open_ones = api(client, location=location, radius=100, per_page=100, open_now=1)
        assert all(result["open_now"] is True for result in open_ones["results"])
        assert {r["id"] for r in open_ones["results"]} == {
            r["id"] for r in unfiltered if r["open_now"]
        }, location
    # 10:00 in New York: clinics are open; 07:00 in Los Angeles: none opens before 07:30.
    assert api(client, location="10001", per_page=100, open_now=1)["total"] > 0
    assert api(client, location="90036", per_page=100, open_now=1)["total"] == 0
    # Clinics that state no hours are neither open nor closed.
    unknown = [r for r in everywhere(client) if r["open_now"] is None]
    assert unknown and all(not _open_at(client, r, TUESDAY_MORNING) for r in unknown)


def test_open_now_past_midnight(client, sample_clinics, clock):
    clock(SATURDAY_AFTER_MIDNIGHT)
    found = api(client, location="60601", per_page=100, open_now=1)
    assert [r["slug"] for r in found["results"]] == ["lincoln-grove-ketamine-clinic"]
    clock(datetime(2026, 12, 5, 7, 30, tzinfo=UTC))  # 01:30 Saturday: closed at 01:00
    assert api(client, location="60601", per_page=100, open_now=1)["total"] == 0


def test_the_clock_changes_the_answer_even_when_answers_are_cached(
    app, client, sample_clinics, clock
):
    app.config["SEARCH_CACHE_SECONDS"] = 60
    clock(SATURDAY_AFTER_MIDNIGHT)
    assert api(client, location="60601", open_now=1)["total"] == 1
    clock(datetime(2026, 12, 5, 7, 30, tzinfo=UTC))
    assert api(client, location="60601", open_now=1)["total"] == 0


def test_a_search_from_montana_lists_telehealth_providers_licensed_there(client, sample_clinics):
    body = api(client, location="59001")
    schema_validator(client.application, "SearchResults").validate(body)
    assert body["results"] == []
    telehealth = body["telehealth"]
    assert 1 <= len(telehealth) <= 10
    for provider in telehealth:
        assert "MT" in [item["state"] for item in provider["telehealth_states"]], provider
        assert "telehealth" in provider["settings"]
        detail = client.get(f"/api/v1/clinics/{provider['id']}").get_json()
        assert "MT" in [item["state"] for item in detail["telehealth_states"]]

    page = client.get("/search", query_string={"location": "59001"}).get_data(as_text=True)
    section = page[page.index('id="telehealth"') :]
    section = section[: section.index("</section>")]
    assert "Telehealth in Montana" in section
    names = re.findall(r'class="telehealth-name"><a href="/clinics/([^"]+)"', section)
    assert names == [provider["slug"] for provider in telehealth]
    assert "No clinics found" in page[: page.index('id="telehealth"')]

    # Nothing in the radius: the nearest clinics (never a telehealth-only provider) come
    # first, then the telehealth section, then the help lines.
    assert len(body["nearest"]) == 3
    for result in body["nearest"]:
        assert {"in_clinic", "at_home"} & set(result["settings"]), result["slug"]
        assert f'href="/clinics/{result["slug"]}"' in page[: page.index('id="telehealth"')]
    assert page.index('id="nearest-heading"') < page.index('id="telehealth"')
    assert page.index('id="telehealth"') < page.index('id="help-lines-heading"')
    # ...and the "nothing near you" message points to them at once, before the far clinics.
    pointer = re.search(
        r'<p class="telehealth-pointer"><a href="#telehealth">(\d+) telehealth', page
    )
    assert pointer and int(pointer.group(1)) == len(telehealth)
    assert page.index("telehealth-pointer") < page.index('id="nearest-heading"')


def test_telehealth_only_providers_are_never_listed_as_nearby(client, sample_clinics):
    body = api(client, location="19102", radius=50, per_page=100)
    nearby = {r["slug"] for r in body["results"]}
    assert "atlantic-telehealth-ketamine" not in nearby
    assert "atlantic-telehealth-ketamine" in {p["slug"] for p in body["telehealth"]}
    for result in everywhere(client):
        assert {"in_clinic", "at_home"} & set(result["settings"]), result["slug"]


def test_every_state_and_dc_has_a_telehealth_provider(client, sample_clinics):
    capitals = {
        "MT": "59601", "DC": "20001", "AK": "99801", "HI": "96813", "VT": "05602",
        "WY": "82001", "ND": "58501", "ME": "04330", "NV": "89701", "WV": "25301",
    }  # fmt: skip
    for state, zip_code in capitals.items():
        providers = api(client, location=zip_code)["telehealth"]
        assert providers, state
        for provider in providers:
            assert state in [item["state"] for item in provider["telehealth_states"]]


def test_results_carry_the_care_facts_and_the_page_shows_insurance_and_languages(
    client, sample_clinics
):
    unstated = 0
    for location in ("33131", "90401"):  # Santa Monica has a clinic that names no insurer
        body = api(client, location=location, per_page=100)
        schema_validator(client.application, "SearchResults").validate(body)
        page = client.get(f"/search?location={location}&per_page=100").get_data(as_text=True)
        cards = page.split('<li class="result" ')[1:]
        assert len(cards) == len(body["results"])
        for result, card in zip(body["results"], cards, strict=True):
            for key in ("settings", "languages", "insurers", "age_groups", "accessibility"):
                assert isinstance(result[key], list)
            assert result["open_now"] in (True, False, None)
            assert "Insurance accepted" in card and "Languages" in card
            for code in result["insurers"]:
                assert vocab.INSURERS[code] in card
            for code in result["languages"]:
                assert vocab.LANGUAGES[code] in card
            insurance = card[card.index("Insurance accepted") :].split("</dd>")[0]
            if not result["insurers"]:  # not stated is never "none"
                assert "Not stated: ask them" in insurance and "None" not in insurance
                unstated += 1
    assert unstated


@pytest.mark.parametrize("name", [*CODE_FILTERS, "open_now"])
def test_unknown_codes_are_refused_naming_the_parameter(client, name):
    value = "maybe" if name == "open_now" else "klingon"
    response = client.get("/api/v1/clinics", query_string={"location": "92101", name: value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == name
    assert error["code"] == ("invalid_value" if name == "open_now" else "unknown_code")
    page = client.get("/search", query_string={"location": "92101", name: value})
    assert page.status_code == 400
    assert f'id="{name}-error"' in page.get_data(as_text=True)


def test_clinic_detail_carries_every_care_field(client, sample_clinics, clock):
    clock(TUESDAY_MORNING)
    clinic = next(c for c in sample_clinics if c.slug == "lincoln-grove-ketamine-clinic")
    body = client.get(f"/api/v1/clinics/{clinic.id}").get_json()
    schema_validator(client.application, "Clinic").validate(body)
    assert body["local_timezone"] == "America/Chicago"
    assert body["open_now"] is True  # 09:00 on a Tuesday in Chicago
    assert {"day": "friday", "opens": "12:00", "closes": "01:00"} in body["hours"]
    assert all(len(c["npi"]) == 10 for c in body["clinicians"])
    listing = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    assert "Open now" in listing and "12:00–01:00 (next day)" in listing
