"""Email ownership and recovery, through a real SMTP server in the test process.

Register -> the link arrives -> confirm; forgot -> reset -> the old password
and the used link are refused; bad links get a clear page; address changes
wait for the new address to confirm.
"""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal.accounts import tokens
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.models import User
from tests.factories import TEST_PASSWORD, make_user
from tests.mailbox import ClosingClient, html_of, link_in, text_of

NEW_PASSWORD = "seven quiet harbour lamps"


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.settings()}


@pytest.fixture
def app(app):
    app.test_client_class = ClosingClient
    return app


def page(response) -> str:
    return response.get_data(as_text=True)


def register(browser, email: str, password: str = TEST_PASSWORD):
    return browser.submit(
        "/account/register", {"email": email, "password": password, "password_confirm": password}
    )


def sign_in(browser, email: str, password: str):
    return browser.submit("/account/login", {"email": email, "password": password})


def test_register_sends_a_link_that_verifies_the_address_once(browser, mail_server):
    assert register(browser, "new@harbor.example").status_code == 303
    message = mail_server.last_to("new@harbor.example")
    assert message["Subject"] == "Confirm your email address"
    assert message["From"] == "Ketamine Clinic Finder <no-reply@portal.example>"
    # Two parts, the contact address in the footer of both, no tracking images.
    assert "help@portal.example" in text_of(message)
    assert "help@portal.example" in html_of(message)
    assert "<img" not in html_of(message)
    link = link_in(message, "/account/verify/")

    user = db.session.scalar(select(User).where(User.email == "new@harbor.example"))
    assert user.email_verified_at is None
    opened = browser.get(link)
    assert opened.status_code == 200
    assert "Confirm my address" in page(opened)
    db.session.expire_all()
    assert user.email_verified_at is None  # opening the link (a mail scanner) changes nothing

    assert browser.submit(link).status_code == 303
    db.session.expire_all()
    assert user.email_verified_at is not None

    again = browser.submit(link)
    assert again.status_code == 410
    assert "already used" in page(again)


def test_registering_a_known_address_answers_the_same_and_tells_its_owner(browser, mail_server):
    make_user(email="taken@harbor.example")
    response = register(browser, "taken@harbor.example", "a different long password")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/login"
    message = mail_server.last_to("taken@harbor.example")
    assert message["Subject"] == "Someone tried to register with your address"
    assert "/account/verify/" not in text_of(message)


def test_forgot_reset_old_password_refused_link_refused_twice(app, browser, mail_server):
    user = make_user(email="owner@harbor.example")
    signed_in = ClosingClient(app)  # another device, signed in before the reset
    other_device = type(browser)(signed_in)
    assert sign_in(other_device, user.email, TEST_PASSWORD).status_code == 303

    sent = browser.submit("/account/forgot", {"email": "owner@harbor.example"})
    unknown = browser.submit("/account/forgot", {"email": "nobody@harbor.example"})
    assert sent.status_code == unknown.status_code == 200
    assert page(sent).replace("owner@", "X@") == page(unknown).replace("nobody@", "X@")
    assert mail_server.to("nobody@harbor.example", wait=0.5) == []

    message = mail_server.last_to("owner@harbor.example")
    assert message["Subject"] == "Reset your password"
    link = link_in(message, "/account/reset/")
    assert browser.get(link).status_code == 200
    response = browser.submit(
        link, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/login"

    assert sign_in(browser, user.email, TEST_PASSWORD).status_code == 401
    assert sign_in(browser, user.email, NEW_PASSWORD).status_code == 303
    # Every session ended, like a password change: the other device is signed out.
    assert signed_in.get("/dashboard").status_code == 302

    used = browser.client.get(link)
    assert used.status_code == 410
    assert "already used" in page(used)
    assert "/account/forgot" in page(used)  # the way to ask for a new link
    assert mail_server.last_to("owner@harbor.example")["Subject"] == "Your password was changed"

    # The link's body is not kept once delivered.
    stored = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reset")).one()
    assert stored.status == "sent"
    assert stored.text_body == ""


def test_a_failing_reset_form_keeps_the_link_usable(browser, mail_server):
    make_user(email="owner@harbor.example")
    browser.submit("/account/forgot", {"email": "owner@harbor.example"})
    link = link_in(mail_server.last_to("owner@harbor.example"), "/account/reset/")
    short = browser.submit(link, {"new_password": "short", "new_password_confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 12 characters" in page(short)
    good = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    assert browser.submit(link, good).status_code == 303


@pytest.mark.parametrize(
    "make_link, status, says",
    [
        (lambda app, user: "/account/reset/forged-token", 400, "not complete or not one of ours"),
        (lambda app, user: "/account/verify/" + "x" * 3000, 400, "not complete or not one of ours"),
        (lambda app, user: "/account/reset/" + _old(app, tokens.RESET_SALT, user), 410, "too old"),
        (
            lambda app, user: "/account/verify/" + _old(app, tokens.VERIFY_SALT, user),
            410,
            "too old",
        ),
        (lambda app, user: "/account/reset/" + _wrong_salt(app, user), 400, "not one of ours"),
    ],
)
def test_bad_links_get_a_clear_page(app, browser, make_link, status, says):
    user = make_user(email="owner@harbor.example", verified=False)
    response = browser.get(make_link(app, user))
    assert response.status_code == status
    assert says in page(response)
    assert "This link cannot be used" in page(response)


def _old(app, salt: str, user: User) -> str:
    """A correctly signed link from two days ago."""
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt)
    payload = {"u": user.id, "e": user.email, "p": tokens.password_fingerprint(user.password_hash)}
    real_time = time.time
    try:
        time.time = lambda: real_time() - 3 * 24 * 3600
        return serializer.dumps(payload)
    finally:
        time.time = real_time


def _wrong_salt(app, user: User) -> str:
    """A verification link pasted where a reset link goes: its salt does not match."""
    with app.test_request_context():
        return tokens.verify_token(user.id, user.email)


def test_unverified_account_signs_in_and_writes_but_the_dashboard_asks_to_confirm(
    app, make_actor, mail_server
):
    actor = make_actor()
    actor.user.email_verified_at = None
    db.session.commit()
    actor.login()
    dashboard = page(actor.get("/dashboard"))
    assert "Please confirm your email address" in dashboard
    resent = actor.post("/account/verify/resend", token_from="/dashboard")
    assert resent.status_code == 303
    link = link_in(mail_server.last_to(actor.user.email), "/account/verify/")
    assert actor.submit(link).status_code == 303
    assert "Please confirm your email address" not in page(actor.get("/dashboard"))


def test_changing_the_address_verifies_the_new_one_first(app, staff, mail_server):
    staff.login()
    old = staff.user.email
    response = staff.submit(
        "/account/email", {"new_email": "New@Harbor.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert staff.user.email == old  # unchanged until the new address confirms
    assert staff.user.pending_email == "new@harbor.example"
    notice = mail_server.last_to(old)
    assert "new@harbor.example" in text_of(notice)
    link = link_in(mail_server.last_to("new@harbor.example"), "/account/verify/")
    assert staff.submit(link).status_code == 303
    db.session.expire_all()
    assert staff.user.email == "new@harbor.example"
    assert staff.user.pending_email is None
    assert staff.submit(link).status_code == 410


def test_wrong_password_keeps_what_was_typed(staff, mail_server):
    staff.login()
    response = staff.submit(
        "/account/email", {"new_email": "typed@harbor.example", "password": "not my password"}
    )
    assert response.status_code == 422
    assert 'value="typed@harbor.example"' in page(response)
    assert "That is not your current password" in page(response)
    assert mail_server.to("typed@harbor.example", wait=0.3) == []


def test_sign_in_page_links_to_forgot(browser):
    assert 'href="/account/forgot"' in page(browser.get("/account/login"))


@pytest.fixture
def limited(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ACCOUNT_EMAIL="2 per hour",
        RATELIMIT_RESET="2 per hour",
    )
    return app_config


def test_forgot_is_limited_per_client_and_per_address(limited, app, browser, mail_server):
    make_user(email="owner@harbor.example")
    codes = [
        browser.submit("/account/forgot", {"email": "owner@harbor.example"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert len(mail_server.to("owner@harbor.example")) == 2
    # From another address the same inbox is still protected; another inbox is not.
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.9.9.9"}, "token_from": "/account/login"}
    same = browser.post("/account/forgot", {"email": "owner@harbor.example"}, **elsewhere)
    other = browser.post("/account/forgot", {"email": "else@harbor.example"}, **elsewhere)
    assert (same.status_code, other.status_code) == (429, 200)


def test_reset_attempts_are_limited(limited, app, browser):
    link = "/account/reset/forged-token"
    codes = [
        browser.post(link, {"new_password": "x"}, token_from="/account/forgot").status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]
