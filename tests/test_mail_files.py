"""Without MAIL_SERVER (a developer's machine) mail becomes .eml files; `flask check` objects."""

from __future__ import annotations

import logging

from portal.extensions import db
from portal.mail import outbox
from portal.security import mail_problems
from tests.conftest import Browser, csrf_token_from
from tests.factories import make_user
from tests.mailbox import ClosingClient, eml_files, html_of, link_in, text_of


def test_without_a_mail_server_messages_become_eml_files_with_the_subject_logged(
    app, runner, caplog
):
    assert app.config["MAIL_SERVER"] == ""
    app.config["CONTACT_EMAIL"] = "help@clinic.example"
    outbox.enqueue(
        "someone@portal.example",
        "Confirm your email address",
        "verify_email",
        kind="verify",
        link="http://127.0.0.1:5000/account/verify/abc",
        hours=48,
    )
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="portal.mail"):
        result = runner.invoke(args=["send-mail"])
    assert "1 sent" in result.output
    [message] = eml_files(app.config["MAIL_OUTBOX_DIR"])
    assert message["Subject"] == "Confirm your email address"
    assert message["To"] == "someone@portal.example"
    assert link_in(message, "/account/verify/") == "/account/verify/abc"
    assert "Questions? Write to help@clinic.example" in text_of(message)
    assert 'href="mailto:help@clinic.example"' in html_of(message)
    assert "Confirm your email address" in caplog.text
    assert "someone@portal.example" not in caplog.text  # the log names no address


def test_registration_writes_its_link_to_the_outbox_folder_after_the_response(app, browser):
    app.test_client_class = ClosingClient
    visitor = Browser(app.test_client())
    password = "four calm words together"
    visitor.submit(
        "/account/register",
        {"email": "new@clinic.example", "password": password, "password_confirm": password},
    )
    [message] = eml_files(app.config["MAIL_OUTBOX_DIR"])
    assert message["To"] == "new@clinic.example"
    assert "Questions? Write to" not in text_of(message)  # no CONTACT_EMAIL: no empty line for it
    assert message["Reply-To"] is None
    # Links use PUBLIC_BASE_URL, never the Host header a request came with.
    assert "http://127.0.0.1:5000/account/verify/" in text_of(message)


def test_links_ignore_a_forged_host_header(app):
    app.test_client_class = ClosingClient
    visitor = app.test_client()
    make_user(email="owner@clinic.example")
    forged = {"base_url": "http://evil.example"}
    token = csrf_token_from(visitor.get("/account/forgot", **forged).get_data(as_text=True))
    sent = visitor.post(
        "/account/forgot", data={"email": "owner@clinic.example", "csrf_token": token}, **forged
    )
    assert sent.status_code == 200
    [message] = eml_files(app.config["MAIL_OUTBOX_DIR"])
    assert "evil.example" not in text_of(message)
    assert "http://127.0.0.1:5000/account/reset/" in text_of(message)


def test_check_names_mail_settings_that_cannot_work_in_production():
    problems = mail_problems({"MAIL_SERVER": "", "MAIL_DEFAULT_SENDER": ""})
    assert any(p.startswith("MAIL_SERVER is not set") for p in problems)
    assert any(p.startswith("MAIL_DEFAULT_SENDER is not set") for p in problems)
    assert any(p.startswith("CONTACT_EMAIL") for p in problems)
    plain = mail_problems(
        {
            "MAIL_SERVER": "smtp.mail.example",
            "MAIL_DEFAULT_SENDER": "a@b.example",
            "CONTACT_EMAIL": "help@b.example",
            "MAIL_USERNAME": "user",
        }
    )
    assert plain == [
        "MAIL_USE_TLS and MAIL_USE_SSL are off for a remote MAIL_SERVER: reset links would "
        "cross the network in clear",
        "MAIL_USERNAME and MAIL_PASSWORD must be set together",
    ]
    good = {
        "MAIL_SERVER": "smtp.mail.example",
        "MAIL_USE_TLS": True,
        "MAIL_DEFAULT_SENDER": "a@b.example",
        "CONTACT_EMAIL": "help@b.example",
    }
    assert mail_problems(good) == []
