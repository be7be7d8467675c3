"""Patients report a problem with a listing; moderators resolve it; the clinic reads it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.extensions import db
from portal.models import AuditEvent, Clinic, ProblemReport, utcnow
from portal.reports import service
from tests.factories import clean_profile, make_clinic

EMAIL = "worried.patient@example.org"
DETAILS = "The phone number 619-555-0100 rings a pizza place, not the clinic."


def report_url(clinic: Clinic) -> str:
    return f"/clinics/{clinic.slug}/report"


def send_report(browser, clinic: Clinic, **data):
    """Open the report form on the listing and send it, like a patient."""
    return browser.submit(report_url(clinic), data)


def stored_reports() -> list[ProblemReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(ProblemReport).order_by(ProblemReport.id)))


def file(clinic: Clinic, kind: str, *, hours_ago: float = 0, **extra) -> ProblemReport:
    report = service.file_report(
        clinic, kind=kind, now=utcnow() - timedelta(hours=hours_ago), **extra
    )
    db.session.commit()
    return report


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def html_of(response) -> str:
    return response.get_data(as_text=True)


# --- patients ------------------------------------------------------------------------------


def test_every_listing_links_to_the_report_form(app, client):
    clinic = make_clinic()
    listing = html_of(client.get(f"/clinics/{clinic.slug}"))
    assert f'href="{report_url(clinic)}"' in listing
    form = client.get(report_url(clinic))
    assert form.status_code == 200
    page = html_of(form)
    for text in service.vocab.REPORT_KINDS.values():
        assert text in page
    assert 'name="csrf_token"' in page


def test_a_patient_reports_a_problem_without_an_account(app, browser):
    clinic = make_clinic(clean_profile(name="Harbor Report Clinic"))
    response = send_report(
        browser, clinic, kind="wrong_contact", details=DETAILS, contact_email=EMAIL
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clinics/{clinic.slug}/report/thanks")
    [report] = stored_reports()
    assert (report.clinic_id, report.kind, report.details, report.contact_email) == (
        clinic.id,
        "wrong_contact",
        DETAILS,
        EMAIL,
    )
    assert report.is_open
    thanks = html_of(browser.get(response.headers["Location"]))
    assert "Thank you, we have your report" in thanks
    assert "What happens next" in thanks and "Harbor Report Clinic" in thanks
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "problem_reported"))
    assert event.clinic_id == clinic.id and event.actor_id is None
    assert EMAIL not in event.detail and "pizza" not in event.detail


def test_only_the_kind_is_required(app, browser):
    clinic = make_clinic()
    assert send_report(browser, clinic, kind="closed").status_code == 303
    [report] = stored_reports()
    assert (report.kind, report.details, report.contact_email) == ("closed", "", "")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"details": DETAILS, "contact_email": EMAIL}, "kind", "Choose the option that fits best"),
        ({"kind": "eaten_by_bears", "details": DETAILS}, "kind", "Not a valid choice"),
        ({"kind": "other", "details": DETAILS, "contact_email": "not an email"}, "contact_email",
         "Enter an email address like"),
        ({"kind": "other", "details": "x" * 2001, "contact_email": EMAIL}, "details",
         "under 2,000 characters"),
    ],
)  # fmt: skip
def test_a_form_with_mistakes_comes_back_with_what_was_typed(app, browser, data, field, message):
    clinic = make_clinic()
    response = send_report(browser, clinic, **data)
    assert response.status_code == 422
    html = html_of(response)
    assert f'id="{field}-error"' in html
    error = html[html.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    if data.get("details"):
        assert data["details"][:60] in html
    if data.get("contact_email"):
        assert f'value="{data["contact_email"]}"' in html
    if data.get("kind") == "other":
        assert re.search(r'<input checked id="kind-\d" name="kind"[^>]* value="other">', html)
    assert stored_reports() == []


def test_a_report_without_a_csrf_token_is_refused(app, client):
    clinic = make_clinic()
    response = client.post(report_url(clinic), data={"kind": "unsafe", "details": DETAILS})
    assert response.status_code == 400
    assert stored_reports() == []


def test_only_published_listings_take_reports(app, browser):
    public = make_clinic()
    clinic = make_clinic(status="pending")
    assert browser.get(report_url(clinic)).status_code == 404
    response = browser.post(report_url(clinic), {"kind": "unsafe"}, token_from=report_url(public))
    assert response.status_code == 404
    assert browser.get("/clinics/no-such-clinic/report").status_code == 404
    assert stored_reports() == []


def test_reports_are_rate_limited_per_address(app_config, request):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_REPORT"] = "5 per hour"
    app = request.getfixturevalue("app")
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    clinic = make_clinic()
    # A form sent back with mistakes does not use up the allowance.
    assert send_report(browser, clinic, contact_email="nope").status_code == 422
    for number in range(5):
        response = send_report(browser, clinic, kind="other", details=f"Report {number}")
        assert response.status_code == 303, number
    refused = send_report(browser, clinic, kind="unsafe", details="One too many")
    assert refused.status_code == 429
    assert "Please wait before sending another report" in html_of(refused)
    assert len(stored_reports()) == 5
    # Reading listings and the form is not limited.
    assert browser.get(report_url(clinic)).status_code == 200


def test_reporter_email_and_text_never_reach_the_log(app, browser, caplog):
    clinic = make_clinic()
    caplog.set_level(logging.DEBUG)
    stored = send_report(browser, clinic, kind="unsafe", details=DETAILS, contact_email=EMAIL)
    refused = send_report(browser, clinic, kind="unsafe", details=DETAILS, contact_email="bad@")
    assert (stored.status_code, refused.status_code) == (303, 422)
    # The text really went through the app: stored once, and typed back into the refused form.
    [report] = stored_reports()
    assert (report.details, report.contact_email) == (DETAILS, EMAIL)
    assert "pizza place" in html_of(refused)
    # The log is being captured: a refused page visit in the same test is in it.
    browser.get("/moderation")
    assert "event=access_denied" in caplog.text
    assert EMAIL not in caplog.text and "pizza place" not in caplog.text


def test_reports_are_never_deleted(app):
    report = file(make_clinic(), "closed", details="Closed since June.")
    with pytest.raises(DBAPIError, match="never deleted"):
        db.session.execute(delete(ProblemReport).where(ProblemReport.id == report.id))
        db.session.flush()
    db.session.rollback()
    assert len(stored_reports()) == 1


def test_the_database_refuses_a_resolution_without_a_note(app):
    report = file(make_clinic(), "closed")
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(ProblemReport).where(ProblemReport.id == report.id).values(resolved_at=utcnow())
        )
        db.session.flush()
    db.session.rollback()


# --- moderators ----------------------------------------------------------------------------


def test_open_reports_reach_the_queue_unsafe_first_then_oldest(app, moderator):
    first = make_clinic(clean_profile(name="Alpha Clinic"))
    second = make_clinic(clean_profile(name="Beta Clinic"))
    old_other = file(first, "other", hours_ago=50)
    new_unsafe = file(second, "unsafe", hours_ago=1)
    old_unsafe = file(first, "unsafe", hours_ago=10)
    newest = file(second, "wrong_contact", hours_ago=0.5)
    done = file(first, "closed", hours_ago=80)
    service.resolve(done.id, moderator.user, "Checked: still open.", utcnow())
    db.session.commit()

    assert [r.id for r in service.open_reports()] == [
        old_unsafe.id,
        new_unsafe.id,
        old_other.id,
        newest.id,
    ]
    moderator.login()
    queue = section(html_of(moderator.get("/moderation")), "reports")
    assert "(4 open)" in queue
    positions = [queue.index(f"#report-{r.id}") for r in (old_unsafe, new_unsafe, old_other)]
    assert positions == sorted(positions)
    assert f"#report-{done.id}" not in queue
    assert "10 hours" in queue and "2 days" in queue


def test_a_moderator_reads_the_report_beside_the_listing_and_resolves_it_with_a_note(
    app, browser, moderator
):
    clinic = make_clinic(clean_profile(name="Checked Clinic"))
    send_report(browser, clinic, kind="unsafe", details=DETAILS, contact_email=EMAIL)
    [report] = stored_reports()
    moderator.login()
    page_url = f"/moderation/clinics/{clinic.id}"
    page = html_of(moderator.get(page_url))
    reports = section(page, "reports")
    assert DETAILS in reports and EMAIL in reports and "Something unsafe" in reports
    assert f'href="/clinics/{clinic.slug}"' in reports

    action = f"/moderation/reports/{report.id}/resolve"
    note_field = f"report-{report.id}-note"
    missing = moderator.submit(page_url, {note_field: "   "}, action=action)
    assert missing.status_code == 422
    assert f'id="{note_field}-error"' in html_of(missing)
    assert stored_reports()[0].is_open

    note = "Called the clinic: the number was a typo. Asked them to submit a correction."
    done = moderator.submit(page_url, {note_field: note}, action=action)
    assert done.status_code == 303
    [report] = stored_reports()
    assert not report.is_open
    assert report.resolution_note == note and report.resolved_by_id == moderator.user.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_resolved"))
    assert event.actor_id == moderator.user.id and note in event.detail
    assert EMAIL not in event.detail

    page = html_of(moderator.get(page_url))
    assert "(0 open, 1 resolved)" in page and note in page
    assert "Problem report resolved" in section(page, "audit")
    assert f"#report-{report.id}" not in section(html_of(moderator.get("/moderation")), "reports")

    again = moderator.submit(page_url, {note_field: "Second try"}, action=action)
    assert again.status_code == 409
    assert "already resolved" in html_of(again)
    assert stored_reports()[0].resolution_note == note


def test_a_resolve_without_a_csrf_token_is_refused(app, moderator):
    report = file(make_clinic(), "other")
    moderator.login()
    response = moderator.client.post(
        f"/moderation/reports/{report.id}/resolve", data={f"report-{report.id}-note": "Done"}
    )
    assert response.status_code == 400
    assert stored_reports()[0].is_open


def test_a_missing_report_answers_404(app, moderator):
    moderator.login()
    response = moderator.post(
        "/moderation/reports/999/resolve", {"note": "x"}, token_from="/moderation"
    )
    assert response.status_code == 404


def test_the_review_page_shows_open_reports_about_the_clinic(app, moderator):
    clinic = make_clinic(clean_profile(name="Edited Reported Clinic"))
    file(clinic, "not_accepting", details="They said the waitlist is a year long.")
    from portal import listings

    revision = listings.submit_revision(clinic, user=None)
    db.session.commit()
    moderator.login()
    page = html_of(moderator.get(f"/moderation/revisions/{revision.id}"))
    assert "Open problem reports about this clinic (1)" in page
    assert "waitlist is a year long" in page


# --- clinic staff --------------------------------------------------------------------------


def test_staff_see_reports_about_their_own_listing_without_the_reporter_email(
    app, browser, staff, other_staff, moderator
):
    mine = make_clinic(clean_profile(name="My Clinic"), manager=staff.user)
    theirs = make_clinic(clean_profile(name="Their Clinic"), manager=other_staff.user)
    send_report(browser, mine, kind="wrong_contact", details=DETAILS, contact_email=EMAIL)
    send_report(browser, theirs, kind="other", details="Secret about the other clinic")
    mine_report = stored_reports()[0]
    service.resolve(mine_report.id, moderator.user, "Asked the clinic to fix the number.", utcnow())
    db.session.commit()

    staff.login()
    dashboard = html_of(staff.get("/dashboard"))
    assert DETAILS in dashboard and "Wrong phone number or address" in dashboard
    assert "Asked the clinic to fix the number." in dashboard
    assert EMAIL not in dashboard
    assert "Secret about the other clinic" not in dashboard

    other_staff.login()
    other = html_of(other_staff.get("/dashboard"))
    assert "Secret about the other clinic" in other
    assert DETAILS not in other


def test_staff_cannot_resolve_reports(app, staff):
    report = file(make_clinic(manager=staff.user), "other")
    staff.login()
    response = staff.post(
        f"/moderation/reports/{report.id}/resolve",
        {f"report-{report.id}-note": "Nothing wrong"},
        token_from="/dashboard",
    )
    assert response.status_code == 404
    assert stored_reports()[0].is_open


def test_the_service_refuses_a_resolution_by_someone_else(app, staff):
    report = file(make_clinic(), "other")
    with pytest.raises(service.NotAModerator):
        service.resolve(report.id, staff.user, "Fine", utcnow())


def test_resolved_reports_stay_stored(app, moderator):
    clinic = make_clinic()
    for kind in ("unsafe", "closed"):
        report = file(clinic, kind)
        service.resolve(report.id, moderator.user, f"Handled {kind}", utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ProblemReport)) == 2
    assert service.open_reports() == []
    assert len(service.reports_about(clinic)) == 2


def test_line_breaks_count_once_as_the_browser_counts_them(app, browser):
    """A browser sends CRLF; 2,000 characters typed with line breaks still fit."""
    typed = ("a" * 99 + "\r\n") * 20
    assert send_report(browser, make_clinic(), kind="other", details=typed).status_code == 303
    assert len(stored_reports()[0].details) == 1999  # the last line break is stripped


@pytest.mark.parametrize(
    ("field", "value"),
    [("details", "Bad\x00byte"), ("contact_email", "a\x00@example.org"), ("kind", "unsafe\x00")],
)
def test_invisible_control_characters_are_refused_not_a_crash(app, browser, field, value):
    data = {"kind": "other", "details": "Fine", field: value}
    response = send_report(browser, make_clinic(), **data)
    assert response.status_code == 422
    assert stored_reports() == []


def test_a_moderator_note_with_control_characters_is_refused(app, moderator):
    report = file(make_clinic(), "other")
    moderator.login()
    page = f"/moderation/clinics/{report.clinic_id}"
    response = moderator.submit(
        page,
        {f"report-{report.id}-note": "Done\x00"},
        action=f"/moderation/reports/{report.id}/resolve",
    )
    assert response.status_code == 422
    assert stored_reports()[0].is_open


def test_the_resolve_form_works_as_a_browser_sends_it(app, moderator):
    """The form's own prefixed CSRF field is what a browser sends; that is enough."""
    report = file(make_clinic(), "wrong_contact")
    moderator.login()
    page = html_of(moderator.get(f"/moderation/clinics/{report.clinic_id}"))
    prefix = f"report-{report.id}-"
    token = re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = moderator.client.post(
        f"/moderation/reports/{report.id}/resolve",
        data={f"{prefix}csrf_token": token, f"{prefix}note": "Number corrected by the clinic."},
    )
    assert response.status_code == 303
    assert not stored_reports()[0].is_open
