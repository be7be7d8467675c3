"""Arbitrary input never makes the site answer 500 (hypothesis), and the API keeps its schema.

Each test counts the examples it ran; `pytest -s tests/test_fuzzing.py` prints them.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import vocab
from tests.factories import clean_profile
from tests.helpers import form_data

EXAMPLES = Counter()
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Any text a URL or form can carry: controls, RTL marks, emoji, long strings (no lone surrogates).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "0", "-1", "1e309", "0x10", "25.5", " 7 ", "NaN", "١٢"]),
)


def codes(vocabulary) -> st.SearchStrategy:
    return st.lists(st.one_of(st.sampled_from(sorted(vocabulary)), any_text), max_size=4)


search_params = st.fixed_dictionaries(
    {},
    optional={
        "location": st.one_of(
            st.sampled_from(["92101", "San Diego, CA", "10001", "Austin, TX", "99999"]),
            any_text,
        ),
        "radius": numbers,
        "route": codes(vocab.ROUTES),
        "condition": codes(vocab.CONDITIONS),
        "therapy": codes(vocab.THERAPY),
        "verified": st.one_of(st.sampled_from(["1", "0", "true", ""]), any_text),
        "max_price": numbers,
        "sort": st.one_of(st.sampled_from(["distance", "experience", "price"]), any_text),
        "page": numbers,
        "per_page": numbers,
        "unknown": any_text,
    },
)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print("\nhypothesis examples run:", dict(EXAMPLES), "total", sum(EXAMPLES.values()))


def test_search_page_never_answers_500(app, client, sample_clinics):
    @FUZZ
    @given(params=search_params)
    def search(params):
        EXAMPLES["search page"] += 1
        response = client.get("/search", query_string=params)
        assert response.status_code in (200, 400), params

    search()
    assert EXAMPLES["search page"] >= 100


def test_search_api_never_answers_500_and_errors_are_json(app, client, sample_clinics):
    @FUZZ
    @given(params=search_params)
    def search(params):
        EXAMPLES["search API"] += 1
        response = client.get("/api/v1/clinics", query_string=params)
        assert response.status_code in (200, 400), params
        if response.status_code == 400:
            assert set(response.json["error"]) >= {"code", "message"}
        else:
            assert response.json["total"] >= 0

    search()
    assert EXAMPLES["search API"] >= 100


def test_clinic_api_ids_never_answer_500(app, client, sample_clinics):
    @FUZZ
    @given(clinic_id=st.one_of(st.integers(-(10**20), 10**20).map(str), any_text))
    def one(clinic_id):
        EXAMPLES["clinic API id"] += 1
        path = clinic_id.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        response = client.get("/api/v1/clinics/" + path)
        assert response.status_code in (200, 404), clinic_id

    one()


PROFILE_TEXT = [
    "name",
    "description",
    "address",
    "city",
    "zip",
    "phone",
    "website",
    "email",
    "npi",
    "licence_number",
    "experience_notes",
    "safety_notes",
    "therapy_notes",
    "plan_notes",
    "cost_notes",
]
PROFILE_NUMBERS = [
    "treatments_administered",
    "years_offering",
    "recovery_minutes",
    "fasting_hours",
    "induction_sessions",
    "induction_weeks",
    "price_min",
    "price_max",
    "consultation_fee",
]
PROFILE_CHOICES = [
    "state",
    "licence_state",
    "director_discipline",
    "session_monitor",
    "therapy",
    "routes",
    "conditions",
    "payment_options",
    "version",
    "action",
]

profile_changes = st.fixed_dictionaries(
    {},
    optional={
        **{name: any_text for name in PROFILE_TEXT},
        **{name: numbers for name in PROFILE_NUMBERS},
        **{name: st.one_of(any_text, st.lists(any_text, max_size=3)) for name in PROFILE_CHOICES},
    },
)


def test_profile_form_never_answers_500(app, staff):
    staff.login()
    token_page = staff.client.get("/dashboard/clinics/new").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(token_page)
    statuses = Counter()

    @FUZZ
    @given(changes=profile_changes)
    def submit(changes):
        EXAMPLES["profile form"] += 1
        data = {**form_data(clean_profile()), **changes, "csrf_token": token}
        response = staff.client.post("/dashboard/clinics/new", data=data)
        statuses[response.status_code] += 1
        assert response.status_code in (303, 422), changes

    submit()
    assert statuses[422] > 0  # the fuzzing reached the validation, not only the happy path
    assert EXAMPLES["profile form"] >= 100


# --- schemathesis --------------------------------------------------------------------------


def test_api_matches_its_openapi_schema(app, sample_clinics):
    """Every operation of /api/openapi.json, called through the WSGI app: no 500, schema kept."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = Counter()
    for operation in operations:
        _fuzz_operation(operation, checks, cases)()
    EXAMPLES["schemathesis operations"] = len(operations)
    EXAMPLES["schemathesis cases"] = sum(cases.values())
    assert len(operations) >= 9 and all(cases[op.label] > 0 for op in operations)


def _fuzz_operation(operation, checks, cases: Counter):
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[*HealthCheck])
    @given(case=operation.as_strategy())
    def call(case):
        cases[operation.label] += 1
        response = case.call()
        case.validate_response(response, checks=checks)

    return call
