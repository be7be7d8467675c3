"""Fixtures that build the world: an app on a real database, users, clinics.

Every test gets an empty schema. SQLite (the default) uses a fresh file per
test; with TEST_DATABASE_URL the schema is created once per run on that
database and every table is emptied after each test.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from flask import g, request_started
from jinja2 import BytecodeCache
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
FAST_HASH = "pbkdf2:sha256:1000"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def geodata_path(tmp_path_factory) -> str:
    """The compact ZIP table, built once per test run."""
    return str(tmp_path_factory.mktemp("geodata") / "us-zip-centroids.tsv")


@pytest.fixture(scope="session")
def _external_schema(geodata_path):
    """With TEST_DATABASE_URL: create the schema once, drop it at the end."""
    if not TEST_DATABASE_URL:
        yield None
        return
    app = create_app(_test_config(TEST_DATABASE_URL, geodata_path))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _test_config(database_url: str, geodata_path: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "GEODATA_PATH": geodata_path,
        "RATELIMIT_ENABLED": False,
        "SHOW_SAMPLE_DATA_NOTICE": True,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path, geodata_path, _external_schema) -> dict:
    """Settings for this test's app; a test may change them before using `app`."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.db'}"
    return _test_config(url, geodata_path)


def _fresh_request_globals(_sender, **_extra) -> None:
    """Give every request an empty `g`, as a server does.

    Tests keep one app context open and Flask reuses it for every request, so
    without this `g` (Flask-Login's cached user, Flask-WTF's CSRF token) would
    leak from one request, and one test client, to the next.
    """
    for name in list(g):
        g.pop(name)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    request_started.connect(_fresh_request_globals, app)
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        yield app
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_every_table()
        db.engine.dispose()


def _empty_every_table() -> None:
    names = ", ".join(table.name for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sample_clinics(app, _seeded_sqlite_template):
    """The sample data from seeds/, loaded through the seed command.

    On SQLite the seed runs once per test run into a template file that each
    test copies (SQLite's backup API); elsewhere it runs in every test.
    """
    if _seeded_sqlite_template is None:
        _seed(app)
    else:
        db.session.remove()
        db.engine.dispose()
        target = db.engine.url.database
        with sqlite3.connect(_seeded_sqlite_template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    return factories.published_clinics()


def _seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def _seeded_sqlite_template(tmp_path_factory, geodata_path) -> str | None:
    if TEST_DATABASE_URL:
        return None
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    template_app = create_app(_test_config(f"sqlite:///{path}", geodata_path))
    with template_app.app_context():
        db.create_all()
        _seed(template_app)
        db.session.remove()
        db.engine.dispose()
    return str(path)


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that acts like a person: opens a page, then submits its form."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def submit(
        self, form_url: str, data: dict | None = None, *, action: str | None = None, **kwargs
    ):
        """GET `form_url`, take its CSRF token, POST `data` to `action` (default: same URL)."""
        page = self.client.get(form_url)
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
        return self.client.post(action or form_url, data=payload, **kwargs)

    def post(self, url: str, data: dict | None = None, *, token_from: str = "/", **kwargs):  # noqa: S107
        """POST with a valid CSRF token taken from any page of this session."""
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token_from(self.client.get(token_from).get_data(as_text=True))
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


class Actor(Browser):
    """A person with an account and a browser of their own (a separate test client)."""

    def __init__(self, app, user, password: str):
        super().__init__(app.test_client())
        self.user = user
        self.password = password

    def login(self, **extra):
        """Sign in through the login page (fields: email, password)."""
        response = self.submit(
            "/account/login", {"email": self.user.email, "password": self.password, **extra}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response


@pytest.fixture
def make_actor(app):
    """Build a user of a role with their own browser: `make_actor("moderator")`."""

    def build(role: str = "clinic_staff", email: str | None = None) -> Actor:
        user = factories.make_user(role=role, email=email)
        return Actor(app, user, factories.TEST_PASSWORD)

    return build


@pytest.fixture
def staff(make_actor) -> Actor:
    return make_actor("clinic_staff")


@pytest.fixture
def other_staff(make_actor) -> Actor:
    return make_actor("clinic_staff")


@pytest.fixture
def moderator(make_actor) -> Actor:
    return make_actor("moderator")


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per test run instead of once per test's app (~0.3 s a test)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


@pytest.fixture
def compiled_templates(app):
    """For modules that render many pages: `pytestmark = pytest.mark.usefixtures(...)`."""
    app.jinja_env.bytecode_cache = _COMPILED


@pytest.fixture
def mod(moderator):
    """A moderator, signed in through the login page."""
    moderator.login()
    return moderator
