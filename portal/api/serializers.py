"""The JSON shapes of the API (CONTRACT.md), in one place; openapi.py describes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import url_for

from portal.geo import Place
from portal.models import Clinic
from portal.profile import CODE_KINDS
from portal.search.care import TelehealthProvider, open_at
from portal.search.service import Result, SearchResults
from portal.vetting import Assessment, Flag
from portal.vetting.dismissals import assess_listing


def _iso(value: date | datetime | None) -> str | None:
    """ISO 8601; stored times are naive UTC, so a time says so (RFC 3339 `date-time` needs it)."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def flag_json(flag: Flag) -> dict[str, str]:
    return {"code": flag.code, "title": flag.title, "reason": flag.reason}


def vetting_json(assessment: Assessment) -> dict[str, Any]:
    """Red flags and how many of the questions to ask the listing answers."""
    return {
        "red_flags": [flag_json(flag) for flag in assessment.flags],
        "answered": assessment.answered,
        "questions": assessment.questions,
    }


def place_json(place: Place, query: str) -> dict[str, Any]:
    return {"query": query, "label": place.label, "lat": place.lat, "lng": place.lng}


def _named(clinic) -> dict[str, Any]:
    """Who a clinic is, as every list names it."""
    return {"id": clinic.id, "slug": clinic.slug, "name": clinic.name}


def _coded_facts(clinic: Clinic) -> dict[str, list[str]]:
    """The coded answers patients filter on (settings, languages, insurers, ...)."""
    return {kind: getattr(clinic, kind) for kind in CODE_KINDS}


def result_json(result: Result) -> dict[str, Any]:
    """One clinic in a result list: where it is, how far, and the answers patients filter on."""
    clinic = result.clinic
    return {
        **_named(clinic),
        "address": clinic.address,
        "city": clinic.city,
        "state": clinic.state,
        "zip": clinic.zip,
        "lat": clinic.lat,
        "lng": clinic.lng,
        "distance_miles": round(result.distance_miles, 1),
        "routes": clinic.routes,
        "conditions": clinic.conditions,
        "therapy": clinic.therapy,
        "session_monitor": clinic.session_monitor,
        "treatments_administered": clinic.treatments_administered,
        "price_min": clinic.price_min,
        "price_max": clinic.price_max,
        "payment_options": clinic.payment_options,
        "accepting_new_patients": clinic.accepting_new_patients,
        "verified": result.verified,
        "verified_at": _iso(clinic.verified_at),
        "verification_expires": _iso(clinic.verification_expires),
        **vetting_json(result.assessment),
        "url": url_for("clinics.listing", slug=clinic.slug),
        **_coded_facts(clinic),
        "open_now": result.open_now,
    }


def telehealth_json(provider: TelehealthProvider) -> dict[str, Any]:
    """A telehealth provider licensed in the searched state, with every state it treats in."""
    clinic = provider.clinic
    return {
        **_named(clinic),
        "city": clinic.city,
        "state": clinic.state,
        **_coded_facts(clinic),
        "open_now": provider.open_now,
        "telehealth_states": clinic.telehealth_states,
        "booking_url": clinic.booking_url,
        "verified": provider.verified,
        "red_flags": [flag_json(flag) for flag in provider.red_flags],
        "url": url_for("clinics.listing", slug=clinic.slug),
    }


def results_json(found: SearchResults) -> dict[str, Any]:
    query = found.query
    radius = query.radius_miles
    return {
        "location": place_json(found.place, query.location),
        "radius_miles": int(radius) if float(radius).is_integer() else radius,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
        "results": [result_json(result) for result in found.results],
        "telehealth": [telehealth_json(provider) for provider in found.telehealth],
        "nearest": [result_json(result) for result in found.nearest],
    }


def clinic_json(clinic: Clinic, *, today: date, now: datetime) -> dict[str, Any]:
    """One published clinic: every answer of its approved profile, plus what we know of it."""
    profile = clinic.profile
    assessment = assess_listing(clinic.id, profile)
    return {
        "id": clinic.id,
        "slug": clinic.slug,
        "url": url_for("clinics.listing", slug=clinic.slug),
        **profile.to_dict(),
        "lat": clinic.lat,
        "lng": clinic.lng,
        "verified": clinic.verification_state(today) == "current",
        "verification_state": clinic.verification_state(today),
        "verified_at": _iso(clinic.verified_at),
        "verification_expires": _iso(clinic.verification_expires),
        "last_confirmed_at": _iso(clinic.last_confirmed_at),
        **vetting_json(assessment),
        "unanswered_questions": [question.field for question in assessment.open_questions],
        "local_timezone": clinic.local_timezone,
        "open_now": open_at(clinic, now),
    }
