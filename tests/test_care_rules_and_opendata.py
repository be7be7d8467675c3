"""Red flags for care at home or by telehealth, and the care facts in open data
(HSDS 3 records valid against the official schemas, schema.org JSON-LD)."""

from __future__ import annotations

import json

import pytest

from portal import hsds, vetting
from tests.factories import clean_profile, make_clinic
from tests.test_opendata_hsds import API, assert_valid, get_json, schemas  # noqa: F401
from tests.test_opendata_structured_data import structured_data

CARE = dict(
    languages=("en", "es", "ase"),
    hours=(
        ("monday", "09:00", "17:00"),
        ("tuesday", "09:00", "17:00"),
        ("friday", "20:00", "02:00"),
    ),
    accessibility=("step_free_entrance", "elevator"),
    accessibility_note="Lift to every floor.",
    age_groups=("adolescents", "adults"),
    insurers=("medicare",),
    booking_url="https://book.example/clinic",
    clinicians=(("Ana Ruiz", "MD", "medical_director", "1234567893"),),
)


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


def test_hsds_records_carry_languages_schedules_and_accessibility(client, schemas):  # noqa: F811
    clinic = make_clinic(clean_profile(name="Care Clinic", settings=("in_clinic",), **CARE))
    service = get_json(client, f"{API}/services/{hsds.record_id('service', clinic.id)}")
    assert_valid(schemas.record("service"), service, "service")
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [
        ("en", "English"), ("es", "Spanish"), ("ase", "American Sign Language")]  # fmt: skip
    schedules = {(s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]}
    assert schedules == {("MO,TU", "09:00", "17:00"), ("FR", "20:00", "02:00")}
    assert all(s["freq"] == "WEEKLY" for s in service["schedules"])
    assert all("America/Los_Angeles" in s["description"] for s in service["schedules"])
    assert service["minimum_age"] == 13 and service["maximum_age"] == 64
    assert service["contacts"][0]["name"] == "Ana Ruiz"
    location = service["service_at_locations"][0]["location"]
    assert location["location_type"] == "physical"
    assert [a["description"] for a in location["accessibility"]] == [
        "Step-free entrance",
        "Elevator",
    ]
    assert location["accessibility"][0]["details"] == "Lift to every floor."
    org = get_json(client, f"{API}/organizations/{hsds.record_id('organization', clinic.id)}")
    assert_valid(schemas.record("organization"), org, "organization")


def test_a_telehealth_only_provider_has_a_virtual_location_and_service_areas(client, schemas):  # noqa: F811
    profile = clean_profile(
        name="Remote Care",
        settings=("telehealth",),
        routes=("oral",),
        telehealth_states=(("MT", "MT-1"), ("WY", "")),
        telehealth_evaluation="video",
        **CARE,
    )
    clinic = make_clinic(profile)
    sal_id = hsds.record_id("service_at_location", clinic.id)
    sal = get_json(client, f"{API}/service_at_locations/{sal_id}")
    assert_valid(schemas.record("service_at_location"), sal, "service_at_location")
    location = sal["location"]
    assert location["location_type"] == "virtual"
    assert location["url"] == "https://book.example/clinic"
    assert "latitude" not in location
    areas = sal["service"]["service_areas"]
    assert [(a["name"], a["extent"]) for a in areas] == [("Montana", "MT"), ("Wyoming", "WY")]
    assert "MT-1" in areas[0]["description"]
    listed = get_json(client, f"{API}/services?full=true&per_page=100")
    assert_valid(schemas.page("services"), listed, "services page")


def test_json_ld_gives_hours_languages_and_new_patients(client):
    clinic = make_clinic(clean_profile(name="Care Clinic", settings=("in_clinic",), **CARE))
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
