"""Limits a stranger cannot turn against the owner, that tell nothing, and store no e-mail."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.conftest import csrf_token_from
from tests.factories import TEST_PASSWORD, make_user

REDIS_URL = "redis://127.0.0.1:6379/3"
NEW_PASSWORD = "a quiet harbor at dawn"


@pytest.fixture
def limited(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_LOGIN_ADDRESS="50 per minute",
        RATELIMIT_LOGIN_ACCOUNT="3 per minute",
        RATELIMIT_PASSWORD="3 per minute",
        RATELIMIT_API="100 per minute",
        RATELIMIT_OPEN_DATA="5 per minute",
        RATELIMIT_OPEN_DATA_FULL="2 per minute",
    )
    return app_config


def _sign_in(client, email: str, password: str, address: str):
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/account/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_strangers_failures_do_not_lock_the_owner_out(limited, app):
    owner = make_user(role="moderator")
    assert _sign_in(app.test_client(), owner.email, TEST_PASSWORD, "10.0.0.5").status_code == 303
    # a typo at home does not count against the account
    home = app.test_client()
    for _ in range(4):
        assert _sign_in(home, owner.email, "typo", "10.0.0.5").status_code == 401
    # a stranger guesses from addresses that never signed in to this account
    guesses = [
        _sign_in(app.test_client(), owner.email, f"guess {n}", f"203.0.113.{n}").status_code
        for n in range(6)
    ]
    assert guesses == [401, 401, 401, 429, 429, 429]
    # the owner still signs in from their usual address
    assert _sign_in(app.test_client(), owner.email, TEST_PASSWORD, "10.0.0.5").status_code == 303
    # a new address, even with the right password, waits like the stranger
    assert (
        _sign_in(app.test_client(), owner.email, TEST_PASSWORD, "198.51.100.7").status_code == 429
    )


def test_sign_in_pages_carry_no_attempt_counts(limited, app):
    user = make_user()
    client = app.test_client()
    answers = [
        client.get("/account/login"),
        _sign_in(client, user.email, "wrong", "10.0.0.9"),
        _sign_in(client, user.email, TEST_PASSWORD, "10.0.0.9"),
        app.test_client().get("/account/register"),
    ]
    for answer in answers:
        assert not [name for name, _value in answer.headers if name.startswith("X-RateLimit")]
    api = app.test_client().get("/api/v1/clinics?location=92101")
    assert api.headers["X-RateLimit-Remaining"]  # programs still see theirs


def test_limiter_keys_never_hold_a_typed_email(limited, app):
    from portal import create_app
    from portal.security import account_hint

    fresh = create_app(dict(app.config, RATELIMIT_STORAGE_URI=REDIS_URL))
    store = redis.Redis.from_url(REDIS_URL)
    email = f"Someone.Private.{uuid.uuid4().hex[:8]}@Clinic.Example"
    address = f"10.{uuid.uuid4().int % 250}.1.1"
    hint = account_hint(email)
    try:
        _sign_in(fresh.test_client(), email, "wrong", address)
        keys = [
            key.decode()
            for pattern in (f"*{hint}*", f"*{address}/*", "*someone.private*", "*Someone*")
            for key in store.scan_iter(pattern)
        ]
        assert any(hint in key for key in keys)  # the attempt was counted, under the hash
        assert not [key for key in keys if "someone" in key.lower() or "@" in key]
    finally:
        for pattern in (f"*{hint}*", f"*{address}/*"):
            for key in store.scan_iter(pattern):
                store.delete(key)


def test_changing_a_password_is_limited(limited, app, staff):
    staff.login()
    answers = [
        staff.submit(
            "/account/password",
            {
                "current_password": f"not it {n}",
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        ).status_code
        for n in range(5)
    ]
    assert answers == [422, 422, 422, 429, 429]


def test_full_hsds_lists_have_a_lower_limit(limited, app):
    client = app.test_client()
    full = [client.get("/api/v1/hsds/services?full=true").status_code for _ in range(3)]
    assert full == [200, 200, 429]
    assert client.get("/api/v1/hsds/services").status_code == 200  # summaries go on
    summaries = [client.get("/api/v1/hsds/organizations").status_code for _ in range(3)]
    assert summaries[-1] == 429  # 5 a minute in all, full or not
    other = app.test_client()
    answer = other.get("/api/v1/hsds/services?full=true", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert answer.status_code == 200
