"""`flask --app portal send-reminders`: expiry and out-of-date reminders, each once per period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import ReminderSent
from portal.models import Clinic, utcnow
from tests.factories import make_clinic
from tests.mailbox import text_of


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.settings()}


def expiring_in(days: int, manager) -> Clinic:
    clinic = make_clinic(manager=manager)
    clinic.verification_expires = date.today() + timedelta(days=days)
    db.session.commit()
    return clinic


def subjects(mail_server, address: str) -> list[str]:
    return [m["Subject"] for m in mail_server.to(address, wait=0.3)]


def test_expiry_reminder_goes_once_per_verification(runner, staff, mail_server):
    clinic = expiring_in(20, staff.user)
    expiring_in(45, staff.user)  # not yet
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 verification expiry, 0 out of date (1 messages sent" in result.output
    [message] = mail_server.to(staff.user.email)
    assert "runs out in 20 days" in text_of(message)
    assert clinic.name in message["Subject"]

    runner.invoke(args=["send-reminders"])
    assert len(mail_server.to(staff.user.email)) == 1  # once per period

    clinic.verification_expires = date.today() + timedelta(days=10)  # re-verified, new period
    db.session.commit()
    runner.invoke(args=["send-reminders"])
    assert len(mail_server.to(staff.user.email)) == 2


def test_out_of_date_reminder_at_the_180_day_mark(app, runner, staff, mail_server):
    clinic = make_clinic(manager=staff.user)
    clinic.last_confirmed_at = utcnow() - timedelta(days=app.config["STALE_AFTER_DAYS"])
    db.session.commit()
    runner.invoke(args=["send-reminders"])
    assert subjects(mail_server, staff.user.email) == []  # 180 whole days: not yet past the mark

    clinic.last_confirmed_at = utcnow() - timedelta(days=181)
    db.session.commit()
    runner.invoke(args=["send-reminders"])
    runner.invoke(args=["send-reminders"])
    [message] = mail_server.to(staff.user.email)
    assert "please confirm your listing is still accurate" in message["Subject"]
    assert "more than 180 days" in text_of(message)
    kinds = db.session.scalars(select(ReminderSent.kind)).all()
    assert kinds == ["out_of_date"]


def test_a_listing_without_staff_records_nothing(runner, mail_server):
    clinic = expiring_in(5, None)
    runner.invoke(args=["send-reminders"])
    assert (
        db.session.scalar(select(ReminderSent).where(ReminderSent.clinic_id == clinic.id)) is None
    )
    assert mail_server.inbox == []
