"""Checks on the sample clinics in seeds/clinics.json.

Plain data checks: no app, no database. The red flags and NPI checks are the
portal's own (`portal.vetting`, `portal.credentials`), so the sample data shows
every rule firing somewhere.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import zipcodes

from portal import vetting, vocab
from portal.credentials import npi_is_valid
from portal.profile import (
    FREE_TEXT_FIELDS,
    LIST_FIELDS,
    PROFILE_FIELDS,
    TRI_STATE_FIELDS,
    Profile,
)

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "clinics.json"
# The day the file's dates describe; `flask seed` moves them so this day becomes today.
TODAY = date.fromisoformat(json.loads(SEED_FILE.read_text("utf-8"))["dates_as_of"])
RADIUS_MILES = 25.0

# Metro name -> the ZIP codes its clinics must lie within RADIUS_MILES of.
METROS: dict[str, tuple[str, ...]] = {
    "San Diego": ("92101",),
    "Austin": ("78701",),
    "New York": ("10001", "10118"),
    "Los Angeles": ("90012",),
    "Chicago": ("60601",),
    "Houston": ("77002",),
    "Phoenix": ("85004",),
    "Denver": ("80202",),
    "Seattle": ("98101",),
    "Portland": ("97205",),
    "Miami": ("33131",),
    "Atlanta": ("30303",),
    "Boston": ("02108",),
    "Nashville": ("37203",),
    "Minneapolis": ("55401",),
    "Philadelphia": ("19103",),
}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHONE = re.compile(r"^\((\d{3})\) 555-01\d\d$")
WEBSITE = re.compile(r"^https://([a-z0-9]+(?:-[a-z0-9]+)*\.example)$")
EMAIL = re.compile(r"^[a-z0-9._-]+@([a-z0-9]+(?:-[a-z0-9]+)*\.example)$")


# --- helpers ---------------------------------------------------------------


@cache
def load() -> dict:
    with SEED_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def clinics() -> list[dict]:
    return load()["clinics"]


def profiles() -> list[dict]:
    return [entry["profile"] for entry in clinics()]


@cache
def zip_record(code: str) -> dict | None:
    found = zipcodes.matching(code)
    return found[0] if found else None


def miles(zip_a: str, zip_b: str) -> float:
    a, b = zip_record(zip_a), zip_record(zip_b)
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a["lat"]), float(a["long"]), float(b["lat"]), float(b["long"]))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 3958.8 * 2 * math.asin(math.sqrt(h))


def metro_of(zip_code: str) -> str | None:
    """The metro whose every anchor ZIP lies within the radius of this ZIP."""
    for metro, anchors in METROS.items():
        if all(miles(zip_code, anchor) <= RADIUS_MILES for anchor in anchors):
            return metro
    return None


def npi_valid(npi: str) -> bool:
    return npi_is_valid(npi)


def red_flags(p: dict) -> set[str]:
    """The codes of the red-flag rules (portal.vetting) this profile trips."""
    return {flag.code for flag in vetting.red_flags(Profile.from_dict(p))}


def by_status(status: str) -> list[dict]:
    return [entry for entry in clinics() if entry["status"] == status]


# --- file shape ------------------------------------------------------------


def test_file_is_marked_as_sample_data():
    data = load()
    assert data["sample_data"] is True
    assert "fictional" in data["note"].lower()
    assert len(clinics()) >= 64


def test_slugs_and_names_are_unique():
    slugs = [entry["slug"] for entry in clinics()]
    assert all(SLUG.match(slug) for slug in slugs)
    assert len(set(slugs)) == len(slugs)
    names = [p["name"] for p in profiles()]
    assert len(set(names)) == len(names)


def test_every_profile_has_every_field_and_round_trips():
    for entry in clinics():
        p = entry["profile"]
        assert set(p) == set(PROFILE_FIELDS), entry["slug"]
        for key in LIST_FIELDS:
            assert isinstance(p[key], list), (entry["slug"], key)
        assert Profile.from_dict(p).to_dict() == p, entry["slug"]
        assert Profile.from_dict(p).missing_for_submission() == [], entry["slug"]


# --- places and contacts ---------------------------------------------------


def test_zip_codes_exist_in_the_stated_state_and_city():
    for p in profiles():
        record = zip_record(p["zip"])
        assert record is not None, p["zip"]
        assert record["state"] == p["state"], p["zip"]
        assert p["city"] in [record["city"], *record["acceptable_cities"]], (p["zip"], p["city"])
        assert p["state"] in vocab.US_STATES
        assert p["licence_state"] == p["state"]
        assert p["licence_number"]


def test_metros_have_about_four_clinics_each_on_different_zips():
    per_metro: dict[str, list[str]] = {}
    for p in profiles():
        metro = metro_of(p["zip"])
        assert metro is not None, f"{p['name']} ({p['zip']}) is in none of the metros"
        per_metro.setdefault(metro, []).append(p["zip"])
    assert set(per_metro) == set(METROS)
    for metro, zips in per_metro.items():
        assert 4 <= len(zips) <= 6, metro
        assert len(set(zips)) == len(zips), f"{metro} has two clinics on one ZIP"


def test_phones_websites_and_emails_are_fictional():
    phones = []
    for p in profiles():
        match = PHONE.match(p["phone"])
        assert match, p["phone"]
        assert match.group(1) in zip_record(p["zip"])["area_codes"], (p["phone"], p["zip"])
        phones.append(p["phone"])
        site = WEBSITE.match(p["website"])
        assert site, p["website"]
        if p["email"]:
            mail = EMAIL.match(p["email"])
            assert mail, p["email"]
            assert mail.group(1) == site.group(1)
    assert len(set(phones)) == len(phones)


# --- codes and variety -----------------------------------------------------


@pytest.mark.parametrize(
    ("key", "allowed", "at_least"),
    [
        ("routes", vocab.ROUTES, 3),
        ("conditions", vocab.CONDITIONS, 3),
        ("payment_options", vocab.PAYMENT_OPTIONS, 2),
    ],
)
def test_list_codes_are_known_and_all_used(key, allowed, at_least):
    used = Counter(code for p in profiles() for code in p[key])
    assert set(used) == set(allowed)
    assert min(used.values()) >= at_least, used
    for p in profiles():
        assert p[key], (p["name"], key)
        assert len(set(p[key])) == len(p[key])


@pytest.mark.parametrize(
    ("key", "allowed", "at_least"),
    [
        ("therapy", vocab.THERAPY, 3),
        ("director_discipline", vocab.DIRECTOR_DISCIPLINES, 3),
        ("session_monitor", vocab.SESSION_MONITORS, 1),
    ],
)
def test_single_codes_are_known_and_all_used(key, allowed, at_least):
    used = Counter(p[key] for p in profiles())
    assert set(used) == set(allowed)
    assert min(used.values()) >= at_least, used


def test_prices_and_fees():
    for p in profiles():
        assert isinstance(p["price_min"], int) and isinstance(p["price_max"], int)
        assert 300 <= p["price_min"] <= p["price_max"] <= 1600, p["name"]
        assert p["consultation_fee"] is None or 0 <= p["consultation_fee"] <= 500
    assert min(p["price_min"] for p in profiles()) <= 400
    assert max(p["price_max"] for p in profiles()) >= 1400
    assert sum(p["consultation_fee"] is not None for p in profiles()) >= len(profiles()) // 2


def test_experience_and_plans():
    counts = [p["treatments_administered"] for p in profiles()]
    known = [n for n in counts if n is not None]
    assert 2 <= counts.count(None) <= 3
    assert min(known) <= 60 and max(known) >= 8000
    assert all(n > 0 for n in known)
    for p in profiles():
        assert 1 <= p["years_offering"] <= 12
        assert 4 <= p["induction_sessions"] <= 8
        assert 1 <= p["induction_weeks"] <= 6
        assert p["fasting_hours"] is None or 0 < p["fasting_hours"] <= 12
    closed = sum(not p["accepting_new_patients"] for p in profiles())
    assert 2 <= closed <= len(profiles()) // 8


def test_free_texts_are_short():
    for p in profiles():
        assert p["description"], p["name"]
        for name in FREE_TEXT_FIELDS:
            text = p[name]
            assert len(text) <= 240, (p["name"], name)
            assert len(re.findall(r"[.!?](?:\s|$)", text)) <= 2, (p["name"], name)
    texts = Counter(p[name] for p in profiles() for name in FREE_TEXT_FIELDS if p[name])
    assert max(texts.values()) <= 2, texts.most_common(1)


# --- NPIs ------------------------------------------------------------------


def test_npis_mostly_valid_with_a_few_for_moderators_to_catch():
    npis = [p["npi"] for p in profiles()]
    given = [n for n in npis if n]
    assert all(re.fullmatch(r"\d{10}", n) for n in given)
    invalid = [n for n in given if not npi_valid(n)]
    assert 2 <= len(invalid) <= 3
    assert 2 <= npis.count("") <= 5
    assert len(set(given)) == len(given)


def test_npi_check_matches_the_published_example():
    assert npi_valid("1234567893")
    assert not npi_valid("1234567890")


# --- statuses and dates ----------------------------------------------------


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, day.day)


def test_statuses_and_verification_dates():
    published, pending = by_status("published"), by_status("pending")
    assert len(published) + len(pending) == len(clinics())
    assert 44 <= len(published) <= 52
    assert 12 <= len(pending) <= 20
    assert all(entry["verified_on"] is None for entry in pending)
    expired = 0
    for entry in published:
        verified = date.fromisoformat(entry["verified_on"])
        assert verified <= TODAY
        if verified < _months_before(TODAY, 12):
            expired += 1
        else:
            assert verified >= _months_before(TODAY, 11), entry["slug"]
    assert 5 <= expired <= 7
    for entry in clinics():
        confirmed = date.fromisoformat(entry["last_confirmed_on"])
        assert confirmed <= TODAY
        if entry["verified_on"]:
            assert confirmed >= date.fromisoformat(entry["verified_on"])


def test_pending_clinics_are_spread_across_metros():
    metros = {metro_of(entry["profile"]["zip"]) for entry in by_status("pending")}
    assert len(metros) >= 12


# --- red flags -------------------------------------------------------------


def test_about_ten_published_and_four_pending_clinics_raise_red_flags():
    flagged_published = [e for e in by_status("published") if red_flags(e["profile"])]
    flagged_pending = [e for e in by_status("pending") if red_flags(e["profile"])]
    assert (
        8 <= len(flagged_published) <= 14
    )  # 14: No to emergency training or pharma grade flags too
    assert 3 <= len(flagged_pending) <= 8  # 8: pending at-home/telehealth samples trip their rules


def test_every_red_flag_rule_is_tripped_somewhere():
    seen = Counter(flag for p in profiles() for flag in red_flags(p))
    assert set(seen) == set(vetting.FLAG_CODES)


def test_every_sample_clinic_states_every_yes_no_fact():
    """The sample data says Yes or No to each three-valued fact, never leaves it unstated."""
    for p in profiles():
        for name in TRI_STATE_FIELDS:
            assert isinstance(p.get(name), bool), (p["name"], name)


def test_clean_clinics_are_clean_on_every_count():
    for p in profiles():
        if red_flags(p):
            continue
        assert p["screens_medical_history"] and p["screens_psychiatric_evaluation"]
        assert p["session_monitor"] in ("physician", "nurse")
        assert p["monitors_blood_pressure"] and p["monitors_heart_rate"] and p["monitors_oxygen"]
        assert p["recovery_minutes"] >= (120 if "esketamine" in p["routes"] else 30), p["name"]
        assert p["transport_required"]
        assert p["therapy"] != "none"
        assert p["treatments_administered"] is not None
        assert not p["offers_home_iv"] or p["in_person_evaluation"]
