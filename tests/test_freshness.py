"""Freshness: when a listing was last confirmed, one-click confirmation, the out-of-date mark."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import freshness, listings
from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicRevision, ReviewDecision, utcnow
from tests.factories import clean_profile, make_clinic

STALE_MARK = "Possibly out of date"


def confirmed_days_ago(clinic: Clinic, days: int, hours: int = 0) -> Clinic:
    clinic.last_confirmed_at = utcnow() - timedelta(days=days, hours=hours)
    db.session.commit()
    return clinic


def reread(clinic: Clinic) -> Clinic:
    db.session.expire_all()
    return db.session.get(Clinic, clinic.id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def confirm(actor, clinic_id: int):
    """The dashboard's "still accurate" button: a POST with the page's CSRF token."""
    return actor.submit("/dashboard", action=f"/dashboard/clinics/{clinic_id}/confirm")


def listing_html(client, clinic: Clinic) -> str:
    response = client.get(f"/clinics/{clinic.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def result_html(client, clinic: Clinic) -> str:
    """The search result item of one clinic on the results page near San Diego."""
    html = client.get("/search", query_string={"location": "92101"}).get_data(as_text=True)
    start = html.index(f'id="result-{clinic.id}"')
    return html[start : html.index("</li>", start)]


def out_of_date_section(moderator) -> str:
    html = moderator.get("/moderation").get_data(as_text=True)
    start = html.index('id="out-of-date"')
    return html[start : html.index("</section>", start)]


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (timedelta(days=0), False),
        (timedelta(days=180), False),
        (timedelta(days=180, hours=23), False),
        (timedelta(days=181), True),
        (timedelta(days=900), True),
    ],
)
def test_a_listing_is_stale_after_more_than_180_whole_days(age, stale):
    now = utcnow()
    assert freshness.is_stale(now - age, now, 180) is stale


def test_a_never_confirmed_listing_is_stale():
    assert freshness.is_stale(None, utcnow(), 180)


def test_the_sql_rule_agrees_with_the_python_rule(app):
    now = utcnow()
    ages = [0, 179, 180, 181, 400]
    clinics = {age: make_clinic(clean_profile(name=f"Aged {age}")) for age in ages}
    for age, clinic in clinics.items():
        clinic.last_confirmed_at = now - timedelta(days=age, hours=1)
    db.session.commit()
    found = {clinic.id for clinic in freshness.out_of_date_listings(now, 180)}
    expected = {
        clinic.id
        for clinic in clinics.values()
        if freshness.is_stale(clinic.last_confirmed_at, now, 180)
    }
    assert found == expected == {clinics[181].id, clinics[400].id}


# --- what patients see ---------------------------------------------------------------------


def test_listing_shows_when_it_was_confirmed_and_whether_it_takes_new_patients(app, client):
    clinic = make_clinic(clean_profile(name="Open Door Clinic"))
    closed = make_clinic(clean_profile(name="Full Clinic", accepting_new_patients=False))
    html = listing_html(client, clinic)
    today = date.today()
    assert f"last confirmed by the clinic or a moderator: {today:%B} {today.day}, {today.year}" in (
        html
    )
    assert "Accepting new patients" in html
    assert "Not accepting new patients" in listing_html(client, closed)


def test_approval_counts_as_a_confirmation(app):
    before = utcnow()
    clinic = make_clinic()
    assert clinic.last_confirmed_at >= before


def test_the_out_of_date_mark_appears_after_180_days_and_goes_when_confirmed(
    app, client, staff, moderator
):
    clinic = make_clinic(clean_profile(name="Quiet Clinic"), manager=staff.user)
    moderator.login()
    staff.login()

    assert STALE_MARK not in listing_html(client, clinic)
    assert STALE_MARK not in result_html(client, clinic)
    assert "Quiet Clinic" not in out_of_date_section(moderator)

    confirmed_days_ago(clinic, 181)
    assert STALE_MARK in listing_html(client, clinic)
    assert "Nobody has confirmed this listing for more than 180 days" in listing_html(
        client, clinic
    )
    assert STALE_MARK in result_html(client, clinic)
    assert "Quiet Clinic" in out_of_date_section(moderator)
    assert STALE_MARK in staff.get("/dashboard").get_data(as_text=True)

    assert confirm(staff, clinic.id).status_code == 303
    assert STALE_MARK not in listing_html(client, clinic)
    assert "Nobody has confirmed" not in listing_html(client, clinic)
    assert STALE_MARK not in result_html(client, clinic)
    assert "Quiet Clinic" not in out_of_date_section(moderator)


def test_an_approved_edit_lifts_the_out_of_date_mark(app, client, moderator):
    clinic = confirmed_days_ago(make_clinic(clean_profile(name="Renewed Clinic")), 300)
    moderator.login()
    assert "Renewed Clinic" in out_of_date_section(moderator)
    revision = listings.submit_revision(clinic, user=None)
    listings.publish_revision(
        revision,
        moderator=moderator.user,
        today=date.today(),
        checklist=listings.Checklist(),
        coordinates=(clinic.lat, clinic.lng),
    )
    db.session.commit()
    assert STALE_MARK not in listing_html(client, clinic)
    assert "Renewed Clinic" not in out_of_date_section(moderator)


def test_the_queue_lists_out_of_date_listings_longest_unconfirmed_first(app, moderator):
    older = confirmed_days_ago(make_clinic(clean_profile(name="Older Stale")), 400)
    newer = confirmed_days_ago(make_clinic(clean_profile(name="Newer Stale")), 200)
    make_clinic(clean_profile(name="Hidden Stale"), status="pending")
    moderator.login()
    section = out_of_date_section(moderator)
    assert section.index(older.name) < section.index(newer.name)
    assert "Out of date (2)" in section
    assert "Hidden Stale" not in section


# --- one-click confirmation ----------------------------------------------------------------


def test_still_accurate_updates_the_date_without_a_revision_or_review(app, client, staff):
    clinic = confirmed_days_ago(make_clinic(manager=staff.user), 200)
    revisions, decisions = count(ClinicRevision), count(ReviewDecision)
    staff.login()
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    assert "Our public listing is still accurate" in dashboard

    before = utcnow()
    response = confirm(staff, clinic.id)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/dashboard#clinic-{clinic.id}")
    clinic = reread(clinic)
    assert clinic.last_confirmed_at >= before
    assert count(ClinicRevision) == revisions and count(ReviewDecision) == decisions
    assert listings.pending_revision(clinic) is None
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.clinic_id == clinic.id, AuditEvent.action == "listing_confirmed"
        )
    )
    assert event is not None and event.actor_id == staff.user.id
    page = staff.get("/dashboard").get_data(as_text=True)
    assert "confirmed as accurate today" in page


def test_confirming_keeps_a_pending_edit_waiting(app, staff):
    """The confirmation is about the public listing; a waiting edit stays in the queue."""
    clinic = make_clinic(manager=staff.user)
    listings.submit_revision(clinic, user=staff.user)
    db.session.commit()
    staff.login()
    assert confirm(staff, clinic.id).status_code == 303
    assert listings.pending_revision(reread(clinic)) is not None


def test_other_clinics_staff_cannot_confirm(app, staff, other_staff):
    """Another clinic's id answers like a missing one, so guessing ids reveals nothing."""
    clinic = confirmed_days_ago(make_clinic(manager=staff.user), 200)
    confirmed_at = clinic.last_confirmed_at
    other_staff.login()
    response = confirm(other_staff, clinic.id)
    assert response.status_code == 404
    assert reread(clinic).last_confirmed_at == confirmed_at
    assert not db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "listing_confirmed")
    )


def test_a_missing_clinic_answers_404(app, staff):
    staff.login()
    assert confirm(staff, 999999).status_code == 404
    assert confirm(staff, 2**40).status_code == 404


def test_moderators_do_not_use_the_staff_button(app, moderator, staff):
    clinic = make_clinic(manager=staff.user)
    moderator.login()
    response = moderator.post(f"/dashboard/clinics/{clinic.id}/confirm", token_from="/moderation")
    assert response.status_code == 403


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_a_listing_that_is_not_public_cannot_be_confirmed(app, staff, status):
    clinic = make_clinic(
        clean_profile(name="Unpublished Clinic"), manager=staff.user, status=status
    )
    staff.login()
    dashboard = staff.get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/clinics/{clinic.id}/confirm" not in dashboard
    response = confirm(staff, clinic.id)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "is not shown to patients at the moment" in html
    assert reread(clinic).last_confirmed_at is None


def test_a_suspended_listing_cannot_be_confirmed(app, staff):
    clinic = make_clinic(clean_profile(name="Paused Clinic"), manager=staff.user)
    clinic.status = "suspended"
    db.session.commit()
    staff.login()
    response = confirm(staff, clinic.id)
    assert response.status_code == 409
    assert "suspended" in response.get_data(as_text=True)


def test_confirming_without_a_csrf_token_is_refused(app, staff):
    clinic = confirmed_days_ago(make_clinic(manager=staff.user), 200)
    confirmed_at = clinic.last_confirmed_at
    staff.login()
    response = staff.client.post(f"/dashboard/clinics/{clinic.id}/confirm")
    assert response.status_code == 400
    assert reread(clinic).last_confirmed_at == confirmed_at


def test_confirming_needs_a_post(app, staff):
    clinic = make_clinic(manager=staff.user)
    staff.login()
    assert staff.get(f"/dashboard/clinics/{clinic.id}/confirm").status_code == 405


# --- the accepting filter ------------------------------------------------------------------


def test_search_page_and_api_filter_on_accepting_new_patients(app, client):
    open_clinic = make_clinic(clean_profile(name="Taking Patients Clinic"))
    full_clinic = make_clinic(
        clean_profile(name="Waitlist Only Clinic", accepting_new_patients=False)
    )

    everyone = client.get("/search", query_string={"location": "92101"}).get_data(as_text=True)
    assert open_clinic.name in everyone and full_clinic.name in everyone
    page = client.get("/search", query_string={"location": "92101", "accepting": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert open_clinic.name in html and full_clinic.name not in html
    assert 'name="accepting"' in html

    body = client.get("/api/v1/clinics", query_string={"location": "92101", "accepting": "1"})
    ids = [result["id"] for result in body.get_json()["results"]]
    assert ids == [open_clinic.id]
    assert body.get_json()["results"][0]["accepting_new_patients"] is True


def test_the_api_description_documents_the_accepting_filter(app, client):
    spec = client.get("/api/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1/clinics"]["get"]["parameters"]
    assert "accepting" in {parameter["name"] for parameter in parameters}
