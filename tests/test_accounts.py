"""Accounts: registering, signing in and out, and sessions that really end."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.accounts import service
from portal.accounts.views import REGISTERED, SIGN_IN_FAILED
from portal.auth import hash_password
from portal.config import DEFAULT_PASSWORD_HASH, load_config
from portal.extensions import db
from portal.models import User
from tests.conftest import Browser, csrf_token_from
from tests.factories import TEST_PASSWORD, make_user

NEW_PASSWORD = "a quiet harbor at dawn"


def register(browser, email: str, password: str = NEW_PASSWORD, **extra):
    data = {"email": email, "password": password, "password_confirm": password, **extra}
    return browser.submit("/account/register", data)


def login(browser, email: str, password: str, **extra):
    return browser.submit("/account/login", {"email": email, "password": password, **extra})


def without_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked, so two answers can be compared whole."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


def signed_in(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 200


def set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def users_with(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


# --- registration -------------------------------------------------------------------------


def test_registration_creates_clinic_staff_and_lets_them_sign_in(browser):
    response = register(browser, "  New.Person@Clinic.Example ", role="moderator")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/login"
    user = db.session.scalar(select(User).where(User.email == "new.person@clinic.example"))
    assert user is not None
    assert user.role == "clinic_staff"
    assert NEW_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")  # the configured method

    page = browser.get("/account/login").get_data(as_text=True)
    assert str(escape(REGISTERED)) in page
    response = login(browser, "NEW.person@clinic.example", NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    assert signed_in(browser.client)


def test_registration_answers_the_same_for_a_taken_email(app, browser):
    owner = make_user(email="taken@clinic.example")
    old_hash = owner.password_hash

    taken = register(browser, "Taken@Clinic.example")
    taken_page = browser.get("/account/login").get_data(as_text=True)
    fresh = register(browser, "fresh@clinic.example")
    fresh_page = browser.get("/account/login").get_data(as_text=True)

    assert taken.status_code == fresh.status_code == 303
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert taken.get_data() == fresh.get_data()
    assert without_tokens(taken_page) == without_tokens(fresh_page)
    assert str(escape(REGISTERED)) in taken_page

    db.session.expire_all()
    assert users_with("taken@clinic.example") == 1
    assert db.session.get(User, owner.id).password_hash == old_hash  # not overwritten
    # The attempt with another password cannot get into the existing account.
    assert login(browser, "taken@clinic.example", NEW_PASSWORD).status_code == 401


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "Use at least 12 characters."),
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("abcdabcdabcd", "too easy to guess"),
        ("Summer2024!!", "too easy to guess"),
        ("iloveyou1234567", "too easy to guess"),
        ("trustno1trustno1", "too easy to guess"),
        ("keep.me@clinic.example", "email address"),
        ("Keep.Me and the sea", "email address"),
    ],
)
def test_weak_passwords_are_refused_and_the_email_is_kept(browser, password, message):
    response = register(browser, "keep.me@clinic.example", password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="keep.me@clinic.example"' in html
    assert users_with("keep.me@clinic.example") == 0


def test_mismatched_confirmation_is_refused(browser):
    response = browser.submit(
        "/account/register",
        {"email": "a@clinic.example", "password": NEW_PASSWORD, "password_confirm": "other"},
    )
    assert response.status_code == 422
    assert "The two passwords are not the same." in response.get_data(as_text=True)
    assert users_with("a@clinic.example") == 0


def test_malformed_email_is_refused(browser):
    response = register(browser, "not-an-email")
    assert response.status_code == 422
    assert "Enter an email address like" in response.get_data(as_text=True)


# --- signing in ---------------------------------------------------------------------------


def test_failed_sign_in_reads_the_same_for_known_and_unknown_emails(browser):
    make_user(email="known@clinic.example")
    known = login(browser, "known@clinic.example", "not the right password")
    unknown = login(browser, "nobody@clinic.example", "not the right password")
    assert known.status_code == unknown.status_code == 401
    known_page = known.get_data(as_text=True)
    unknown_page = unknown.get_data(as_text=True)
    assert str(escape(SIGN_IN_FAILED)) in known_page
    # Identical but for the email each person typed, which the form gives back.
    assert without_tokens(known_page).replace("known@", "EMAIL@") == without_tokens(
        unknown_page
    ).replace("nobody@", "EMAIL@")
    assert not signed_in(browser.client)


def test_sign_in_starts_a_fresh_session(app, staff):
    with staff.client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_user_id"] = "forged"
    staff.login()
    with staff.client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == staff.user.session_token
    db.session.refresh(staff.user)
    assert staff.user.last_login_at is not None


def test_moderators_sign_in_to_moderation(moderator):
    response = moderator.login()
    assert response.headers["Location"] == "/moderation"


def test_suspended_account_cannot_sign_in(staff):
    service.suspend_account(staff.user, moderator=None, reason="test")
    db.session.commit()
    wrong = login(staff, staff.user.email, "not the right password")
    assert wrong.status_code == 401
    assert str(escape(SIGN_IN_FAILED)) in wrong.get_data(as_text=True)
    right = login(staff, staff.user.email, TEST_PASSWORD)
    assert right.status_code == 403
    assert "on hold" in right.get_data(as_text=True)
    assert not signed_in(staff.client)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/dashboard",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "https://evil.example",
        "http:evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,hi",
        " //evil.example",
        "evil.example",
        "///evil.example",
    ],
)
def test_next_never_leaves_the_site(app, staff, target):
    form_url = "/account/login?next=" + quote(target, safe="")
    page = staff.client.get(form_url).get_data(as_text=True)
    assert "evil" not in page and "javascript" not in page.lower().replace("javascript:void", "")
    # Sent straight in the form, too, as an attacker's page could.
    response = staff.client.post(
        "/account/login",
        data={
            "email": staff.user.email,
            "password": TEST_PASSWORD,
            "next": target,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme == "" and parts.netloc == ""
    assert location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and "evil" not in location
    assert location == "/dashboard"


def test_next_leads_back_to_the_page_asked_for(app, staff):
    response = staff.client.get("/dashboard/clinics/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Fdashboard%2Fclinics%2Fnew"
    response = staff.submit(response.headers["Location"], {
        "email": staff.user.email,
        "password": TEST_PASSWORD,
        "next": "/dashboard/clinics/new",
    })  # fmt: skip
    assert response.headers["Location"] == "/dashboard/clinics/new"


def test_safe_next_keeps_plain_paths_only():
    assert service.safe_next("/clinics/a?x=1#top") == "/clinics/a?x=1#top"
    for target in ("", None, "//x", "/\\x", "https://x", "/x\ny", "/x\x7fy", "x/y"):
        assert service.safe_next(target) is None, target


# --- sessions that end --------------------------------------------------------------------


def test_a_cookie_copied_before_logout_no_longer_signs_in(app, staff):
    staff.login()
    copied = staff.client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert signed_in(thief)  # the copy works while the session lives

    response = staff.post("/account/logout", token_from="/dashboard")
    assert response.status_code == 303
    assert not signed_in(staff.client)

    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_remember_me_cookie_dies_with_logout_too(app, staff):
    response = staff.login(remember="y")
    [header] = set_cookie_headers(response, "remember_token")
    assert "HttpOnly" in header and "SameSite=Lax" in header
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert expires - datetime.now(UTC) <= timedelta(days=30)
    remembered = staff.client.get_cookie("remember_token").value

    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert signed_in(thief)

    staff.post("/account/logout", token_from="/dashboard")
    replay = app.test_client()
    replay.set_cookie("remember_token", remembered)
    assert not signed_in(replay)


def test_password_change_ends_every_other_session(app, staff, make_actor):
    staff.login()
    other_device = app.test_client()
    other_device.set_cookie("session", staff.client.get_cookie("session").value)
    second = make_actor("clinic_staff", email="second@clinic.example")  # unaffected
    second.login()
    assert signed_in(other_device)

    response = staff.submit("/account/password", {
        "current_password": TEST_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    })  # fmt: skip
    assert response.status_code == 303
    assert signed_in(staff.client)  # this browser stays signed in, with a new cookie
    assert not signed_in(other_device)
    assert signed_in(second.client)

    fresh = app.test_client()
    assert login(Browser(fresh), staff.user.email, TEST_PASSWORD).status_code == 401
    assert login(Browser(fresh), staff.user.email, NEW_PASSWORD).status_code == 303


def test_password_change_needs_the_current_password(staff):
    staff.login()
    token_before = staff.user.session_token
    response = staff.submit("/account/password", {
        "current_password": "not my password at all",
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    })  # fmt: skip
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    db.session.refresh(staff.user)
    assert staff.user.session_token == token_before
    assert signed_in(staff.client)


def test_password_change_refuses_a_weak_password(staff):
    staff.login()
    response = staff.submit("/account/password", {
        "current_password": TEST_PASSWORD,
        "new_password": "password1234",
        "new_password_confirm": "password1234",
    })  # fmt: skip
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)


def test_password_page_needs_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_suspension_ends_sessions_at_once(app, staff, moderator):
    staff.login()
    copied = staff.client.get_cookie("session").value
    service.suspend_account(staff.user, moderator=moderator.user, reason="Fake clinic")
    db.session.commit()
    assert not signed_in(staff.client)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert not signed_in(replay)


# --- cookies and hashing settings ---------------------------------------------------------


def test_session_cookie_flags_in_development(staff):
    response = staff.login()
    [header] = set_cookie_headers(response, "session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def test_cookies_are_secure_outside_development(tmp_path, monkeypatch):
    """The settings; tests/e2e/test_https.py signs in over TLS in Chromium and reads the cookies."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    production = load_config(tmp_path)
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)


def test_production_hashes_passwords_with_strong_scrypt(app, tmp_path, monkeypatch):
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    production = load_config(tmp_path)["PASSWORD_HASH_METHOD"]
    assert production == DEFAULT_PASSWORD_HASH == "scrypt:131072:8:1"
    app.config["PASSWORD_HASH_METHOD"] = production
    assert hash_password(NEW_PASSWORD).startswith("scrypt:131072:8:1$")  # one hash: ~0.5 s


# --- CSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/account/register", {"email": "x@clinic.example", "password": NEW_PASSWORD}),
        ("/account/login", {"email": "x@clinic.example", "password": NEW_PASSWORD}),
        ("/account/logout", {}),
        ("/account/password", {"current_password": TEST_PASSWORD}),
    ],
)
def test_account_posts_without_csrf_token_are_refused(staff, url, data):
    staff.login()
    token_before = staff.user.session_token
    response = staff.client.post(url, data={**data, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 400
    db.session.refresh(staff.user)
    assert staff.user.session_token == token_before
    assert users_with("x@clinic.example") == 0
    assert signed_in(staff.client)


def test_password_change_refuses_the_accounts_own_email(staff):
    staff.login()
    own = staff.user.email.upper() + " 2026"
    response = staff.submit("/account/password", {
        "current_password": TEST_PASSWORD,
        "new_password": own,
        "new_password_confirm": own,
    })  # fmt: skip
    assert response.status_code == 422
    assert "email address" in response.get_data(as_text=True)
