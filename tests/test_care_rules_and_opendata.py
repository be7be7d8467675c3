"""Red flags for care at home or by telehealth, and the care facts in open data
(HSDS 3 records valid against the official schemas, schema.org JSON-LD)."""

from __future__ import annotations

import json

import pytest

from portal import vetting
from tests.factories import clean_profile, make_clinic
from tests.helpers import CARE_ANSWERS, structured_data


def codes(profile) -> dict[str, str]:
    return {flag.code: flag.reason for flag in vetting.red_flags(profile)}


def test_esketamine_only_at_home_or_by_telehealth_is_flagged():
    at_home = clean_profile(settings=("at_home",), remote_companion="clinician")
    assert "esketamine_at_home" in codes(at_home)
    assert "at home" in codes(at_home)["esketamine_at_home"]
    remote = clean_profile(settings=("telehealth",), telehealth_evaluation="video")
    assert "by telehealth" in codes(remote)["esketamine_at_home"]
    assert "esketamine_at_home" not in codes(
        clean_profile(settings=("in_clinic", "at_home"), remote_companion="clinician")
    )
    assert "esketamine_at_home" not in codes(
        clean_profile(settings=("at_home",), routes=("iv",), remote_companion="clinician")
    )


@pytest.mark.parametrize(
    ("companion", "said"),
    [
        ("nobody", '"Nobody"'),
        ("sitter", '"A trained sitter, not a clinician"'),
        (None, "does not say"),
    ],
)
def test_at_home_without_a_clinician_is_flagged_naming_the_answer(companion, said):
    reason = codes(clean_profile(settings=("at_home",), routes=("iv",), remote_companion=companion))
    assert said in reason["at_home_unsupervised"]
    assert "Who is with the patient" in reason["at_home_unsupervised"]
    fine = clean_profile(settings=("at_home",), routes=("iv",), remote_companion="clinician")
    assert "at_home_unsupervised" not in codes(fine)


@pytest.mark.parametrize(
    ("evaluation", "said"),
    [("forms_only", '"Forms or messages only, no live visit"'), (None, "does not say")],
)
def test_telehealth_without_a_live_evaluation_is_flagged_naming_the_answer(evaluation, said):
    profile = clean_profile(
        settings=("telehealth",), routes=("oral",), telehealth_evaluation=evaluation
    )
    reason = codes(profile)["telehealth_without_live_evaluation"]
    assert said in reason and "How a telehealth patient is first evaluated" in reason
    for live in ("video", "in_person"):
        fine = clean_profile(settings=("telehealth",), routes=("oral",), telehealth_evaluation=live)
        assert "telehealth_without_live_evaluation" not in codes(fine)


def test_in_clinic_only_listings_raise_none_of_the_new_flags():
    assert not {
        "esketamine_at_home",
        "at_home_unsupervised",
        "telehealth_without_live_evaluation",
    } & set(codes(clean_profile(settings=("in_clinic",))))


def test_json_ld_gives_hours_languages_and_new_patients(client):
    clinic = make_clinic(clean_profile(name="Care Clinic", settings=("in_clinic",), **CARE_ANSWERS))
    data, raw = structured_data(client, clinic.slug)
    assert data["isAcceptingNewPatients"] is True
    assert [lang["name"] for lang in data["availableLanguage"]] == [
        "English", "Spanish", "American Sign Language"]  # fmt: skip
    assert {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Friday",
        "opens": "20:00",
        "closes": "02:00",
    } in data["openingHoursSpecification"]
    assert len(data["openingHoursSpecification"]) == 3
    assert json.loads(raw) == data
