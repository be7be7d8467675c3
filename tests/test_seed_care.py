"""The sample data lets every care filter find something (issue 17): plain data checks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from portal import hours, vocab
from portal.credentials import npi_is_valid
from portal.profile import Profile

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "clinics.json"
CLINICS = json.loads(SEED_FILE.read_text("utf-8"))["clinics"]
PUBLISHED = [Profile.from_dict(e["profile"]) for e in CLINICS if e["status"] == "published"]


def test_every_filter_code_is_used_by_some_published_clinic():
    for kind in ("settings", "languages", "insurers", "age_groups", "accessibility"):
        used = {code for p in PUBLISHED for code in getattr(p, kind)}
        assert used == set(getattr(vocab, kind.upper())), kind


def test_at_least_six_speak_spanish_and_eight_treat_at_home_or_by_telehealth():
    assert sum("es" in p.languages for p in PUBLISHED) >= 6
    remote = [p for p in PUBLISHED if {"at_home", "telehealth"} & set(p.settings)]
    assert len(remote) >= 8


def test_telehealth_licences_cover_every_state_and_dc():
    covered = {
        state for p in PUBLISHED if "telehealth" in p.settings for state, _n in p.telehealth_states
    }
    assert covered >= set(vocab.US_STATES) - {"PR"}
    assert "MT" in covered and "DC" in covered


def test_hours_are_valid_and_most_in_clinic_samples_state_them():
    in_clinic = [p for p in PUBLISHED if "in_clinic" in p.settings]
    with_hours = [p for p in in_clinic if p.hours]
    assert len(with_hours) >= len(in_clinic) - 4
    assert any(closes <= opens for p in PUBLISHED for _d, opens, closes in p.hours)
    for p in PUBLISHED:
        assert hours.overlap(p.hours) is None, p.name
        for day, opens, closes in p.hours:
            assert hours.parse_day(
                day, f"{opens}-{closes}" + (" next day" if closes < opens else "")
            )


def test_clinicians_have_valid_npis_and_known_roles():
    roles = Counter()
    for p in PUBLISHED:
        assert p.clinicians, p.name
        for _name, _credential, role, npi in p.clinicians:
            assert npi_is_valid(npi)
            roles[role] += 1
    assert set(roles) == set(vocab.CLINICIAN_ROLES)


def test_booking_links_are_https():
    links = [p.booking_url for p in PUBLISHED if p.booking_url]
    assert len(links) >= 10
    assert all(link.startswith("https://") for link in links)
