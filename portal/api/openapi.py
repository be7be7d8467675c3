"""The OpenAPI 3.1 description of the API, written by hand and served at /api/openapi.json.

Other modules add their endpoints without editing this file: decorate a
function that returns `{path: path item}` with `@add_paths`, and one that
returns `{name: schema}` with `@add_schemas`; `spec()` calls them all on each
request. Codes come from portal.vocab, so the spec cannot drift from the
forms; tests validate real responses against these schemas.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

from portal import vocab
from portal.api import openapi_care
from portal.profile import (
    FIELD_LABELS,
    LIST_VOCABULARIES,
    REMOTE_TRI_STATE_FIELDS,
    TRI_STATE_FIELDS,
    Profile,
)
from portal.search import service
from portal.search.forms import ERROR_CODES
from portal.vetting import FLAG_CODES, QUESTIONS

PathBuilder = Callable[[], dict[str, Any]]
SchemaBuilder = Callable[[], dict[str, Any]]

# The licence of the published listings as open data (the /api page and docs/api.md say it too).
DATA_LICENCE = {
    "name": "Creative Commons Attribution 4.0 International",
    "identifier": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}

_PATH_BUILDERS: list[PathBuilder] = []
_SCHEMA_BUILDERS: list[SchemaBuilder] = []


def add_paths(builder: PathBuilder) -> PathBuilder:
    """Register a function returning {path: OpenAPI path item}; usable as a decorator."""
    _PATH_BUILDERS.append(builder)
    return builder


def add_schemas(builder: SchemaBuilder) -> SchemaBuilder:
    """Register a function returning {name: schema} for components/schemas."""
    _SCHEMA_BUILDERS.append(builder)
    return builder


def spec() -> dict[str, Any]:
    """The whole document; a path or schema defined twice is a programming error."""
    paths: dict[str, Any] = {}
    for build in _PATH_BUILDERS:
        _merge(paths, build(), "path")
    _add_common_responses(paths)
    schemas: dict[str, Any] = {}
    for build in _SCHEMA_BUILDERS:
        _merge(schemas, build(), "schema")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ketamine Clinic Finder API",
            "version": "1.0.0",
            "summary": "Published ketamine clinics near a US place, with their structured answers.",
            "description": (
                "Read-only and free to use. Every clinic answers the three questions to ask "
                "a provider (experience, safety monitoring, therapy) in structured form; red "
                "flags are computed from those answers. Searches are not logged. Every GET "
                "answers with `Access-Control-Allow-Origin: *`, so any web page may call it "
                "(without cookies or credentials). The data may be reused under CC BY 4.0; "
                "a readable guide with examples is at /api."
            ),
            "license": {"name": DATA_LICENCE["name"], "identifier": DATA_LICENCE["identifier"]},
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


# Answers any operation can give before the app sees the request.
COMMON_RESPONSES = {
    "414": {
        "description": (
            "The request line is longer than the web server accepts (gunicorn: 4,094 bytes); "
            "answered by the server as plain text."
        )
    },
}

# A parameter's text: no control characters (the API answers 400 `invalid_parameter`).
PRINTABLE = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"


def _add_common_responses(paths: dict[str, Any]) -> None:
    for item in paths.values():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                for status, response in COMMON_RESPONSES.items():
                    operation["responses"].setdefault(status, response)


def _merge(into: dict[str, Any], new: dict[str, Any], kind: str) -> None:
    for key, value in new.items():
        if key in into:
            raise ValueError(f"OpenAPI {kind} {key!r} is defined twice")
        into[key] = value


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema_name: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


def _codes(vocabulary: dict[str, str]) -> list[str]:
    return list(vocabulary)


def _describe_codes(vocabulary: dict[str, str]) -> str:
    return "; ".join(f"`{code}`: {text}" for code, text in vocabulary.items())


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


# --- the search API ----------------------------------------------------------------------


def _code_parameter(name: str, vocabulary: dict[str, str], rule: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{rule} Codes: {_describe_codes(vocabulary)}.",
        "schema": {"type": "array", "items": {"type": "string", "enum": _codes(vocabulary)}},
        "style": "form",
        "explode": True,
    }


def _flag_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{description} `1` (also true/on/yes) or `0` (also false/off/no).",
        "schema": {"type": "string", "enum": ["1", "0", "true", "false", "on", "off", "yes", "no"]},
    }


def search_parameters() -> list[dict[str, Any]]:
    """The query parameters of GET /api/v1/clinics (and of the /search page)."""
    return [
        {
            "name": "location",
            "in": "query",
            "required": True,
            "description": (
                'A US ZIP code ("92101"), a city and state ("Austin, TX"), or an address '
                'ending in a ZIP code ("350 5th Ave, New York, NY 10118").'
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        {
            "name": "radius",
            "in": "query",
            "required": False,
            "description": "Distance from the location in miles.",
            "schema": {
                "type": "number",
                "minimum": service.MIN_RADIUS,
                "maximum": service.MAX_RADIUS,
                "default": service.DEFAULT_RADIUS,
            },
        },
        _code_parameter("route", vocab.ROUTES, "Ways ketamine is given; a clinic must offer all."),
        _code_parameter(
            "condition", vocab.CONDITIONS, "Conditions treated; a clinic must treat all."
        ),
        _code_parameter(
            "therapy", vocab.THERAPY, "How therapy is combined; a clinic may match any."
        ),
        _code_parameter("payment", vocab.PAYMENT_OPTIONS, "Payment help; a clinic must offer all."),
        _flag_parameter(
            "verified", "Only clinics whose verification is current (not yet expired)."
        ),
        _flag_parameter("accepting", "Only clinics accepting new patients."),
        *openapi_care.care_parameters(_flag_parameter),
        {
            "name": "max_price",
            "in": "query",
            "required": False,
            "description": "Dollars: only clinics whose lowest price per session is at most this.",
            "schema": {"type": "integer", "minimum": 0, "maximum": service.MAX_PRICE_LIMIT},
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": (
                "Order of the results; ties are broken by distance. `experience`: most "
                "treatments administered first; `price`: lowest price per session first; "
                "clinics that do not state the value come last."
            ),
            "schema": {"type": "string", "enum": _codes(vocab.SORTS), "default": "distance"},
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "1-based page number; a page past the last gives an empty list.",
            "schema": {"type": "integer", "minimum": 1, "maximum": service.MAX_PAGE, "default": 1},
        },
        {
            "name": "per_page",
            "in": "query",
            "required": False,
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": service.MAX_PER_PAGE,
                "default": service.DEFAULT_PER_PAGE,
            },
        },
    ]


@add_paths
def clinic_paths() -> dict[str, Any]:
    return {
        "/api/v1/clinics": {
            "get": {
                "operationId": "searchClinics",
                "summary": "Published clinics near a place",
                "description": (
                    "Clinics within `radius` miles of `location` that pass every filter, "
                    "nearest first unless `sort` says otherwise."
                ),
                "parameters": search_parameters(),
                "responses": {
                    "200": json_response("One page of results.", "SearchResults"),
                    "400": json_response(
                        "A parameter is missing, out of range or unknown, or the location "
                        "could not be found (`unknown_location`).",
                        "Error",
                    ),
                    "429": json_response(
                        "Too many requests from this address in a short time (`rate_limited`); "
                        "`Retry-After` says when to try again.",
                        "Error",
                    ),
                    "503": json_response(
                        "The online geocoder (when configured) failed or timed out "
                        "(`geocoder_unavailable`), or the site cannot check its request limits "
                        "right now (`unavailable`).",
                        "Error",
                    ),
                },
            }
        },
        "/api/v1/clinics/{id}": {
            "get": {
                "operationId": "getClinic",
                "summary": "One published clinic with every structured answer",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                    }
                ],
                "responses": {
                    "200": json_response("The clinic.", "Clinic"),
                    "404": json_response("No published clinic has this id (`not_found`).", "Error"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "An OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


# --- schemas -----------------------------------------------------------------------------

_ENUMS: dict[str, dict[str, str]] = {
    "director_discipline": vocab.DIRECTOR_DISCIPLINES,
    "session_monitor": vocab.SESSION_MONITORS,
    "therapy": vocab.THERAPY,
    "telehealth_evaluation": vocab.TELEHEALTH_EVALUATIONS,
    "remote_companion": vocab.REMOTE_COMPANIONS,
}
_COUNTS = {"treatments_administered", "years_offering", "recovery_minutes", "fasting_hours"}
_COUNTS |= {"induction_sessions", "induction_weeks", "price_min", "price_max", "consultation_fee"}


def _profile_property(field: dataclasses.Field) -> dict[str, Any]:
    """A Profile field as a schema: types from the dataclass, codes from vocab."""
    hint = typing.get_type_hints(Profile)[field.name]
    optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
    base = next(arg for arg in typing.get_args(hint) or (hint,) if arg is not type(None))
    if field.name in openapi_care.RECORD_FIELD_SCHEMAS:
        schema: dict[str, Any] = {
            "type": "array",
            "items": ref(openapi_care.RECORD_FIELD_SCHEMAS[field.name]),
        }
    elif field.name in LIST_VOCABULARIES:
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": _codes(LIST_VOCABULARIES[field.name])},
        }
    elif field.name in _ENUMS:
        schema = {"type": "string", "enum": _codes(_ENUMS[field.name])}
    elif base is bool:
        schema = {"type": "boolean"}
    elif base is int:
        schema = {"type": "integer", "minimum": 0} if field.name in _COUNTS else {"type": "integer"}
    else:
        schema = {"type": "string"}
    if optional:
        schema = _nullable(schema)
    schema["description"] = FIELD_LABELS[field.name]
    if field.name in TRI_STATE_FIELDS + REMOTE_TRI_STATE_FIELDS:
        schema["description"] += " (null: not stated; false only for a stated No)"
    return schema


def _date(description: str, nullable: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "format": "date", "description": description}
    if nullable:
        schema["type"] = ["string", "null"]
    return schema


def _coordinate(description: str, limit: int) -> dict[str, Any]:
    return {
        "type": ["number", "null"],
        "minimum": -limit,
        "maximum": limit,
        "description": description,
    }


@add_schemas
def clinic_schemas() -> dict[str, Any]:
    profile_fields = dataclasses.fields(Profile)
    codes_array = {"type": "array", "items": {"type": "string"}}
    summary_properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "address": {"type": "string"},
        "city": {"type": "string"},
        "state": {"type": "string"},
        "zip": {"type": "string"},
        "lat": _coordinate("Latitude of the clinic's address.", 90),
        "lng": _coordinate("Longitude of the clinic's address.", 180),
        "distance_miles": {
            "type": "number",
            "minimum": 0,
            "description": "Great-circle distance from the searched place, to 0.1 mile.",
        },
        "routes": {**codes_array, "items": {"type": "string", "enum": _codes(vocab.ROUTES)}},
        "conditions": {
            **codes_array,
            "items": {"type": "string", "enum": _codes(vocab.CONDITIONS)},
        },
        "therapy": _nullable({"type": "string", "enum": _codes(vocab.THERAPY)}),
        "session_monitor": _nullable({"type": "string", "enum": _codes(vocab.SESSION_MONITORS)}),
        "treatments_administered": {"type": ["integer", "null"], "minimum": 0},
        "price_min": {"type": ["integer", "null"], "minimum": 0},
        "price_max": {"type": ["integer", "null"], "minimum": 0},
        "payment_options": {
            **codes_array,
            "items": {"type": "string", "enum": _codes(vocab.PAYMENT_OPTIONS)},
        },
        "accepting_new_patients": {
            "type": ["boolean", "null"],
            "description": "null: the clinic has not stated it (never read it as false).",
        },
        "verified": {
            "type": "boolean",
            "description": "True while a moderator's verification is current.",
        },
        "verified_at": _date("When a moderator last verified the listing."),
        "verification_expires": _date("The day the verification lapses."),
        "red_flags": {"type": "array", "items": ref("RedFlag")},
        "answered": {
            "type": "integer",
            "minimum": 0,
            "description": "How many of the questions to ask a clinic its listing answers.",
        },
        "questions": {
            "type": "integer",
            "minimum": 1,
            "description": "How many questions the portal asks a provider like this one "
            "(at-home and telehealth providers are asked more).",
        },
        "url": {"type": "string", "description": "The listing page on this site."},
        **openapi_care.summary_properties(),
    }
    clinic_properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "url": {"type": "string", "description": "The listing page on this site."},
        **{field.name: _profile_property(field) for field in profile_fields},
        "lat": summary_properties["lat"],
        "lng": summary_properties["lng"],
        "verified": summary_properties["verified"],
        "verification_state": {
            "type": "string",
            "enum": ["current", "expired", "none"],
            "description": "Whether the verification is current, has lapsed, or never happened.",
        },
        "verified_at": summary_properties["verified_at"],
        "verification_expires": summary_properties["verification_expires"],
        "last_confirmed_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the clinic last confirmed its answers (UTC).",
        },
        "red_flags": summary_properties["red_flags"],
        "answered": summary_properties["answered"],
        "questions": summary_properties["questions"],
        "unanswered_questions": {
            "type": "array",
            "items": {"type": "string", "enum": [q.field for q in QUESTIONS]},
            "description": "The answers the listing leaves unstated: questions to ask the clinic.",
        },
        "open_now": openapi_care.OPEN_NOW,
    }
    clinic_properties["local_timezone"] = {
        "type": "string",
        "description": "The IANA zone its hours are read in: `timezone` when the clinic "
        "names one, else the zone at its address.",
    }
    return {
        **openapi_care.RECORD_SCHEMAS,
        "TelehealthProvider": openapi_care.telehealth_provider_schema(summary_properties, ref),
        "RedFlag": {
            "type": "object",
            "description": "A rule that fires on the clinic's own answers, with the reason.",
            "required": ["code", "title", "reason"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": list(FLAG_CODES)},
                "title": {"type": "string"},
                "reason": {"type": "string"},
            },
        },
        "ClinicSummary": {
            "type": "object",
            "required": list(summary_properties),
            "additionalProperties": False,
            "properties": summary_properties,
        },
        "Clinic": {
            "type": "object",
            "required": list(clinic_properties),
            "additionalProperties": False,
            "properties": clinic_properties,
        },
        "SearchResults": {
            "type": "object",
            "required": [
                "location",
                "radius_miles",
                "total",
                "page",
                "per_page",
                "pages",
                "results",
                "telehealth",
                "nearest",
            ],  # fmt: skip
            "additionalProperties": False,
            "properties": {
                "location": {
                    "type": "object",
                    "required": ["query", "label", "lat", "lng"],
                    "additionalProperties": False,
                    "properties": {
                        "query": {"type": "string", "description": "What was asked."},
                        "label": {"type": "string", "description": "The place it resolved to."},
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "lng": {"type": "number", "minimum": -180, "maximum": 180},
                    },
                },
                "radius_miles": {
                    "type": "number",
                    "minimum": service.MIN_RADIUS,
                    "maximum": service.MAX_RADIUS,
                },
                "total": {"type": "integer", "minimum": 0, "description": "Results on all pages."},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": service.MAX_PER_PAGE},
                "pages": {"type": "integer", "minimum": 1},
                "results": {"type": "array", "items": ref("ClinicSummary")},
                "telehealth": {
                    "type": "array",
                    "maxItems": 10,
                    "items": ref("TelehealthProvider"),
                    "description": "Telehealth providers licensed in the searched place's "
                    "state, whatever the distance.",
                },
                "nearest": {
                    "type": "array",
                    "maxItems": service.NEAREST_COUNT,
                    "items": ref("ClinicSummary"),
                    "description": (
                        "Empty unless no clinic is within the radius: then the "
                        f"{service.NEAREST_COUNT} published clinics closest to the place that "
                        "pass the other filters, at any distance (`distance_miles`), nearest first."
                    ),
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {
                            "type": "string",
                            "description": "Stable, for programs. Search errors: "
                            + ", ".join(f"`{code}`" for code in _search_error_codes())
                            + ".",
                            "examples": _search_error_codes(),
                        },
                        "message": {"type": "string", "description": "Plain words, for people."},
                        "field": {
                            "type": "string",
                            "description": "The parameter at fault, when there is one.",
                        },
                    },
                }
            },
        },
    }


def _search_error_codes() -> list[str]:
    codes = dict.fromkeys(ERROR_CODES.values())
    codes.update(dict.fromkeys(["unknown_location", "geocoder_unavailable", "not_found"]))
    return list(codes)
