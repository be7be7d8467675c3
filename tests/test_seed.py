"""`flask seed` loads the sample clinics through the real workflow, once."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from markupsafe import escape
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicRevision, ReviewDecision
from portal.seeding import load_seed_file
from portal.vetting import red_flags


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Clinic, ClinicRevision, ReviewDecision, AuditEvent)
    )


def test_seeding_twice_changes_nothing(app, runner):
    first = runner.invoke(args=["seed"])
    assert "68 clinics added" in first.output
    before = counts()
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "0 clinics added" in second.output
    assert counts() == before


def test_seeded_clinics_have_a_revision_and_coordinates(sample_clinics):
    assert len(sample_clinics) == 52
    for clinic in sample_clinics:
        assert clinic.is_sample
        assert clinic.published_revision is not None
        assert clinic.published_revision.profile == clinic.profile
        assert clinic.lat is not None and clinic.lng is not None
    pending = db.session.scalars(select(Clinic).where(Clinic.status == "pending")).all()
    assert len(pending) == 16
    assert all(clinic.revisions and clinic.revisions[-1].decision is None for clinic in pending)


def test_every_sample_listing_answers_the_three_questions_and_explains_its_flags(
    client, sample_clinics
):
    flagged = 0
    for clinic in sample_clinics:
        html = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
        for heading in ("q-experience", "q-safety", "q-therapy"):
            assert f'id="{heading}"' in html
        flags = red_flags(clinic.profile)
        for flag in flags:
            assert escape(flag.reason) in html, (clinic.slug, flag.code)
        if flags:
            flagged += 1
            assert f"{len(flags)} red flag" in html
        else:
            assert "None of our red-flag rules apply" in html
    assert flagged >= 8


def test_pending_sample_clinics_are_not_public(client, sample_clinics):
    pending = db.session.scalars(select(Clinic).where(Clinic.status == "pending")).all()
    assert pending, "the sample data should hold pending clinics for this test to mean anything"
    for clinic in pending:
        assert client.get(f"/clinics/{clinic.slug}").status_code == 404
        assert clinic.name not in client.get("/search?location=92101&radius=250").get_data(
            as_text=True
        )
    published = next(c for c in sample_clinics if c.status == "published")
    assert client.get(f"/clinics/{published.slug}").status_code == 200  # the same URL form works


def test_sample_verifications_show_what_a_real_check_covers(client, sample_clinics):
    """A verified sample listing lists checks done (NPI computed for real), not a row of crosses."""
    clinic = sample_clinics[0]
    html = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    assert "The provider number (NPI) passed its check-digit test" in html
    assert f"The {clinic.profile.licence_state} licence {clinic.profile.licence_number}" in html
    assert "The address and map position were checked" in html
    assert "was not checked" not in html
    assert "were not reviewed" not in html


SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "clinics.json"


def test_sample_dates_move_with_the_day_they_are_loaded():
    """Loaded a year later, the same listings are current, expired or out of date as before."""
    as_of = date.fromisoformat(json.loads(SEED_FILE.read_text("utf-8"))["dates_as_of"])
    as_written = load_seed_file(SEED_FILE)
    later = as_of + timedelta(days=400)
    moved = load_seed_file(SEED_FILE, today=later)
    assert [e["slug"] for e in moved] == [e["slug"] for e in as_written]
    for before, after in zip(as_written, moved, strict=True):
        for name in ("verified_on", "last_confirmed_on"):
            if before.get(name):
                shift = date.fromisoformat(after[name]) - date.fromisoformat(before[name])
                assert shift == timedelta(days=400), (before["slug"], name)
            else:
                assert not after.get(name)
        assert after["profile"] == before["profile"]


def test_seeded_sample_data_has_verified_expired_and_stale_listings_today(client, sample_clinics):
    today = date.today()
    states = [clinic.verification_state(today) for clinic in sample_clinics]
    assert states.count("current") >= 30
    assert 1 <= states.count("expired") <= 10
    verified = client.get("/api/v1/clinics?location=92101&radius=250&verified=1").json
    assert verified["total"] >= 1
