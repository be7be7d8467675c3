"""A moderator dismisses a text-based red flag: audited, shown on the review page,
hidden from patients everywhere, and back as soon as the text it covered changes.
Flags on structured answers cannot be dismissed. Driven through the HTTP routes."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.models import AuditEvent, FlagDismissal
from portal.opendata import hsds
from tests.factories import clean_profile, make_clinic
from tests.helpers import APPROVE, decide, sign_in, submit_edit

PROMISE = "Ketamine helped many of our patients. Guaranteed relief in one visit."
FALSE_ALARM = "The sentence quotes a competitor's advert we warn patients about."


@pytest.fixture
def mod(moderator):
    return sign_in(moderator)


def dismiss(actor, revision_id: int, code: str, reason: str):
    review = f"/moderation/revisions/{revision_id}"
    return actor.submit(
        review,
        {f"dismiss-{code}-reason": reason},
        action=f"{review}/flags/{code}/dismiss",
    )


def public_flag_codes(client, clinic) -> dict[str, set[str]]:
    """The red flag codes each patient-facing view shows for the clinic."""
    listing = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    sheet = client.get(f"/clinics/{clinic.slug}/questions").get_data(as_text=True)
    comparison = client.get(f"/compare?ids={clinic.id}").get_data(as_text=True)
    results = client.get("/search?location=92101").get_data(as_text=True)
    detail = client.get(f"/api/v1/clinics/{clinic.id}").get_json()
    found = client.get("/api/v1/clinics?location=92101").get_json()["results"]
    service = client.get(f"/api/v1/hsds/services/{hsds.record_id('service', clinic.id)}").get_json()
    return {
        "listing": set(re.findall(r'data-flag="(\w+)"', listing)),
        "sheet": {"promises_cure"} if "Promises a cure" in sheet else set(),
        "comparison": {"promises_cure"} if "Promises a cure" in comparison else set(),
        "results": {"promises_cure"} if "Promises a cure" in results else set(),
        "api": {flag["code"] for flag in detail["red_flags"]},
        "api_search": {f["code"] for r in found if r["id"] == clinic.id for f in r["red_flags"]},
        "hsds": {
            a["taxonomy_term"]["code"].removeprefix("red_flag:")
            for a in service["attributes"]
            if a["taxonomy_term"]["code"].startswith("red_flag:")
        },
        "hsds_alert": {"promises_cure"} if "Promises a cure" in service.get("alert", "") else set(),
    }


def test_a_dismissed_promise_flag_is_audited_hidden_and_back_when_the_text_changes(
    app, client, mod
):
    clinic = make_clinic(clean_profile(description=PROMISE))
    revision_id = clinic.published_revision_id
    assert all("promises_cure" in codes for codes in public_flag_codes(client, clinic).values())

    # A reason is required; nothing is stored without one.
    response = dismiss(mod, revision_id, "promises_cure", "   ")
    assert response.status_code == 422
    assert "Write why this flag is a false alarm" in response.get_data(as_text=True)
    assert db.session.scalars(select(FlagDismissal)).all() == []

    response = dismiss(mod, revision_id, "promises_cure", FALSE_ALARM)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/moderation/revisions/{revision_id}#red-flags")

    # Audited, and shown on the review page with who, when and why.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "flag_dismissed"))
    assert event.actor_id == mod.user.id and event.clinic_id == clinic.id
    assert FALSE_ALARM in event.detail and "Promises a cure" in event.detail
    review = mod.get(f"/moderation/revisions/{revision_id}").get_data(as_text=True)
    assert "Dismissed" in review and mod.user.email in review and str(escape(FALSE_ALARM)) in review
    audit = mod.get(f"/moderation/clinics/{clinic.id}").get_data(as_text=True)
    assert "Red flag dismissed" in audit

    # Hidden from patients everywhere (the search cache is not stale either).
    assert all("promises_cure" not in codes for codes in public_flag_codes(client, clinic).values())
    # A second dismissal of the same text is refused.
    assert dismiss(mod, revision_id, "promises_cure", "Again.").status_code == 409

    # An edit that leaves the promising text alone keeps the dismissal...
    edit = submit_edit(clinic, cost_notes="Packages of six sessions cost less.")
    assert decide(mod, edit.id, APPROVE).status_code in (302, 303)
    assert "promises_cure" not in public_flag_codes(client, clinic)["api"]

    # ...and a change to that text brings the flag back everywhere.
    edit = submit_edit(clinic, description=PROMISE.replace("one visit", "two visits"))
    review = mod.get(f"/moderation/revisions/{edit.id}").get_data(as_text=True)
    assert "Dismiss as a false alarm" in review
    assert decide(mod, edit.id, APPROVE).status_code in (302, 303)
    assert all("promises_cure" in codes for codes in public_flag_codes(client, clinic).values())


def test_a_flag_on_a_structured_answer_cannot_be_dismissed(client, mod):
    clinic = make_clinic(clean_profile(emergency_trained=False))
    revision_id = clinic.published_revision_id
    review = mod.get(f"/moderation/revisions/{revision_id}").get_data(as_text=True)
    assert "cannot be dismissed: the clinic changes the answer instead" in review
    response = dismiss(mod, revision_id, "no_emergency_training", "Looks fine to me.")
    assert response.status_code == 422
    assert "cannot be dismissed" in response.get_data(as_text=True)
    assert db.session.scalars(select(FlagDismissal)).all() == []
    assert "no_emergency_training" in public_flag_codes(client, clinic)["api"]
    assert dismiss(mod, revision_id, "no_such_flag", "x").status_code == 404


def test_a_flag_the_revision_does_not_raise_cannot_be_dismissed(mod):
    clinic = make_clinic()
    response = dismiss(mod, clinic.published_revision_id, "promises_cure", "Nothing to see.")
    assert response.status_code == 422
    assert "do not raise this flag" in response.get_data(as_text=True)


def test_clinic_staff_cannot_dismiss_a_flag(staff):
    sign_in(staff)
    clinic = make_clinic(clean_profile(description=PROMISE), manager=staff.user)
    response = staff.post(
        f"/moderation/revisions/{clinic.published_revision_id}/flags/promises_cure/dismiss",
        {"dismiss-promises_cure-reason": "We never promised."},
    )
    assert response.status_code == 404
    assert db.session.scalars(select(FlagDismissal)).all() == []


def test_dismissals_are_append_only(mod):
    clinic = make_clinic(clean_profile(description=PROMISE))
    assert (
        dismiss(mod, clinic.published_revision_id, "promises_cure", FALSE_ALARM).status_code == 303
    )
    row_id = db.session.scalar(select(FlagDismissal.id))
    for statement in (
        update(FlagDismissal).where(FlagDismissal.id == row_id).values(reason="changed"),
        delete(FlagDismissal).where(FlagDismissal.id == row_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
