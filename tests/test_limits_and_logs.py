"""Rate limits, the production check, security event logs and backups."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess

import pytest
import redis
from limits.storage import MemoryStorage
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicRevision, User
from portal.security import SECURITY_LOG, deployment_problems
from tests.conftest import ROOT, csrf_token_from
from tests.factories import TEST_PASSWORD, clean_profile, make_clinic, make_user
from tests.helpers import APPROVE, form_data, send
from tests.servers import GUNICORN, app_env, free_port, gunicorn


@pytest.fixture
def limited(app_config):
    """Rate limits on, small enough to reach in a test (memory storage, fresh per app)."""
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_LOGIN_ADDRESS="6 per minute",
        RATELIMIT_LOGIN_ACCOUNT="3 per minute",
        RATELIMIT_REGISTER="2 per hour",
        RATELIMIT_PROFILE="3 per hour",
        RATELIMIT_SEARCH="4 per minute",
        RATELIMIT_API="4 per minute",
    )
    return app_config


def _login(client, email: str, password: str = "wrong password", address: str = "10.0.0.1"):  # noqa: S107
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": address})
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_login_per_account_limit_answers_429_after_the_limit(limited, app):
    user = make_user()
    statuses = [
        _login(app.test_client(), user.email, address=f"10.0.1.{n}").status_code for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]  # 3 per minute, from 5 different addresses
    # even the right password waits now: the account is what is limited
    assert _login(app.test_client(), user.email, TEST_PASSWORD, "10.0.2.1").status_code == 429
    # another account is not affected
    other = make_user()
    assert _login(app.test_client(), other.email, TEST_PASSWORD, "10.0.3.1").status_code == 303


def test_login_per_address_limit_answers_429_after_the_limit(limited, app):
    client = app.test_client()
    statuses = [_login(client, f"nobody{n}@clinic.example").status_code for n in range(8)]
    assert statuses == [401] * 6 + [429] * 2
    # another address still signs in
    user = make_user()
    assert _login(app.test_client(), user.email, TEST_PASSWORD, "10.9.9.9").status_code == 303


def test_429_page_and_json_are_clear(limited, app):
    client = app.test_client()
    for _ in range(4):
        assert client.get("/search?location=92101").status_code == 200
    page = client.get("/search?location=92101")
    assert page.status_code == 429
    assert b"Too many requests" in page.data and b"wait" in page.data
    assert "Retry-After" in page.headers
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    for _ in range(4):
        assert client.get("/api/v1/clinics?location=92101").status_code == 200
    api = client.get("/api/v1/clinics?location=92101")
    assert api.status_code == 429
    assert api.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in api.headers


@pytest.fixture
def limits_down(app_config):
    """Rate limits on, their Redis unreachable (nothing listens on port 1)."""
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    return app_config


def test_rate_limit_storage_down_answers_503_not_500(limits_down, app, browser, caplog):
    assert app.config["RATELIMIT_SWALLOW_ERRORS"] is False  # never serve unlimited instead
    page = browser.get("/search?location=92101")
    assert page.status_code == 503
    assert b"briefly unavailable" in page.data and b"request limits" in page.data
    assert b"Traceback" not in page.data and b"127.0.0.1:1" not in page.data
    assert page.headers["Retry-After"] and page.headers["X-Content-Type-Options"] == "nosniff"
    api = browser.get("/api/v1/clinics?location=92101")
    assert api.status_code == 503
    assert api.json["error"]["code"] == "unavailable"
    assert "request limits" in api.json["error"]["message"]
    sign_in = browser.submit("/account/login", {"email": "a@clinic.example", "password": "x"})
    assert sign_in.status_code == 503
    assert browser.get("/guide").status_code == 200  # pages without a limit still work
    assert "Rate-limit storage unreachable" in caplog.text  # the operator learns why


def test_rate_limit_storage_lost_after_the_view_answers_503(limited, monkeypatch):
    """Redis answers the check, then is gone when the limit headers are written."""
    failing = create_app(dict(limited, PROPAGATE_EXCEPTIONS=False))

    def gone(*_args, **_kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(MemoryStorage, "get_expiry", gone)
    answer = failing.test_client().get("/api/v1/clinics")
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "unavailable"


def test_registration_is_limited_per_address(limited, app, browser):
    for n in range(2):
        data = {"email": f"new{n}@clinic.example", "password": TEST_PASSWORD}
        data["password_confirm"] = TEST_PASSWORD
        assert browser.submit("/account/register", data).status_code == 303
    data = {"email": "new9@clinic.example", "password": TEST_PASSWORD}
    data["password_confirm"] = TEST_PASSWORD
    assert browser.submit("/account/register", data).status_code == 429


def test_profile_writes_are_limited_per_user(limited, app, staff):
    staff.login()
    clinic = make_clinic(status="draft", manager=staff.user)
    url = f"/dashboard/clinics/{clinic.id}/edit"
    statuses = [
        send(staff, url, form_data(clean_profile(name=f"Name {n}"))).status_code for n in range(4)
    ]
    assert statuses == [303, 303, 303, 429]


# --- production check --------------------------------------------------------------------


SAFE_ENV = {
    "SECRET_KEY": "x" * 24 + "a-long-random-production-key",
    "TRUSTED_HOSTS": "clinics.example",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/3",
    "WEB_CONCURRENCY": "4",
}


# Every variable a case below sets, cleared first so the shell's own values do not leak in.
CHECKED_ENV = (
    *SAFE_ENV,
    "FLASK_DEBUG",
    "SESSION_COOKIE_SECURE",
    "RATELIMIT_ENABLED",
    "SESSION_LIFETIME_HOURS",
    "REMEMBER_COOKIE_DAYS",
)


def _check(runner, monkeypatch, **env):
    for name in CHECKED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runner.invoke(args=["check"])


def test_check_passes_a_safe_production_configuration(runner, monkeypatch):
    result = _check(runner, monkeypatch, **SAFE_ENV)
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"FLASK_DEBUG": "1"}, "debug mode is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "dev"}, "SECRET_KEY is weak"),
        ({"SESSION_COOKIE_SECURE": "0"}, "SESSION_COOKIE_SECURE is off"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "memory:// with WEB_CONCURRENCY > 1"),
        ({"TRUSTED_HOSTS": ""}, "TRUSTED_HOSTS is not set"),
        ({"RATELIMIT_ENABLED": "false"}, "RATELIMIT_ENABLED is off"),
        ({"SESSION_LIFETIME_HOURS": "720"}, "more than 24 hours"),
        ({"REMEMBER_COOKIE_DAYS": "31"}, "REMEMBER_COOKIE_DURATION is more than 30 days"),
    ],
)
def test_check_fails_and_names_each_unsafe_setting(runner, monkeypatch, change, named):
    env = {**SAFE_ENV, **change}
    env = {name: value for name, value in env.items() if value}
    result = _check(runner, monkeypatch, **env)
    assert result.exit_code != 0
    assert named in result.output
    assert result.output.count("UNSAFE:") == (2 if "COOKIE_SECURE" in named else 1)


def test_check_names_every_problem_at_once(runner, monkeypatch):
    result = _check(runner, monkeypatch, WEB_CONCURRENCY="4", FLASK_DEBUG="1")
    assert result.exit_code != 0
    assert result.output.count("UNSAFE:") == 4  # debug, secret, memory limits, hosts


def test_memory_limits_are_fine_for_one_worker():
    config = {"RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": 1}
    assert not any("memory://" in problem for problem in deployment_problems(config))


def test_remember_me_of_30_days_passes_the_check(runner, monkeypatch):
    result = _check(runner, monkeypatch, **SAFE_ENV, REMEMBER_COOKIE_DAYS="30")
    assert result.exit_code == 0, result.output


def _production_env(app, storage: str) -> dict[str, str]:
    env = {**os.environ, **app_env(app), "PORTAL_ENV": "production"}
    env["RATELIMIT_STORAGE_URI"] = storage
    env.pop("WEB_CONCURRENCY", None)  # the real worker count decides, not this variable
    return env


def test_gunicorn_refuses_memory_limits_with_several_workers_in_production(app):
    command = [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{free_port()}"]
    started = subprocess.run(  # noqa: S603 (our own gunicorn, fixed arguments)
        [*command, "portal:create_app()"],
        cwd=ROOT,
        env=_production_env(app, "memory://"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = started.stdout + started.stderr
    assert started.returncode != 0, output
    assert "RATELIMIT_STORAGE_URI is memory:// with 2 gunicorn workers" in output
    assert "RATELIMIT_STORAGE_URI=redis://" in output  # names the fix


@pytest.mark.parametrize(
    ("portal_env", "workers", "storage"),
    [
        ("production", 1, "memory://"),
        ("production", 2, "redis://127.0.0.1:6379/3"),
        ("development", 2, "memory://"),  # `make run` and the tests' servers are never refused
    ],
)
def test_gunicorn_starts_when_limits_are_shared_or_there_is_one_worker(
    app, portal_env, workers, storage
):
    env = {**app_env(app), "PORTAL_ENV": portal_env, "RATELIMIT_STORAGE_URI": storage}
    with gunicorn(env, workers=workers) as base:
        assert base.startswith("http://127.0.0.1:")  # it answered /guide with 200


# --- database errors in logs -------------------------------------------------------------


def test_sql_errors_never_carry_bound_values(app):
    """A failing query's message (which reaches the log) hides its parameters: a search."""
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert db.engine.hide_parameters
    with pytest.raises(DBAPIError) as failure:
        db.session.execute(
            text("SELECT name FROM no_such_table WHERE place = :place"), {"place": SEARCH_SECRET}
        )
    db.session.rollback()
    assert SEARCH_SECRET not in str(failure.value)
    assert "hidden" in str(failure.value)


# --- security events ---------------------------------------------------------------------


SEARCH_SECRET = "Zanzibarville"


def test_security_events_are_logged_without_secrets(limited, app, caplog, make_actor, staff):
    caplog.set_level(logging.DEBUG)
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "100 per minute"
    moderator = make_actor("moderator")
    # sign-in failure and success
    assert _login(staff.client, staff.user.email, "Wrong-Password-123").status_code == 401
    staff.login()
    # access denied: staff on a moderation page, and someone else's clinic
    assert staff.client.get("/moderation").status_code == 404
    other_clinic = make_clinic()
    assert staff.client.get(f"/dashboard/clinics/{other_clinic.id}/edit").status_code == 404
    # CSRF failure
    assert staff.client.post("/dashboard/clinics/new", data={"name": "x"}).status_code == 400
    # patient searches (never logged), one of them rate limited
    patient = app.test_client()
    for _ in range(5):
        patient.get(f"/search?location={SEARCH_SECRET}&condition=ptsd")
    patient.get(f"/api/v1/clinics?location={SEARCH_SECRET}")
    # a moderation decision
    moderator.login()
    pending = make_clinic(status="pending", manager=staff.user)
    revision_id = db.session.scalar(
        select(ClinicRevision.id).where(ClinicRevision.clinic_id == pending.id)
    )
    response = moderator.submit(
        f"/moderation/revisions/{revision_id}",
        APPROVE,
        action=f"/moderation/revisions/{revision_id}/decision",
    )
    assert response.status_code in (302, 303)

    security_lines = [r.getMessage() for r in caplog.records if r.name == SECURITY_LOG]
    events = [line.split()[0] for line in security_lines]
    for name in (
        "login_failed",
        "login",
        "access_denied",
        "csrf_failed",
        "rate_limited",
        "moderation_decision",
    ):
        assert f"event={name}" in events, name
    decision_line = next(line for line in security_lines if "moderation_decision" in line)
    assert f"actor=user:{moderator.user.id}" in decision_line and "outcome=approve" in decision_line
    assert all(" at=20" in line and "+00:00" in line for line in security_lines)

    everything = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    secrets = [TEST_PASSWORD, "Wrong-Password-123", SEARCH_SECRET, staff.user.email]
    for client in (staff.client, moderator.client, patient):
        secrets += [cookie.value for cookie in client._cookies.values() if len(cookie.value) > 8]
    for secret in secrets:
        assert secret not in everything
    assert "condition=ptsd" not in everything


# --- backups -----------------------------------------------------------------------------


def _row_counts(connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    count = "SELECT count(*) FROM {}"
    return {name: connection.execute(count.format(name)).fetchone()[0] for name in tables}


def test_backup_writes_a_copy_that_restores_every_row(app, runner, tmp_path, staff):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    for n in range(5):
        make_clinic(clean_profile(name=f"Backup Clinic {n}"), manager=staff.user)
    target = tmp_path / "backups" / "portal-copy.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    live = sqlite3.connect(db.engine.url.database)
    copy = sqlite3.connect(target)
    assert _row_counts(copy) == _row_counts(live)
    assert (
        copy.execute("SELECT name FROM clinics ORDER BY id").fetchall()
        == live.execute("SELECT name FROM clinics ORDER BY id").fetchall()
    )
    live.close()
    copy.close()
    # restore: the app runs on the copy and finds every row
    from portal import create_app

    restored = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}"))
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Clinic)) == 5
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 5
        assert restored.test_client().get("/api/v1/clinics?location=92101").json["total"] == 5
        db.session.remove()
        db.engine.dispose()
    # a second backup never overwrites the first
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0


def test_backup_during_writes_is_consistent(app, runner, tmp_path):
    """Writers keep inserting while the copy is taken; the copy passes its integrity check."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only; PostgreSQL uses pg_dump")
    import threading

    stop = threading.Event()
    path = db.engine.url.database

    def write():
        connection = sqlite3.connect(path, timeout=10)
        connection.execute("PRAGMA busy_timeout=10000")
        n = 0
        while not stop.is_set():
            with connection:
                connection.execute(
                    "INSERT INTO users (email, password_hash, role, session_token, is_suspended, "
                    "created_at) VALUES (?, 'x', 'clinic_staff', ?, 0, CURRENT_TIMESTAMP)",
                    (f"w{n}@x.example", f"t{n}"),
                )
            n += 1
        connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(3):
            result = runner.invoke(args=["backup", str(tmp_path / f"copy{n}.db")])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        writer.join()
