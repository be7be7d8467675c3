"""Every error a person or a program can meet: our own page or our own JSON, never a trace.

Each status is reached through the real app: a missing CSRF token, a moderator on a
staff page, a wrong method, a body above MAX_CONTENT_LENGTH, a low rate limit, a
database error. The API has no route that forbids or reads a body yet, so two
test-only routes under /api/ stand in for them (and one that fails, for the 500).
"""

from __future__ import annotations

import logging

import pytest
from flask import abort, request, request_started
from sqlalchemy import text
from werkzeug.exceptions import default_exceptions

from portal import create_app
from portal.errors import CODES, MESSAGES
from portal.extensions import csrf, db
from portal.models import User
from tests.conftest import Browser, _fresh_request_globals
from tests.factories import TEST_PASSWORD, make_user
from tests.helpers import assert_secure_headers

LIMIT = 2
SEARCH_TEXT = "Zanzibarville ptsd"  # a patient's search, bound into the failing SQL
NEVER_SHOWN = ("Traceback", "SELECT", "no_such_table", "sqlalchemy", 'File "', SEARCH_TEXT)


@pytest.fixture
def error_app(app, app_config):
    """A fresh app on the test database, with low search limits and the test-only routes."""
    fresh = create_app(
        dict(
            app_config,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            RATELIMIT_SEARCH=f"{LIMIT} per minute",
            RATELIMIT_API=f"{LIMIT} per minute",
        )
    )
    request_started.connect(_fresh_request_globals, fresh)

    @fresh.get("/test-only/fails")
    @fresh.get("/api/test-only/fails")
    def fails():
        db.session.execute(
            text("SELECT name FROM no_such_table WHERE place = :place"), {"place": SEARCH_TEXT}
        )

    @fresh.get("/test-only/duplicate")
    def duplicate():
        """A real failed flush: the same e-mail twice (the database's unique index refuses)."""
        db.session.add_all([make_user_row("twin@clinic.example") for _ in range(2)])
        db.session.flush()

    @fresh.get("/test-only/unavailable")
    @fresh.get("/api/test-only/unavailable")
    def unavailable():
        abort(503)

    @fresh.get("/api/test-only/forbidden")
    def forbidden():
        abort(403)

    @fresh.post("/api/test-only/upload")
    @csrf.exempt
    def upload():
        return {"received": len(request.get_data())}

    return fresh


def make_user_row(email: str) -> User:
    return User(email=email, password_hash="x", role="clinic_staff")


def _last_of(get, url: str, times: int):
    return [get(url) for _ in range(times)][-1]


def _moderator_opens(browser: Browser, url: str):
    moderator = make_user(role="moderator")
    signed_in = browser.submit(
        "/account/login", {"email": moderator.email, "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 303
    return browser.get(url)


def _too_big(app) -> bytes:
    return b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)


PAGE = {
    400: lambda browser, _app: browser.client.post("/account/login", data={"email": "a@b.example"}),
    403: lambda browser, _app: _moderator_opens(browser, "/dashboard"),
    404: lambda browser, _app: browser.get("/no-such-page"),
    405: lambda browser, _app: browser.client.post("/guide"),
    413: lambda browser, app: browser.client.post(
        "/account/login", data=_too_big(app), content_type="application/x-www-form-urlencoded"
    ),
    429: lambda browser, _app: _last_of(browser.get, "/search", LIMIT + 1),
    500: lambda browser, _app: browser.get("/test-only/fails"),
}

API = {
    400: lambda client, _app: client.get("/api/v1/clinics?location=92101&radius=far"),
    403: lambda client, _app: client.get("/api/test-only/forbidden"),
    404: lambda client, _app: client.get("/api/v1/clinics/999"),
    405: lambda client, _app: client.post("/api/v1/clinics"),
    413: lambda client, app: client.post(
        "/api/test-only/upload", data=_too_big(app), content_type="application/octet-stream"
    ),
    429: lambda client, _app: _last_of(client.get, "/api/v1/clinics", LIMIT + 1),
    500: lambda client, _app: client.get("/api/test-only/fails"),
}


def _assert_nothing_internal(text_shown: str) -> None:
    for internal in NEVER_SHOWN:
        assert internal not in text_shown, internal


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429, 500])
def test_each_error_has_our_page_and_our_json(error_app, status, caplog):
    caplog.set_level(logging.INFO)
    page = PAGE[status](Browser(error_app.test_client()), error_app)
    assert page.status_code == status
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    title, _text = MESSAGES[status]
    assert f"<h1>{title}</h1>" in html and f"Error {status}" in html
    assert default_exceptions[status].description not in html  # not Werkzeug's own page
    _assert_nothing_internal(html)
    assert_secure_headers(page)

    answer = API[status](error_app.test_client(), error_app)
    assert answer.status_code == status
    assert answer.is_json
    error = answer.json["error"]
    assert set(error) <= {"code", "message", "field"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if status != 400:  # a bad parameter names its own code (`invalid_radius` and so on)
        assert error["code"] == CODES[status]
    _assert_nothing_internal(answer.get_data(as_text=True))
    assert_secure_headers(answer)

    # the operator's log has the error, without the patient's search
    assert SEARCH_TEXT not in caplog.text


def test_a_server_error_keeps_its_own_status(error_app):
    """503 (and any 5xx other than 500) is not flattened into 500."""
    client = error_app.test_client()
    page = client.get("/test-only/unavailable")
    assert page.status_code == 503
    assert MESSAGES[503][0] in page.get_data(as_text=True)
    answer = client.get("/api/test-only/unavailable")
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "unavailable"


def test_a_failed_flush_still_gets_our_500_page_for_a_signed_in_user(error_app):
    """The page reads the signed-in user: the failed transaction is rolled back first."""
    error_app.config["PROPAGATE_EXCEPTIONS"] = False
    browser = Browser(error_app.test_client())
    user = make_user()
    assert (
        browser.submit(
            "/account/login", {"email": user.email, "password": TEST_PASSWORD}
        ).status_code
        == 303
    )
    page = browser.get("/test-only/duplicate")
    assert page.status_code == 500
    assert f"<h1>{MESSAGES[500][0]}</h1>" in page.get_data(as_text=True)
    assert_secure_headers(page)


def test_405_names_the_methods_allowed():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    client = app.test_client()
    page = client.post("/guide")
    assert page.status_code == 405
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    api = client.delete("/api/v1/clinics")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
