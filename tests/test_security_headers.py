"""Every response carries the security headers; templates hold no inline code; cookies are safe."""

from __future__ import annotations

import re
import time

import pytest

from portal import create_app
from portal.security import content_security_policy
from tests.conftest import ROOT
from tests.helpers import assert_secure_headers, csp_directives


@pytest.fixture
def failing_app(app_config):
    """The app with one extra route that raises, to see the 500 page's headers."""
    failing = create_app(app_config)

    @failing.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM clinics")  # must never reach the user

    return failing


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/search?location=92101", 200),
        ("/api/v1/clinics?location=92101", 200),
        ("/api/openapi.json", 200),
        ("/static/css/site.css", 200),
        ("/no-such-page", 404),
        ("/api/v1/clinics/999", 404),
        ("/account/login", 200),
        ("/dashboard", 302),
    ],
)
def test_every_kind_of_response_has_the_headers(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_secure_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_error_500_has_the_headers_and_no_trace(failing_app):
    with failing_app.app_context():
        from portal.extensions import db

        db.create_all()
    for url in ("/boom",):
        response = failing_app.test_client().get(url)
        assert response.status_code == 500
        assert_secure_headers(response)
        body = response.get_data(as_text=True)
        assert "SELECT" not in body and "Traceback" not in body and "RuntimeError" not in body


def test_https_responses_add_hsts(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_map_tile_origin_joins_img_src_only():
    policy = csp_directives(content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png"))
    assert policy["img-src"] == "'self' data: https://*.tile.example.org"
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert (
        csp_directives(content_security_policy("javascript:alert(1)"))["img-src"] == "'self' data:"
    )


def test_request_body_above_the_limit_is_refused(browser):
    response = browser.submit("/account/login", {"email": "x" * 300_000, "password": "y"})
    assert response.status_code == 413
    assert b"too much" in response.data


def test_untrusted_host_is_refused(app_config):
    app_config["TRUSTED_HOSTS"] = ["clinics.example"]
    trusted = create_app(app_config)
    with trusted.app_context():
        from portal.extensions import db

        db.create_all()
    client = trusted.test_client()
    assert client.get("/guide", base_url="http://clinics.example").status_code == 200
    assert client.get("/guide", base_url="http://evil.example").status_code == 400


def test_session_cookie_flags(staff):
    response = staff.submit(
        "/account/login", {"email": staff.user.email, "password": staff.password, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember


def test_production_cookies_are_secure_and_short(monkeypatch, tmp_path):
    from portal.config import load_config

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "2")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1000")
    monkeypatch.setenv("TRUSTED_HOSTS", "a.example, b.example")
    config = load_config(tmp_path)
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 2 * 3600
    assert config["MAX_CONTENT_LENGTH"] == 1000
    assert config["TRUSTED_HOSTS"] == ["a.example", "b.example"]


@pytest.mark.parametrize("portal_env", ["staging", "production", "test"])
def test_cookies_are_secure_in_every_env_but_development(monkeypatch, tmp_path, portal_env):
    from portal.config import load_config

    monkeypatch.setenv("PORTAL_ENV", portal_env)
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    # the explicit setting still wins, either way
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    config = load_config(tmp_path)
    assert not config["SESSION_COOKIE_SECURE"] and not config["REMEMBER_COOKIE_SECURE"]


def test_development_cookies_work_over_plain_http(monkeypatch, tmp_path):
    from portal.config import load_config

    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = load_config(tmp_path)
    assert not config["SESSION_COOKIE_SECURE"] and not config["REMEMBER_COOKIE_SECURE"]
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert load_config(tmp_path)["SESSION_COOKIE_SECURE"] is True


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", re.I), "script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_hold_no_inline_script_or_style():
    problems = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert problems == []


def test_a_sign_in_ends_after_the_session_lifetime(app, staff):
    """SESSION_LIFETIME_HOURS really applies: a session cookie older than it signs nobody in."""
    from datetime import timedelta

    staff.login()
    assert staff.get("/dashboard").status_code == 200
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    time.sleep(2.1)
    response = staff.get("/dashboard")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
