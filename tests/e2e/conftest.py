"""The real app on 127.0.0.1 and a real Chromium driving it.

Each test module gets its own server on a free port over a freshly seeded
database (a new SQLite file, or TEST_DATABASE_URL emptied afterwards), so the
journeys of one module cannot change what another module sees.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.conftest import ROOT, TEST_DATABASE_URL, _empty_every_table, _seed, _test_config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - `make test` installs it; the tests skip (or fail) then
    expect = sync_playwright = None


def _browser_missing() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed (make test installs requirements-dev.txt)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    return None


def browser_tests_required() -> bool:
    """REQUIRE_BROWSER_TESTS=1 (CI sets it): a missing browser tool fails the tests."""
    return os.environ.get("REQUIRE_BROWSER_TESTS", "").strip() not in ("", "0")


def skip_or_fail(reason: str) -> NoReturn:
    """Skip for want of a browser tool, or fail when the browser tests are required."""
    if browser_tests_required():
        pytest.fail(f"REQUIRE_BROWSER_TESTS is set but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items) -> None:
    reason = _browser_missing()
    if reason is None or browser_tests_required():
        return  # when required, the `chromium` fixture fails each test with the reason
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveSite:
    """The running app: its address, and its app object for building test data."""

    app: Flask
    url: str
    port: int
    outside_requests: list[str] = field(default_factory=list)

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def make_user(self, role: str = "clinic_staff", email: str | None = None):
        with self.app.app_context():
            user = factories.make_user(role=role, email=email)
            return user.email

    def make_staff_with_clinic(self) -> str:
        """A clinic account managing one published clinic; returns its email."""
        with self.app.app_context():
            user = factories.make_user()
            factories.make_clinic(
                factories.clean_profile(name="Harborview Staff Clinic"), manager=user
            )
            return user.email

    def mail_link(self, address: str, path_part: str, timeout: float = 5) -> str:
        """The newest link containing `path_part` mailed to `address` (an .eml in the outbox).

        Werkzeug's server skips a response's close callbacks when the browser drops the
        connection first, so the timer's `send-mail` delivers what still waits
        (gunicorn always runs them: tests/test_mail_outbox.py).
        """
        from tests.mailbox import eml_files, link_in

        self.app.test_cli_runner().invoke(args=["send-mail"])
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in eml_files(self.app.config["MAIL_OUTBOX_DIR"]) if m["To"] == address]
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert found, f"no mail reached {address} in {self.app.config['MAIL_OUTBOX_DIR']}"
        return self(link_in(found[-1], path_part))

    def clinic_ids(self, *slugs: str) -> list[int]:
        from sqlalchemy import select

        from portal.models import Clinic

        with self.app.app_context():
            ids = dict(db.session.execute(select(Clinic.slug, Clinic.id)).all())
            return [ids[slug] for slug in slugs]

    def make_clinics_near(self, count: int, zip_code: str = "92101") -> None:
        """`count` published clinics around the ZIP centre (about a mile apart)."""
        from portal.places import get_geocoder

        with self.app.app_context():
            centre = get_geocoder().lookup_zip(zip_code)
            for number in range(count):
                profile = factories.clean_profile(
                    name=f"Bayside Ketamine Care {number + 1}", zip=zip_code
                )
                factories.make_clinic(
                    profile,
                    coordinates=(centre.lat + 0.01 * number, centre.lng - 0.01 * number),
                )


class _QuietHandler(WSGIRequestHandler):
    """No access log, as in production: a search URL is health data."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def _serve(app: Flask) -> tuple[object, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _site_config(database_url: str, geodata_path: str, **overrides) -> dict:
    settings = {"MAP_TILE_URL": "", "MAP_TILE_ATTRIBUTION": "", **overrides}
    return _test_config(database_url, geodata_path, **settings)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory, geodata_path, _external_schema) -> Iterator[LiveSite]:
    """The app served by Werkzeug on a free port over the sample clinics."""
    database_url = TEST_DATABASE_URL or (f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'site.db'}")
    outbox = str(tmp_path_factory.mktemp("outbox"))  # mail as .eml files, never in instance/
    app = create_app(_site_config(database_url, geodata_path, MAIL_OUTBOX_DIR=outbox))
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        _seed(app)
        db.session.remove()
    server, thread = _serve(app)
    site = LiveSite(app=app, url=f"http://127.0.0.1:{server.server_port}", port=server.server_port)
    yield site
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_every_table()
        db.engine.dispose()


@pytest.fixture(scope="module")
def site_with_settings(live_site, geodata_path):
    """Serve the same database again with other settings: `site_with_settings(MAP_TILE_URL=...)`."""
    started = []

    def start(**settings) -> LiveSite:
        database_url = live_site.app.config["SQLALCHEMY_DATABASE_URI"]
        outbox = live_site.app.config["MAIL_OUTBOX_DIR"]
        app = create_app(
            _site_config(database_url, geodata_path, MAIL_OUTBOX_DIR=outbox, **settings)
        )
        server, thread = _serve(app)
        started.append((app, server, thread))
        url = f"http://127.0.0.1:{server.server_port}"
        return LiveSite(app=app, url=url, port=server.server_port)

    yield start
    for app, server, thread in started:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    if reason := _browser_missing():
        skip_or_fail(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


def _new_context(chromium, live_site: LiveSite, **options):
    """A fresh browser profile (no cookies) that refuses and records requests leaving 127.0.0.1.

    It also records uncaught JavaScript errors and content-security-policy refusals in
    `context.problems`; the fixtures fail the test when any were seen.
    """
    context = chromium.new_context(viewport=DESKTOP, **options)
    context.set_default_timeout(10_000)
    context.problems = []

    def refuse_outside(route) -> None:
        live_site.outside_requests.append(route.request.url)
        route.abort()

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            context.problems.append(message.text)

    context.route(lambda url: not _is_local(url), refuse_outside)
    context.on("weberror", lambda error: context.problems.append(str(error.error)))
    context.on("console", console)
    return context


@pytest.fixture
def context(chromium, live_site):
    live_site.outside_requests.clear()
    context = _new_context(chromium, live_site)
    yield context
    context.close()
    assert not context.problems, context.problems


@pytest.fixture
def another_person(chromium, live_site):
    """Open a browser of someone else's: `another_person().new_page()`."""
    contexts = []

    def open_browser(**options):
        contexts.append(_new_context(chromium, live_site, **options))
        return contexts[-1]

    yield open_browser
    for context in contexts:
        context.close()
    assert not [problem for context in contexts for problem in context.problems]


@pytest.fixture
def page(context):
    return context.new_page()


def run_axe(page) -> list[dict]:
    """axe-core's violations for the page as it is now (WCAG 2.x A and AA rules)."""
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is not installed ({AXE_SCRIPT}); run `npm ci`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, not a <script>: the site's CSP stays untouched.
        page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {
                    type: 'tag',
                    values: [
                        'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice',
                    ],
                },
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )


def write_artifact(name: str, payload) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return path


def sign_in(page, live_site: LiveSite, email: str) -> None:
    """Sign in through the login page, as a person would."""
    page.goto(live_site("/account/login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)
