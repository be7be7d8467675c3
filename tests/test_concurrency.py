"""Data safety under concurrency, on SQLite and PostgreSQL alike.

- 8 threads submitting profiles while 8 threads search: no error, every write kept;
- SQLite: WAL, busy timeout and foreign keys on every connection, and a writing
  request's transaction holds the write lock from its BEGIN (BEGIN IMMEDIATE);
- read-then-edit of one listing from 8 clients under gunicorn with 4 workers:
  no lost update, every conflict answered 409 (FIELD-NOTES.md measured 60-88% lost
  without the guards);
- rate limits under gunicorn with 4 workers and Redis: the first 429 comes at
  the limit, not at 4 times it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid
from collections import Counter

import pytest
import redis
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Clinic, ClinicDraft, ClinicRevision, User
from tests import servers
from tests.conftest import csrf_token_from
from tests.factories import TEST_PASSWORD, clean_profile, make_clinic
from tests.helpers import form_data
from tests.servers import app_env, gunicorn

WRITERS = READERS = 8
SECONDS = 4
REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture
def zip_table(app):
    """The ZIP table built before the clock starts (the first use builds it: seconds)."""
    from portal.places import find_place

    assert find_place("92101") is not None


def test_writers_and_readers_at_once_lose_nothing(app, make_actor, sample_clinics, zip_table):
    writers = [make_actor("clinic_staff") for _ in range(WRITERS)]
    for writer in writers:
        writer.login()
    tokens = [
        csrf_token_from(w.client.get("/dashboard/clinics/new").get_data(True)) for w in writers
    ]
    # The test's own requests share the fixture's session; end its transaction as a
    # server's request teardown would, so only the threads' own sessions compete.
    db.session.remove()
    stop = time.monotonic() + SECONDS
    errors: list[str] = []
    written: list[str] = []
    reads = Counter()
    lock = threading.Lock()

    def write(index: int) -> None:
        n = 0
        while time.monotonic() < stop:
            name = f"Concurrent Clinic {index}-{n}"
            data = form_data(clean_profile(name=name), action="submit", csrf_token=tokens[index])
            began = time.monotonic()
            try:
                response = writers[index].client.post("/dashboard/clinics/new", data=data)
            except Exception as error:  # noqa: BLE001 (counted as an error)
                errors.append(f"writer {index}: {error!r} after {time.monotonic() - began:.1f}s")
                continue
            if response.status_code != 303:
                errors.append(f"writer {index}: {response.status_code}")
            else:
                with lock:
                    written.append(name)
            n += 1

    def read(index: int) -> None:
        client = app.test_client()
        urls = ["/search?location=92101&radius=100", "/api/v1/clinics?location=10001&radius=250"]
        n = 0
        while time.monotonic() < stop:
            try:
                response = client.get(urls[n % 2])
            except Exception as error:  # noqa: BLE001
                errors.append(f"reader {index}: {error!r}")
                continue
            if response.status_code != 200:
                errors.append(f"reader {index}: {response.status_code}")
            with lock:
                reads[response.status_code] += 1
            n += 1

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.remove()
    stored = set(db.session.scalars(select(Clinic.name).where(Clinic.name.like("Concurrent %"))))
    revisions = db.session.scalar(
        select(func.count())
        .select_from(ClinicRevision)
        .join(Clinic, Clinic.id == ClinicRevision.clinic_id)
        .where(Clinic.name.like("Concurrent %"))
    )
    print(f"\nwrites {len(written)}, reads {sum(reads.values())}, errors {len(errors)}")
    assert errors == []
    assert len(written) >= WRITERS  # every writer got through at least once
    assert stored == set(written)
    assert revisions == len(written)


def test_sqlite_connections_have_wal_busy_timeout_and_foreign_keys(app):
    """Every pooled connection, not only the first, carries the settings (FIELD-NOTES.md)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings; PostgreSQL needs none of them")
    with db.engine.connect() as first, db.engine.connect() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            connection.rollback()
            with pytest.raises(IntegrityError, match="FOREIGN KEY"), connection.begin():
                connection.exec_driver_sql(
                    "INSERT INTO clinic_managers (user_id, clinic_id, added_at) "
                    "VALUES (999999, 999999, CURRENT_TIMESTAMP)"
                )


def test_sqlite_write_transaction_takes_the_lock_up_front(app):
    """A writing request's transaction holds the write lock from BEGIN, before it writes.

    With pysqlite's deferred BEGIN, a request that has only read so far holds no lock,
    so another writer proceeds and the first one's later write works on stale data.
    """
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking; PostgreSQL edits lock their row with SELECT ... FOR UPDATE")
    insert = (
        "INSERT INTO users (email, password_hash, role, session_token, is_suspended, created_at) "
        "VALUES (?, 'x', 'clinic_staff', ?, 0, CURRENT_TIMESTAMP)"
    )
    db.session.remove()
    editor = db.engine.connect()
    with app.test_request_context("/dashboard/clinics/new", method="POST"):
        editor.exec_driver_sql("SELECT count(*) FROM users").scalar()  # read, no write yet
    other = sqlite3.connect(db.engine.url.database, timeout=0.3, isolation_level=None)
    try:
        began = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute(insert, ("second@clinic.example", "t2"))
        assert time.monotonic() - began >= 0.25  # it waited for the lock, then gave up
        editor.exec_driver_sql(insert, ("first@clinic.example", "t1"))
        editor.commit()
        other.execute(insert, ("second@clinic.example", "t2"))  # free once the first commits
    finally:
        editor.close()
        other.close()
    emails = set(db.session.scalars(select(User.email)))
    assert emails == {"first@clinic.example", "second@clinic.example"}


VALUE = re.compile(r'name="treatments_administered"[^>]*value="(\d+)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d*)"')


def _sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/account/login")
    token = csrf_token_from(page.text)
    response = session.post(
        base + "/account/login",
        data={"email": email, "password": TEST_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return session


def test_read_then_edit_under_gunicorn_loses_no_update(app, staff, zip_table):
    """8 clients each read the draft, add one to a count and save it, for a few seconds."""
    clinic = make_clinic(
        clean_profile(treatments_administered=0), status="draft", manager=staff.user
    )
    url = f"/dashboard/clinics/{clinic.id}/edit"
    clinic_id, email = clinic.id, staff.user.email
    db.session.remove()
    outcomes = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(app_env(app), workers=4) as base:
        sessions = [_sign_in(base, email) for _ in range(8)]
        stop = time.monotonic() + SECONDS

        def edit(session: requests.Session) -> None:
            """One client's loop; every bad answer goes to `errors` (an assert here would
            only raise in this thread, which pytest reports as a warning, not a failure)."""
            while time.monotonic() < stop:
                try:
                    problem = edit_once(session)
                except Exception as error:  # noqa: BLE001 (counted as an error)
                    problem = f"{error!r}"
                if problem:
                    with lock:
                        errors.append(problem)

        def edit_once(session: requests.Session) -> str | None:
            page = session.get(base + url)
            if page.status_code != 200:
                return f"GET {page.status_code}"
            seen, version = VALUE.search(page.text), VERSION.search(page.text)
            if not (seen and version):
                return "GET 200 without the count or the version field"
            data = form_data(
                clean_profile(treatments_administered=int(seen.group(1)) + 1),
                version=version.group(1),
                csrf_token=csrf_token_from(page.text),
                action="save",
            )
            response = session.post(base + url, data=data, allow_redirects=False)
            with lock:
                outcomes[response.status_code] += 1
            if response.status_code == 303:
                return None
            if response.status_code == 409 and _says_it_changed(response.text):
                return None
            return f"POST {response.status_code}: {response.text[:300]!r}"

        threads = [threading.Thread(target=edit, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    db.session.remove()
    draft = db.session.scalar(select(ClinicDraft).where(ClinicDraft.clinic_id == clinic_id))
    final = draft.profile.treatments_administered
    saved = outcomes[303]
    print(f"\nsaved {saved}, conflicts (409) {outcomes[409]}, final count {final}")
    assert errors == [], (
        f"{len(errors)} bad answers, first: {errors[:3]}\n" + (servers.last_log.read_text()[-3000:])
    )
    assert saved > 0 and outcomes[409] > 0  # the clients really did collide
    assert final == saved  # every saved increment is there: 0 lost updates


def _says_it_changed(page: str) -> bool:
    """A conflict page that tells the person why their save was refused."""
    return "changed" in page.lower() or "newer" in page.lower()


def _hammer(base: str, path: str, total: int, threads: int = 8) -> list[int]:
    """`total` requests from `threads` clients at once, each on a new connection."""
    statuses: list[int] = []
    lock = threading.Lock()
    per_thread = total // threads

    def run() -> None:
        for _ in range(per_thread):
            response = requests.get(base + path, headers={"Connection": "close"}, timeout=60)
            status = response.status_code
            with lock:
                statuses.append(status)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return statuses


@pytest.fixture
def redis_prefix():
    prefix = f"portal-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    if keys:
        connection.delete(*keys)


def test_rate_limit_holds_across_four_workers_with_redis(app, sample_clinics, redis_prefix):
    limit = 10
    env = {
        **app_env(app),
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "RATELIMIT_API": f"{limit} per minute",
        "RATELIMIT_SEARCH": f"{limit} per minute",
    }
    with gunicorn(env, workers=4) as base:
        statuses = _hammer(base, "/api/v1/clinics?location=92101", 40)
        after = requests.get(base + "/api/v1/clinics?location=92101", timeout=60)
        # and one request after another, each on a new connection: the first 429 is number 11
        close = {"Connection": "close"}
        sequence = [
            requests.get(base + "/search?location=92101", headers=close, timeout=60)
            for _ in range(limit + 2)
        ]
    print(f"\nRedis, 4 workers: {Counter(statuses)}")
    assert Counter(statuses) == {200: limit, 429: 40 - limit}
    assert after.status_code == 429 and after.json()["error"]["code"] == "rate_limited"
    assert [r.status_code for r in sequence].index(429) == limit


def test_memory_limits_under_four_workers_let_more_through(app, sample_clinics):
    """The control for the test above: why production needs Redis (and `flask check` says so)."""
    env = {
        **app_env(app),
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_API": "10 per minute",
    }
    statuses: list[int] = []
    with gunicorn(env, workers=4) as base:
        # The server answers once its first worker has loaded the app; the others may still be
        # loading, and until they are, that one worker takes every request (and stops at 10).
        # So keep asking, for up to a minute, until a second worker's own count shows.
        deadline = time.monotonic() + 60
        while Counter(statuses)[200] <= 10 and time.monotonic() < deadline:
            statuses += _hammer(base, "/api/v1/clinics?location=92101", 40)
    print(f"\nmemory://, 4 workers: {Counter(statuses)}")
    assert Counter(statuses)[200] > 10
