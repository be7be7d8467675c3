"""Open data: the published listings as Open Referral HSDS 3, checked against HSDS's own schemas.

The schemas live outside the repository, in ../shared/hsds-3 (a sibling of the
repo root, also in CI). Every record is validated with a draft 2020-12
validator that checks formats (uuid, email, uri, date-time).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from portal import vocab
from portal.extensions import db
from portal.models import Clinic
from portal.opendata import hsds
from portal.profile import PROFILE_FIELDS, Profile
from portal.vetting import red_flags
from tests.factories import clean_profile, make_clinic
from tests.helpers import CARE_ANSWERS

ROOT = Path(__file__).resolve().parent.parent


def _main_checkout(root: Path) -> Path:
    """The main checkout's root, also when the tests run in a git worktree."""
    dot_git = root / ".git"
    if not dot_git.is_file():
        return root
    gitdir = Path(dot_git.read_text().split(":", 1)[1].strip())
    common = gitdir / "commondir"
    common_dir = (gitdir / common.read_text().strip()).resolve() if common.exists() else gitdir
    return common_dir.parent


def _schema_dir() -> Path:
    """../shared/hsds-3 beside the repository (or beside the main checkout of a worktree)."""
    if override := os.environ.get("HSDS_SCHEMA_DIR"):
        return Path(override)
    beside_repo = ROOT.parent / "shared" / "hsds-3"
    if beside_repo.is_dir():
        return beside_repo
    return _main_checkout(ROOT).parent / "shared" / "hsds-3"


SCHEMA_DIR = _schema_dir()
COMPILED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled"
API = "/api/v1/hsds"
COLLECTIONS = {
    "organizations": "organization",
    "services": "service",
    "service_at_locations": "service_at_location",
}


# --- schemas -----------------------------------------------------------------------------


def _format_checker() -> FormatChecker:
    """The draft 2020-12 checker, plus uri and date-time (their optional packages are absent)."""
    checker = FormatChecker()

    @checker.checks("uri")
    def is_uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and " " not in value

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value) -> bool:
        if not isinstance(value, str):
            return True
        return "T" in value and datetime.fromisoformat(value) is not None

    return checker


class Schemas:
    """Validators for records (by file name) and for list pages (from HSDS's openapi.json)."""

    def __init__(self, folder: Path):
        resources = []
        for path in folder.glob("*.json"):
            resource = Resource.from_contents(
                json.loads(path.read_text("utf-8")), default_specification=DRAFT202012
            )
            resources += [(path.name, resource), (f"{COMPILED}/{path.name}", resource)]
        self.registry = Registry().with_resources(resources)
        self.format_checker = _format_checker()

    def validator(self, ref: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": ref}, registry=self.registry, format_checker=self.format_checker
        )

    def record(self, kind: str) -> Draft202012Validator:
        return self.validator(f"{kind}.json")

    def page(self, collection: str) -> Draft202012Validator:
        """HSDS's own response schema for GET /<collection> (Page + contents of *_list)."""
        pointer = f"/paths/~1{collection}/get/responses/200/content/application~1json/schema"
        return self.validator(f"openapi.json#{pointer}")


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"HSDS 3 schemas not found at {SCHEMA_DIR} (expected beside the repo)")
    return Schemas(SCHEMA_DIR)


def assert_valid(validator: Draft202012Validator, instance, what: str) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"{what}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    assert response.is_json, url
    return response.get_json()


def published_by_id() -> dict[int, Clinic]:
    clinics = db.session.scalars(select(Clinic).where(Clinic.status == "published"))
    return {clinic.id: clinic for clinic in clinics}


def ids_of(kind: str, clinics) -> set[str]:
    return {hsds.record_id(kind, clinic.id) for clinic in clinics}


# --- the schemas themselves ----------------------------------------------------------------


def test_validator_rejects_a_broken_record(schemas):
    """Guard: the validators really check (a missing name, a bad uuid, a bad status)."""
    good = {"id": str(uuid.uuid4()), "name": "A", "status": "active"}
    assert not list(schemas.record("service").iter_errors(good))
    for broken in (
        {**good, "id": "not-a-uuid"},
        {**good, "status": "open"},
        {k: v for k, v in good.items() if k != "name"},
        {**good, "url": "not a url"},
    ):
        assert list(schemas.record("service").iter_errors(broken)), broken
    assert list(schemas.page("services").iter_errors({"contents": [{"id": "x"}]}))


# --- every record of the sample data validates ---------------------------------------------


def test_every_published_record_validates_and_nothing_else_is_listed(
    client, schemas, sample_clinics
):
    published = published_by_id()
    hidden = list(db.session.scalars(select(Clinic).where(Clinic.status != "published")))
    assert (len(published), len(hidden)) == (52, 16)

    for collection, kind in COLLECTIONS.items():
        page = get_json(client, f"{API}/{collection}?per_page=100")
        assert_valid(schemas.page(collection), page, f"{collection} page")
        assert page["total_items"] == len(published)
        assert {item["id"] for item in page["contents"]} == ids_of(kind, published.values())

        full_page = get_json(client, f"{API}/{collection}?per_page=100&full=true")
        full_by_id = {item["id"]: item for item in full_page["contents"]}
        assert list(full_by_id) == [item["id"] for item in page["contents"]]

        by_record_id = {hsds.record_id(kind, cid): clinic for cid, clinic in published.items()}
        for item in page["contents"]:
            record = get_json(client, f"{API}/{collection}/{item['id']}")
            assert_valid(schemas.record(kind), record, f"{kind} {item['id']}")
            assert record == full_by_id[item["id"]]
            clinic = by_record_id[item["id"]]
            assert clinic.status == "published"
            assert clinic.name in json.dumps(record, ensure_ascii=False)

        for clinic in hidden:
            record_id = hsds.record_id(kind, clinic.id)
            error = get_json(client, f"{API}/{collection}/{record_id}", 404)["error"]
            assert error["code"] == "not_found"


def test_records_link_up_and_carry_the_listing(client, sample_clinics):
    """Each clinic's organization, service and location link up and say what its listing says."""
    today = date.today()
    for clinic in sample_clinics:
        org_id = hsds.record_id("organization", clinic.id)
        service_id = hsds.record_id("service", clinic.id)
        location_id = hsds.record_id("location", clinic.id)
        org = get_json(client, f"{API}/organizations/{org_id}")
        service = get_json(client, f"{API}/services/{service_id}")
        sal_id = service["service_at_locations"][0]["id"]
        sal = get_json(client, f"{API}/service_at_locations/{sal_id}")

        assert org["services"][0]["id"] == service_id
        assert org["locations"][0]["id"] == location_id
        assert service["organization_id"] == org_id == service["organization"]["id"]
        assert (sal["service_id"], sal["location_id"]) == (service_id, location_id)
        assert sal["service"]["organization"]["id"] == org_id

        address = sal["location"]["addresses"][0]
        assert [address[key] for key in ("address_1", "city", "state_province", "postal_code")] == [
            clinic.address,
            clinic.city,
            clinic.state,
            clinic.zip,
        ]
        location = sal["location"]
        if {"in_clinic", "at_home"} & set(clinic.settings):
            assert location["location_type"] == "physical"
            assert (location["latitude"], location["longitude"]) == (clinic.lat, clinic.lng)
        else:  # telehealth only: a virtual location with the booking link, no map position
            assert location["location_type"] == "virtual"
            assert "latitude" not in location and location["url"].startswith("https://")
        assert service["assured_date"] == clinic.verified_at.isoformat()
        assert service["assurer_email"]
        assert org["uri"] == f"http://localhost/clinics/{clinic.slug}"
        identifiers = {i["identifier"] for i in org["organization_identifiers"]}
        assert identifiers == {clinic.npi, clinic.licence_number} - {""}

        alert = service.get("alert", "")
        flags = red_flags(clinic.profile)
        for flag in flags:
            assert flag.title in alert
            assert f"red_flag:{flag.code}" in term_codes_of(service)
        assert ("Red flags" in alert) == bool(flags)
        assert ("Verification expired" in alert) == (clinic.verification_expires <= today)


def term_codes_of(service: dict) -> list[str]:
    return [a["taxonomy_term"]["code"] for a in service["attributes"]]


# --- only published clinics ------------------------------------------------------------------


def test_suspended_and_draft_clinics_are_absent_and_unknown_ids_are_404(client):
    shown = make_clinic(clean_profile(name="Open Door Clinic"))
    suspended = make_clinic(clean_profile(name="Closed Door Clinic"))
    suspended.status = "suspended"
    db.session.commit()
    hidden = [
        suspended,
        make_clinic(clean_profile(name="Draft Clinic"), status="draft"),
        make_clinic(clean_profile(name="Waiting Clinic"), status="pending"),
    ]
    for collection, kind in COLLECTIONS.items():
        page = get_json(client, f"{API}/{collection}")
        assert [item["id"] for item in page["contents"]] == [hsds.record_id(kind, shown.id)]
        get_json(client, f"{API}/{collection}/{hsds.record_id(kind, shown.id)}")
        unknown = [hsds.record_id(kind, c.id) for c in hidden]
        unknown += [str(uuid.uuid4()), "not-a-uuid", "1", hsds.record_id("location", shown.id)]
        for record_id in unknown:
            error = get_json(client, f"{API}/{collection}/{record_id}", 404)["error"]
            assert error["code"] == "not_found" and error["message"]


# --- paging ------------------------------------------------------------------------------------


def test_pages_split_the_list_in_order(client, schemas, sample_clinics):
    for collection in COLLECTIONS:
        everything = get_json(client, f"{API}/{collection}?per_page=100")["contents"]
        total = len(everything)
        per_page = 5
        last = math.ceil(total / per_page)

        second = get_json(client, f"{API}/{collection}?page=2&per_page={per_page}")
        assert_valid(schemas.page(collection), second, "page 2")
        assert second["contents"] == everything[5:10]
        assert (second["page_number"], second["size"], second["total_pages"]) == (2, 5, last)
        assert (second["total_items"], second["first_page"], second["last_page"]) == (
            total,
            False,
            False,
        )
        assert second["empty"] is False

        final = get_json(client, f"{API}/{collection}?page={last}&per_page={per_page}")
        assert final["contents"] == everything[(last - 1) * per_page :]
        assert final["last_page"] is True and final["size"] == total - (last - 1) * per_page

        beyond = get_json(client, f"{API}/{collection}?page={last + 1}&per_page={per_page}")
        assert beyond["contents"] == [] and beyond["empty"] is True and beyond["size"] == 0

        first = get_json(client, f"{API}/{collection}")
        assert first["first_page"] is True and first["size"] == 20 == len(first["contents"])
        assert first["contents"] == everything[:20]

        for size in (1, 100):
            page = get_json(client, f"{API}/{collection}?per_page={size}")
            assert page["size"] == min(size, total)
            assert page["total_pages"] == math.ceil(total / size)


def test_an_empty_directory_is_one_empty_page(client, schemas):
    for collection in COLLECTIONS:
        page = get_json(client, f"{API}/{collection}")
        assert_valid(schemas.page(collection), page, collection)
        assert (page["total_items"], page["size"], page["empty"]) == (0, 0, True)
        assert page["first_page"] is True and page["last_page"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=" + "9" * 5000, "page"),
        ("page=%D9%A3", "page"),  # an Arabic-Indic digit
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("full=maybe", "full"),
        ("search=" + "x" * 201, "search"),
    ],
)
def test_bad_paging_is_a_400_json_error(client, query, field):
    for collection in COLLECTIONS:
        error = get_json(client, f"{API}/{collection}?{query}", 400)["error"]
        assert error["code"] == "invalid_parameter"
        assert error["field"] == field
        assert field in error["message"]


# --- filters HSDS defines ----------------------------------------------------------------------


def test_taxonomy_term_filter_returns_exactly_the_services_that_carry_it(client, sample_clinics):
    """Every term's filter agrees with hsds.carried_term_codes, and the records carry the term."""
    carried = {
        hsds.record_id("service", c.id): hsds.carried_term_codes(hsds.Listing.from_clinic(c))
        for c in sample_clinics
    }
    for term in hsds.TERMS.values():
        expected = {
            service_id
            for service_id, codes in carried.items()
            if any(c == term.code or c.startswith(f"{term.code}:") for c in codes)
        }
        page = get_json(client, f"{API}/services?taxonomy_term_id={term.id}&per_page=100")
        assert {item["id"] for item in page["contents"]} == expected, term.code
        assert page["total_items"] == len(expected), term.code

    cases = {
        "route:esketamine": lambda c: "esketamine" in c.routes,
        "therapy:in_house": lambda c: c.therapy == "in_house",
        "vital_sign:ecg": lambda c: c.monitors_ecg,
        "red_flag": lambda c: bool(red_flags(c.profile)),
        "price_min": lambda c: c.price_min is not None,
    }
    for collection, code in itertools.product(("services", "service_at_locations"), cases):
        rule = cases[code]
        expected = {
            hsds.record_id(COLLECTIONS[collection], c.id) for c in sample_clinics if rule(c)
        }
        assert 0 < len(expected) < 52 or code == "price_min", code
        url = f"{API}/{collection}?taxonomy_term_id={hsds.TERMS[code].id}&per_page=7&full=true"
        page = get_json(client, url)
        assert page["total_items"] == len(expected), code
        got = set()
        for number in range(1, page["total_pages"] + 1):
            for item in get_json(client, f"{url}&page={number}")["contents"]:
                service = item["service"] if collection == "service_at_locations" else item
                codes = term_codes_of(service) + [
                    a["taxonomy_term"]["code"]
                    for option in service["cost_options"]
                    for a in option["attributes"]
                ]
                assert any(c == code or c.startswith(f"{code}:") for c in codes), code
                got.add(item["id"])
        assert got == expected, code


def test_search_and_other_filters(client, sample_clinics):
    word = "san diego"
    expected = {
        hsds.record_id("service_at_location", c.id)
        for c in sample_clinics
        if any(word in text.lower() for text in (c.name, c.description, c.city))
    }
    assert expected
    page = get_json(client, f"{API}/service_at_locations?search=San%20Diego&per_page=100&full=1")
    assert {item["id"] for item in page["contents"]} == expected
    for item in page["contents"]:
        texts = (
            item["location"]["name"],
            item["location"]["addresses"][0]["city"],
            item["service"]["organization"]["description"],
        )
        assert any(word in text.lower() for text in texts)

    assert get_json(client, f"{API}/organizations?search=%25")["total_items"] == 0

    clinic = sample_clinics[3]
    org_id = hsds.record_id("organization", clinic.id)
    page = get_json(client, f"{API}/services?organization_id={org_id}")
    assert [item["organization_id"] for item in page["contents"]] == [org_id]

    everyone = get_json(client, f"{API}/services?taxonomy_id={hsds.TAXONOMY_ID}&per_page=100")
    assert everyone["total_items"] == 52
    nobody = get_json(client, f"{API}/services?taxonomy_id={uuid.uuid4()}")
    assert nobody["total_items"] == 0 and nobody["empty"] is True
    nobody = get_json(client, f"{API}/services?taxonomy_term_id={uuid.uuid4()}")
    assert nobody["total_items"] == 0

    assert get_json(client, f"{API}/services?modified_after=2000-01-01")["total_items"] == 52
    assert get_json(client, f"{API}/services?modified_after=2999-01-01T00:00:00Z")["empty"]

    # times that leave the datetime range once moved to UTC (an OverflowError, a 500, before)
    earliest = "modified_after=0001-01-01T00:00:00%2B14:00"
    assert get_json(client, f"{API}/services?{earliest}")["total_items"] == 52
    assert get_json(client, f"{API}/services?modified_after=9999-12-31T23:59:59-14:00")["empty"]

    for query, field in (
        ("organization_id=12", "organization_id"),
        ("taxonomy_term_id=route:iv", "taxonomy_term_id"),
        ("modified_after=yesterday", "modified_after"),
        # given but empty: none of these is a UUID, a time or a number (the OpenAPI types)
        ("taxonomy_term_id=", "taxonomy_term_id"),
        ("organization_id=", "organization_id"),
        ("modified_after=", "modified_after"),
        ("page=", "page"),
        ("page=100001", "page"),
    ):
        assert get_json(client, f"{API}/services?{query}", 400)["error"]["field"] == field


# --- export ------------------------------------------------------------------------------------


def test_export_writes_the_same_valid_records_as_the_api(
    client, runner, schemas, sample_clinics, tmp_path
):
    stale = tmp_path / "organizations" / f"{uuid.uuid4()}.json"
    stale.parent.mkdir()
    stale.write_text("{}")
    result = runner.invoke(args=["export-hsds", str(tmp_path), "--base-url", "http://localhost/"])
    assert result.exit_code == 0, result.output
    assert "52 organizations" in result.output
    assert not stale.exists()

    for collection, kind in COLLECTIONS.items():
        served = get_json(client, f"{API}/{collection}?per_page=100&full=true")["contents"]
        served_by_id = {record["id"]: record for record in served}
        files = sorted((tmp_path / collection).glob("*.json"))
        assert {f.stem for f in files} == set(served_by_id) == ids_of(kind, sample_clinics)
        for path in files:
            record = json.loads(path.read_text("utf-8"))
            assert_valid(schemas.record(kind), record, str(path))
            assert record == served_by_id[path.stem]

    names_before = sorted(p.name for p in tmp_path.rglob("*.json"))
    again = runner.invoke(args=["export-hsds", str(tmp_path), "--base-url", "http://localhost/"])
    assert again.exit_code == 0
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == names_before


# --- every Profile field is mapped ---------------------------------------------------------------


def _other_value(name: str, value):
    """A different valid answer for one Profile field."""
    codes = {
        "director_discipline": vocab.DIRECTOR_DISCIPLINES,
        "session_monitor": vocab.SESSION_MONITORS,
        "therapy": vocab.THERAPY,
    }
    special = {
        "state": "NY",
        "licence_state": "NY",
        "zip": "10001",
        "email": "other@clinic.example",
        "website": "https://other-clinic.example",
        "npi": "1245319599",
        "phone": "(212) 555-0199",
        "routes": ("im", "oral"),
        "conditions": ("anxiety", "migraine"),
        "payment_options": ("financing",),
        "settings": ("telehealth",),
        "languages": ("en", "es"),
        "accessibility": ("elevator",),
        "age_groups": ("adults",),
        "insurers": ("medicare",),
        "telehealth_states": (("MT", "MT-123"),),
        "hours": (("friday", "20:00", "02:00"),),
        "timezone": "America/Denver",
        "booking_url": "https://book.example/now",
        "clinicians": (("Ana Ruiz", "MD", "prescriber", "1234567893"),),
        "telehealth_evaluation": "video",
        "remote_companion": "sitter",
        "remote_monitoring": True,
        "first_dose_supervised": True,
    }
    if name in special:
        return special[name]
    if name in codes:
        return next(code for code in codes[name] if code != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return 3
    return f"{value} (changed)"


def _all_records(profile: Profile) -> str:
    listing = hsds.Listing(
        clinic_id=7,
        slug="a-clinic",
        profile=profile,
        latitude=32.7,
        longitude=-117.1,
        verified_at=date(2026, 6, 1),
        verification_expires=date(2027, 6, 1),
        last_confirmed_at=datetime(2026, 6, 1, 12),
        updated_at=datetime(2026, 6, 1, 12),
    )
    ctx = hsds.Context("https://example.org/", datetime(2026, 7, 1), "check@example.org")
    records = [
        build(listing, ctx) for _kind, *builders in hsds.COLLECTIONS.values() for build in builders
    ]
    return json.dumps(records, sort_keys=True)


@pytest.mark.parametrize("name", PROFILE_FIELDS)
def test_changing_any_answer_changes_the_hsds_records(schemas, name):
    base = clean_profile(
        safety_notes="Two nurses.",
        plan_notes="Six sessions.",
        cost_notes="No hidden fees.",
        experience_notes="Since 2018.",
        therapy_notes="Weekly integration.",
    )
    changed = dataclasses.replace(base, **{name: _other_value(name, getattr(base, name))})
    assert getattr(changed, name) != getattr(base, name)
    assert _all_records(changed) != _all_records(base), f"{name} does not reach the HSDS records"


def test_a_licence_state_without_a_number_still_reaches_the_records(schemas):
    base = clean_profile(licence_number="", licence_state="CA")
    moved = dataclasses.replace(base, licence_state="NV")
    assert _all_records(moved) != _all_records(base)
    assert "Nevada" in _all_records(moved)


def test_every_profile_field_is_in_the_mapping_table_and_the_docs():
    assert set(hsds.FIELD_MAPPING) == set(PROFILE_FIELDS)
    docs = (ROOT / "docs" / "hsds-mapping.md").read_text("utf-8")
    for name in PROFILE_FIELDS:
        assert f"`{name}`" in docs, name
    for term in hsds.TERMS.values():
        assert f"`{term.code}`" in docs or term.parent, term.code


def test_ids_are_stable_uuid5_and_distinct():
    first = {kind: hsds.record_id(kind, 1) for kind in ("organization", "service", "location")}
    assert all(uuid.UUID(value).version == 5 for value in first.values())
    assert len(set(first.values())) == 3
    assert hsds.record_id("service", 1) == str(uuid.uuid5(hsds.NAMESPACE, "clinic/1/service"))
    assert hsds.record_id("service", 2) != hsds.record_id("service", 1)
    assert len(hsds.TERMS_BY_ID) == len(hsds.TERMS)


def test_openapi_paths_cover_every_hsds_route(app):
    paths = hsds.COLLECTIONS
    from portal.opendata.openapi_paths import hsds_openapi_paths

    described = hsds_openapi_paths()
    routes = {rule.rule for rule in app.url_map.iter_rules() if "/hsds/" in rule.rule}
    assert {p.replace("{id}", "<record_id>") for p in described} == routes
    for collection in paths:
        assert described[f"/api/v1/hsds/{collection}"]["get"]["responses"]["400"]


# --- care beyond the clinic door (issue 17) ---


def test_hsds_records_carry_languages_schedules_and_accessibility(client, schemas):
    clinic = make_clinic(clean_profile(name="Care Clinic", settings=("in_clinic",), **CARE_ANSWERS))
    service = get_json(client, f"{API}/services/{hsds.record_id('service', clinic.id)}")
    assert_valid(schemas.record("service"), service, "service")
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [
        ("en", "English"), ("es", "Spanish"), ("ase", "American Sign Language")]  # fmt: skip
    assert all(s["freq"] == "WEEKLY" for s in service["schedules"])
    assert all("America/Los_Angeles" in s["description"] for s in service["schedules"])
    assert service["languages"]
    # HSDS reads a time without an offset as UTC: each carries the zone's offset that day.
    for moment, offset, hours in (
        (datetime(2026, 7, 1, 12, tzinfo=UTC), "-07:00", -7),
        (datetime(2026, 1, 15, 12, tzinfo=UTC), "-08:00", -8),
    ):
        client.application.config["CLOCK"] = lambda moment=moment: moment
        service = get_json(client, f"{API}/services/{hsds.record_id('service', clinic.id)}")
        assert_valid(schemas.record("service"), service, "service")
        schedules = {
            (s["byday"], s["opens_at"], s["closes_at"], s["timezone"]) for s in service["schedules"]
        }
        assert schedules == {
            ("MO,TU", "09:00" + offset, "17:00" + offset, hours),
            ("FR", "20:00" + offset, "02:00" + offset, hours),
        }
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


def test_a_telehealth_only_provider_has_a_virtual_location_and_service_areas(client, schemas):
    profile = clean_profile(
        name="Remote Care",
        settings=("telehealth",),
        routes=("oral",),
        telehealth_states=(("MT", "MT-1"), ("WY", "")),
        telehealth_evaluation="video",
        **CARE_ANSWERS,
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
    assert {area["extent_type"] for area in areas} == {"text"}  # HSDS's enum
    assert [(a["name"], a["extent"]) for a in areas] == [("Montana", "MT"), ("Wyoming", "WY")]
    assert "MT-1" in areas[0]["description"]
    listed = get_json(client, f"{API}/services?full=true&per_page=100")
    assert_valid(schemas.page("services"), listed, "services page")
