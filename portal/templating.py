"""Filters and globals the templates share, so no template formats by hand."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask, current_app

from portal import care_text, freshness, vocab
from portal.clinics.service import verification_coverage
from portal.models import Clinic, utcnow
from portal.profile import FIELD_LABELS


def money(value: int | None) -> str:
    return "Not stated" if value is None else f"${value:,}"


def number(value: int | None) -> str:
    return "Not stated" if value is None else f"{value:,}"


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return "Not stated"
    return f"{value:%B} {value.day}, {value.year}"


def price_range(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "Not stated"
    if low is None or high is None or low == high:
        return money(low if low is not None else high)
    return f"{money(low)}–{money(high)}"


def web_link(url: str | None) -> str:
    """The URL when it is an http(s) address, else "" (never a javascript: link)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return ""


def verification_state(clinic: Clinic) -> str:
    return clinic.verification_state(date.today())


def is_stale(clinic: Clinic) -> bool:
    """True when nobody confirmed the listing for longer than STALE_AFTER_DAYS."""
    return freshness.is_stale(
        clinic.last_confirmed_at, utcnow(), current_app.config["STALE_AFTER_DAYS"]
    )


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        number=number,
        long_date=long_date,
        web_link=web_link,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        vocab=vocab,
        label=vocab.label,
        field_labels=FIELD_LABELS,
        price_range=price_range,
        verification_state=verification_state,
        is_stale=is_stale,
        verification_checks=verification_coverage,
        record_text=care_text.record_text,
        hours_by_day=care_text.hours_by_day,
        state_licence=care_text.state_licence,
        clinician_text=care_text.clinician_text,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_settings():
        return {"show_sample_notice": app.config["SHOW_SAMPLE_DATA_NOTICE"]}
