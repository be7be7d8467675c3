"""Decisions reach the clinic by email, and a mail server that is down loses nothing.

A real SMTP server (aiosmtpd) runs in the test process; it is stopped to
simulate an outage and started again on the same port.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import listings
from portal.extensions import db
from portal.mail import outbox
from portal.mail.models import OutboxMessage
from portal.models import Clinic, ReviewDecision
from tests.factories import clean_profile, make_clinic
from tests.mailbox import ClosingClient, html_of, text_of

CHECKED = {
    "licence_state": "CA",
    "licence_number": "A123456",
    "licence_checked_how": "Medical Board of California look-up: active.",
    "address_plausible": "y",
    "answers_plausible": "y",
    "red_flags_reviewed": "y",
}
CHANGES = "Please state how long patients stay in recovery after each session."


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.settings()}


@pytest.fixture
def app(app):
    app.test_client_class = ClosingClient
    return app


def submitted(staff) -> Clinic:
    clinic = listings.create_clinic(clean_profile(name="Quiet Harbor Clinic"), manager=staff.user)
    listings.submit_revision(clinic, user=staff.user)
    db.session.commit()
    return clinic


def decide(moderator, clinic: Clinic, data: dict):
    revision = listings.pending_revision(clinic)
    url = f"/moderation/revisions/{revision.id}"
    return moderator.submit(url, data, action=f"{url}/decision")


def stored() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_asking_for_changes_emails_the_moderators_reason(staff, moderator, mail_server):
    clinic = submitted(staff)
    moderator.login()
    response = decide(moderator, clinic, {"decision": "request_changes", "reason": CHANGES})
    assert response.status_code == 302
    message = mail_server.last_to(staff.user.email)
    assert message["Subject"] == "Quiet Harbor Clinic: the moderators ask for changes"
    assert CHANGES in text_of(message)
    assert CHANGES in html_of(message)
    assert "https://portal.example/dashboard" in text_of(message)
    assert message["Reply-To"] == "help@portal.example"


def test_approve_reject_suspend_and_restore_each_reach_every_staff_member(
    app, staff, other_staff, moderator, mail_server
):
    clinic = submitted(staff)
    db.session.add(clinic)
    clinic.managers.append(other_staff.user)
    db.session.commit()
    moderator.login()
    assert decide(moderator, clinic, {"decision": "approve", **CHECKED}).status_code == 302
    for person in (staff, other_staff):
        assert (
            mail_server.last_to(person.user.email)["Subject"] == "Quiet Harbor Clinic is published"
        )

    page = f"/moderation/clinics/{clinic.id}"
    reason = "Several patients report the phone number reaches another business."
    suspend = moderator.submit(page, {"reason": reason}, action=f"{page}/suspend")
    assert suspend.status_code == 302
    message = mail_server.last_to(staff.user.email)
    assert message["Subject"] == "Quiet Harbor Clinic is hidden from patients for now"
    assert reason in text_of(message)

    restore = moderator.submit(page, {"reason": "Number corrected."}, action=f"{page}/restore")
    assert restore.status_code == 302
    message = mail_server.last_to(other_staff.user.email)
    assert message["Subject"] == "Quiet Harbor Clinic is shown to patients again"
    assert "Number corrected." in text_of(message)

    listings.submit_revision(clinic, user=staff.user)  # the same answers again, then rejected
    db.session.commit()
    refusal = "The licence number belongs to another clinic."
    assert decide(moderator, clinic, {"decision": "reject", "reason": refusal}).status_code == 302
    message = mail_server.last_to(staff.user.email)
    assert "was not accepted" in message["Subject"]
    assert refusal in text_of(message)
    assert "Patients keep seeing your last approved version" in text_of(message)


def test_a_refused_decision_queues_nothing(staff, moderator, mail_server):
    clinic = submitted(staff)
    moderator.login()
    response = decide(moderator, clinic, {"decision": "request_changes", "reason": "  "})
    assert response.status_code == 422
    assert stored() == []
    assert mail_server.to(staff.user.email, wait=0.3) == []


def test_server_down_during_a_decision_the_decision_stands_and_the_mail_waits(
    app, runner, staff, moderator, mail_server
):
    clinic = submitted(staff)
    moderator.login()
    mail_server.stop()
    response = decide(moderator, clinic, {"decision": "request_changes", "reason": CHANGES})
    assert response.status_code == 302  # the moderator's request is not broken

    db.session.expire_all()
    revision = listings.latest_revision(clinic)
    assert (
        db.session.scalar(
            select(ReviewDecision.outcome).where(ReviewDecision.revision_id == revision.id)
        )
        == "request_changes"
    )
    [waiting] = stored()
    assert waiting.status == "waiting"
    assert waiting.attempts == 1
    assert "unavailable" in waiting.last_error
    assert waiting.next_attempt_at > waiting.created_at  # backed off

    listed = runner.invoke(args=["mail-queue"])
    assert "waiting" in listed.output and staff.user.email in listed.output
    assert "1 message(s) not delivered" in listed.output

    still_down = runner.invoke(args=["send-mail", "--retry-now"])
    assert still_down.exit_code == 1
    assert "0 sent, 1 waiting to be retried" in still_down.output
    assert stored()[0].attempts == 2

    mail_server.start()
    early = runner.invoke(args=["send-mail"])  # a timer run before the back-off is over
    assert "0 sent" in early.output
    assert mail_server.to(staff.user.email, wait=0.2) == []

    delivered = runner.invoke(args=["send-mail", "--retry-now"])
    assert delivered.exit_code == 0, delivered.output
    assert "1 sent" in delivered.output
    assert CHANGES in text_of(mail_server.last_to(staff.user.email))
    assert stored()[0].status == "sent"
    assert "The outbox is empty" in runner.invoke(args=["mail-queue"]).output

    again = runner.invoke(args=["send-mail", "--retry-now"])
    assert "0 sent" in again.output
    assert len(mail_server.to(staff.user.email)) == 1  # delivered once, not twice


def test_a_timer_delivers_once_the_back_off_is_over(app, runner, staff, moderator, mail_server):
    clinic = submitted(staff)
    moderator.login()
    mail_server.stop()
    decide(moderator, clinic, {"decision": "request_changes", "reason": CHANGES})
    mail_server.start()
    [waiting] = stored()
    report = outbox.deliver(waiting.next_attempt_at + timedelta(seconds=1))
    assert report.sent == 1
    assert CHANGES in text_of(mail_server.last_to(staff.user.email))


def test_back_off_doubles_up_to_six_hours():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert outbox.backoff(40) == timedelta(hours=6)


def test_an_address_the_server_refuses_is_marked_failed_not_retried(app, runner, mail_server):
    report = _report(make_clinic())
    outbox.enqueue(
        "bounce@portal.example", "Hello", "report_received", kind="report", report=report
    )
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert "1 refused for good" in result.output
    [message] = stored()
    assert message.status == "failed"
    assert "550" in message.last_error
    assert "failed" in runner.invoke(args=["mail-queue"]).output


def _report(clinic):
    from portal.models import ProblemReport

    report = ProblemReport(clinic_id=clinic.id, kind="other", contact_email="x@portal.example")
    db.session.add(report)
    db.session.flush()
    return report


def test_a_patients_report_is_acknowledged_and_its_resolution_sent(
    app, browser, moderator, mail_server
):
    clinic = make_clinic(clean_profile(name="Checked Clinic"))
    sent = browser.submit(
        f"/clinics/{clinic.slug}/report",
        {
            "kind": "wrong_contact",
            "details": "The phone rings elsewhere.",
            "contact_email": "patient@home.example",
        },
    )
    assert sent.status_code == 303
    ack = mail_server.last_to("patient@home.example")
    assert ack["Subject"] == "We received your report about Checked Clinic"
    assert "never pass your address to the clinic" in text_of(ack)

    from portal.models import ProblemReport

    report = db.session.scalar(select(ProblemReport))
    moderator.login()
    page = f"/moderation/clinics/{clinic.id}"
    note = "We called the clinic; it corrected the number."
    done = moderator.submit(
        page, {f"report-{report.id}-note": note}, action=f"/moderation/reports/{report.id}/resolve"
    )
    assert done.status_code == 303
    resolved = mail_server.last_to("patient@home.example")
    assert resolved["Subject"] == "Your report about Checked Clinic is resolved"
    assert note in text_of(resolved)


def test_under_gunicorn_the_mail_goes_out_after_the_response(app, mail_server):
    """The real server: the registration's link is sent by the worker once it has answered."""
    import requests

    from tests.conftest import csrf_token_from
    from tests.servers import app_env, gunicorn

    env = {**app_env(app), **{key: str(value) for key, value in mail_server.settings().items()}}
    env.update(MAIL_USE_TLS="false", MAIL_USE_SSL="false")
    with gunicorn(env, workers=1) as base:
        session = requests.Session()
        form = session.get(f"{base}/account/register", timeout=10).text
        password = "four calm words together"
        answer = session.post(
            f"{base}/account/register",
            data={
                "csrf_token": csrf_token_from(form),
                "email": "served@harbor.example",
                "password": password,
                "password_confirm": password,
            },
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303
        message = mail_server.last_to("served@harbor.example", wait=10)
    assert message["Subject"] == "Confirm your email address"
    assert "https://portal.example/account/verify/" in text_of(message)
