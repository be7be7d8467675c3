"""GET /api/v1/clinics, /api/v1/clinics/<id> and /api/openapi.json."""

from __future__ import annotations

import re
from datetime import date

import pytest
from openapi_spec_validator import validate as validate_openapi

from portal import vocab
from portal.api import openapi
from portal.extensions import db
from portal.profile import PROFILE_FIELDS
from portal.vetting import red_flags
from tests.factories import clean_profile, make_clinic
from tests.helpers import schema_validator

BAD_API_QUERIES = [
    ({}, "missing_location", "location"),
    ({"location": ""}, "missing_location", "location"),
    ({"location": "  \t "}, "missing_location", "location"),
    ({"location": "\x00"}, "missing_location", "location"),
    ({"location": "x" * 5000}, "unknown_location", "location"),
    ({"location": "<script>alert(1)</script>"}, "unknown_location", "location"),
    ({"location": "%00"}, "unknown_location", "location"),
    ({"location": "\U0001f642"}, "unknown_location", "location"),
    ({"location": "'; DROP TABLE clinics; --"}, "unknown_location", "location"),
    ({"location": "Atlantis, ZZ"}, "unknown_location", "location"),
    ({"location": "00000"}, "unknown_location", "location"),
    ({"location": "92101", "radius": "-10"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "0"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "0.5"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "250.01"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "9" * 400}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "1e3"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "inf"}, "invalid_radius", "radius"),
    ({"location": "92101", "radius": "far"}, "invalid_radius", "radius"),
    ({"location": "92101", "route": "iv", "condition": "flu"}, "unknown_code", "condition"),
    ({"location": "92101", "route": ["iv", "teleport"]}, "unknown_code", "route"),
    ({"location": "92101", "therapy": "hugs"}, "unknown_code", "therapy"),
    ({"location": "92101", "payment": "bitcoin"}, "unknown_code", "payment"),
    ({"location": "92101", "sort": "rating"}, "unknown_code", "sort"),
    ({"location": "92101", "verified": "yes please"}, "invalid_value", "verified"),
    ({"location": "92101", "accepting": "2"}, "invalid_value", "accepting"),
    ({"location": "92101", "max_price": "abc"}, "invalid_number", "max_price"),
    ({"location": "92101", "max_price": "-5"}, "invalid_number", "max_price"),
    ({"location": "92101", "max_price": "4.50"}, "invalid_number", "max_price"),
    ({"location": "92101", "max_price": "9" * 30}, "invalid_number", "max_price"),
    ({"location": "92101", "page": "0"}, "invalid_page", "page"),
    ({"location": "92101", "page": "-3"}, "invalid_page", "page"),
    ({"location": "92101", "page": "1.5"}, "invalid_page", "page"),
    ({"location": "92101", "page": "9" * 30}, "invalid_page", "page"),
    ({"location": "92101", "per_page": "1000"}, "invalid_page", "per_page"),
    ({"location": "92101", "per_page": "0"}, "invalid_page", "per_page"),
    ({"location": "92101", "per_page": "many"}, "invalid_page", "per_page"),
]


@pytest.mark.parametrize(("params", "code", "field"), BAD_API_QUERIES)
def test_bad_input_gets_a_json_error_with_code_and_field(app, client, params, code, field):
    response = client.get("/api/v1/clinics", query_string=params)
    assert response.status_code == 400
    assert response.is_json
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["field"] == field
    message = body["error"]["message"]
    assert 20 < len(message) < 300
    schema_validator(app, "Error").validate(body)


def test_error_messages_explain_what_is_accepted(client):
    def message(**params) -> str:
        return client.get("/api/v1/clinics", query_string=params).get_json()["error"]["message"]

    assert "ZIP code" in message(location="Atlantis, ZZ")
    assert "Austin, TX" in message(location="")
    assert "between 1 and 250 miles" in message(location="92101", radius="300")
    assert "iv, im, esketamine, oral" in message(location="92101", route="teleport")
    assert "distance, experience, price" in message(location="92101", sort="rating")
    assert "1 to 100" in message(location="92101", per_page="1000")


def test_search_answer_follows_the_contract_and_the_spec(app, client):
    clinic = make_clinic(clean_profile(name="Harbor Test Clinic", treatments_administered=None))
    response = client.get("/api/v1/clinics?location=92101")
    assert response.status_code == 200
    body = response.get_json()
    schema_validator(app, "SearchResults").validate(body)
    assert body["location"] == {
        "query": "92101",
        "label": "San Diego, CA 92101",
        "lat": 32.7185,
        "lng": -117.1593,
    }
    assert (body["radius_miles"], body["total"], body["page"], body["per_page"]) == (25, 1, 1, 20)
    [result] = body["results"]
    assert result["id"] == clinic.id
    assert result["url"] == f"/clinics/{clinic.slug}"
    assert result["routes"] == ["iv", "esketamine"]
    assert result["conditions"] == ["depression", "ptsd"]
    assert (result["price_min"], result["price_max"], result["therapy"]) == (450, 700, "in_house")
    assert result["verified"] is True
    assert result["verified_at"] == date.today().isoformat()
    assert result["verification_expires"] == clinic.verification_expires.isoformat()
    assert [flag["code"] for flag in result["red_flags"]] == ["unknown_experience"]
    assert result["red_flags"][0]["reason"]


def test_one_clinic_has_every_structured_answer(app, client):
    clinic = make_clinic(clean_profile(name="Harbor", recovery_minutes=0))
    response = client.get(f"/api/v1/clinics/{clinic.id}")
    assert response.status_code == 200
    body = response.get_json()
    schema_validator(app, "Clinic").validate(body)
    profile = clinic.profile.to_dict()
    for name in PROFILE_FIELDS:
        assert body[name] == profile[name], name
    assert (body["lat"], body["lng"]) == (clinic.lat, clinic.lng)
    assert body["verified"] is True and body["verification_state"] == "current"
    assert body["verified_at"] == clinic.verified_at.isoformat()
    assert body["verification_expires"] == clinic.verification_expires.isoformat()
    assert body["last_confirmed_at"]
    assert [flag["code"] for flag in body["red_flags"]] == [
        flag.code for flag in red_flags(clinic.profile)
    ]
    assert "no_recovery_period" in [flag["code"] for flag in body["red_flags"]]


def test_unpublished_or_missing_clinics_are_404_json(app, client):
    pending = make_clinic(clean_profile(name="Pending"), status="pending")
    suspended = make_clinic(clean_profile(name="Suspended"))
    suspended.status = "suspended"
    db.session.commit()
    validator = schema_validator(app, "Error")
    for path in (
        f"/api/v1/clinics/{pending.id}",
        f"/api/v1/clinics/{suspended.id}",
        "/api/v1/clinics/999999",
        "/api/v1/clinics/0",
        "/api/v1/clinics/99999999999999999999999",
        "/api/v1/clinics/abc",
        "/api/v1/clinics/-1",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        validator.validate(response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"


def offline(document):
    """The document with remote $refs (the official HSDS schemas) stubbed, so that
    validating it never fetches anything; the HSDS tests check those schemas."""
    if isinstance(document, dict):
        if str(document.get("$ref", "")).startswith(("http://", "https://")):
            return {"type": "object"}
        return {key: offline(value) for key, value in document.items()}
    if isinstance(document, list):
        return [offline(item) for item in document]
    return document


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate_openapi(offline(spec))


def test_openapi_parameters_list_the_vocabulary_codes(client):
    spec = client.get("/api/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/clinics"]["get"]["parameters"]}
    assert set(parameters) == {
        "location", "radius", "route", "condition", "therapy", "payment",
        "verified", "accepting", "max_price", "sort", "page", "per_page",
        "setting", "language", "insurer", "age_group", "accessibility", "open_now",
    }  # fmt: skip
    assert parameters["location"]["required"] is True
    for name, vocabulary in (
        ("route", vocab.ROUTES),
        ("condition", vocab.CONDITIONS),
        ("therapy", vocab.THERAPY),
        ("payment", vocab.PAYMENT_OPTIONS),
        ("setting", vocab.SETTINGS),
        ("language", vocab.LANGUAGES),
        ("insurer", vocab.INSURERS),
        ("age_group", vocab.AGE_GROUPS),
        ("accessibility", vocab.ACCESSIBILITY),
    ):
        assert parameters[name]["schema"]["items"]["enum"] == list(vocabulary)
    assert parameters["sort"]["schema"]["enum"] == list(vocab.SORTS)
    assert parameters["radius"]["schema"]["minimum"] == 1
    assert parameters["radius"]["schema"]["maximum"] == 250
    assert parameters["per_page"]["schema"]["maximum"] == 100
    clinic = spec["components"]["schemas"]["Clinic"]["properties"]
    assert clinic["routes"]["items"]["enum"] == list(vocab.ROUTES)
    assert clinic["therapy"]["enum"] == [*vocab.THERAPY, None]
    assert set(PROFILE_FIELDS) <= set(clinic)


def test_openapi_paths_are_the_app_routes(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {re.sub(r"\{\w+\}", "<>", path) for path in spec["paths"]}
    served = {
        re.sub(r"<[^>]+>", "<>", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert documented == served


def test_other_modules_can_add_paths_and_schemas(client, monkeypatch):
    monkeypatch.setattr(openapi, "_PATH_BUILDERS", list(openapi._PATH_BUILDERS))
    monkeypatch.setattr(openapi, "_SCHEMA_BUILDERS", list(openapi._SCHEMA_BUILDERS))

    @openapi.add_schemas
    def extra_schemas():
        return {"Thing": {"type": "object"}}

    @openapi.add_paths
    def extra_paths():
        return {
            "/api/things": {
                "get": {"responses": {"200": openapi.json_response("Things.", "Thing")}}
            }
        }

    spec = client.get("/api/openapi.json").get_json()
    assert "/api/things" in spec["paths"] and "/api/v1/clinics" in spec["paths"]
    assert "Thing" in spec["components"]["schemas"]
    validate_openapi(offline(spec))

    openapi.add_paths(lambda: {"/api/v1/clinics": {}})
    with pytest.raises(ValueError, match="defined twice"):
        openapi.spec()
