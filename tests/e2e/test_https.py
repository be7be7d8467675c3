"""Every form over HTTPS, as production serves it: gunicorn with TLS, production settings, Chromium.

With `Referrer-Policy: no-referrer` every POST here was refused as "This form has
expired" (Flask-WTF's HTTPS check wants a same-origin Referer the policy forbade).
The certificate is made for the test with the openssl command; nothing adds a
header a browser would not send.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import redis

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL, _empty_every_table, _seed, _test_config
from tests.e2e.conftest import LiveSite, _new_context, expect, sign_in
from tests.servers import gunicorn

REDIS_URL = "redis://127.0.0.1:6379/3"
NEW_PASSWORD = "a quiet harbor at dawn"


def _certificate(folder) -> tuple:
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory, geodata_path, _external_schema) -> Iterator[LiveSite]:
    """The app under gunicorn (2 workers) over TLS with PORTAL_ENV=production."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = _certificate(folder)
    database_url = TEST_DATABASE_URL or f"sqlite:///{folder / 'site.db'}"
    app = create_app(_test_config(database_url, geodata_path))  # builds the test's data
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        _seed(app)
        db.session.remove()
    prefix = f"e2e-https-{uuid.uuid4().hex[:8]}"
    env = {
        "PORTAL_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "TRUSTED_HOSTS": "127.0.0.1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "GEODATA_PATH": geodata_path,
        "SHOW_SAMPLE_DATA_NOTICE": "true",
    }
    env.pop("PASSWORD_HASH_METHOD", None)  # production's scrypt for accounts made here
    with gunicorn(env, workers=2, tls=(cert, key)) as base:
        yield LiveSite(app=app, url=base, port=int(base.rsplit(":", 1)[1]))
    store = redis.Redis.from_url(REDIS_URL)
    for stored in store.scan_iter(f"*{prefix}*"):
        store.delete(stored)
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_every_table()
        db.engine.dispose()


@pytest.fixture
def browser_over_tls(chromium, tls_site):
    """Browsers that accept the test's self-signed certificate (nothing else changes)."""
    contexts = []

    def open_browser():
        contexts.append(_new_context(chromium, tls_site, ignore_https_errors=True))
        return contexts[-1].new_page()

    yield open_browser
    for context in contexts:
        context.close()
    assert not [problem for context in contexts for problem in context.problems]


def _no_expired_form(page) -> None:
    expect(page.locator("main")).not_to_contain_text("This form has expired")


def test_register_sign_in_with_secure_cookies_and_sign_out(browser_over_tls, tls_site):
    page = browser_over_tls()
    answer = page.goto(tls_site("/account/register"))
    assert answer.headers["strict-transport-security"]  # the app sees HTTPS
    assert answer.headers["referrer-policy"] == "same-origin"
    page.get_by_label("Work email address").fill("new.manager@tls-clinic.example")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    _no_expired_form(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in for clinics")

    page.get_by_label("Email address").fill("new.manager@tls-clinic.example")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Keep me signed in", exact=False).check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)
    expect(page.locator("main")).to_contain_text("Your clinics")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    for name in ("session", "remember_token"):
        assert cookies[name]["secure"] and cookies[name]["httpOnly"], name
        assert cookies[name]["sameSite"] == "Lax", name

    page.get_by_role("button", name="Sign out").click()
    _no_expired_form(page)
    expect(page.locator(".flash-success")).to_contain_text("You are signed out")


def test_staff_edits_a_profile_over_https(browser_over_tls, tls_site):
    with tls_site.app.app_context():
        staff = factories.make_user()
        clinic = factories.make_clinic(
            factories.clean_profile(name="Secure Harbor Clinic"), status="draft", manager=staff
        )
        email, clinic_id = staff.email, clinic.id
    page = browser_over_tls()
    sign_in(page, tls_site, email)
    page.goto(tls_site(f"/dashboard/clinics/{clinic_id}/edit"))
    page.get_by_label("Clinic name").fill("Secure Harbor Ketamine Clinic")
    page.get_by_role("button", name="Save draft").click()
    _no_expired_form(page)
    expect(page.locator(".flash-success")).to_contain_text("saved as a draft")
    expect(page.get_by_label("Clinic name")).to_have_value("Secure Harbor Ketamine Clinic")


def test_moderator_decides_over_https(browser_over_tls, tls_site):
    with tls_site.app.app_context():
        factories.make_clinic(factories.clean_profile(name="Waiting Tide Clinic"), status="pending")
        moderator = factories.make_user(role="moderator").email
    page = browser_over_tls()
    sign_in(page, tls_site, moderator)
    page.goto(tls_site("/moderation"))
    page.get_by_role("link", name="Waiting Tide Clinic").click()
    page.get_by_label("How you checked the licence").fill("State board look-up: active.")
    page.get_by_label("The address and map position are plausible").check()
    page.get_by_label("The answers are plausible and consistent").check()
    page.get_by_label("I reviewed the red flags listed above").check()
    page.get_by_label("Approve", exact=False).first.check()
    page.get_by_role("button", name="Record decision").click()
    _no_expired_form(page)
    expect(page.locator(".flash-success")).to_contain_text("Waiting Tide Clinic")
    listing = page.goto(tls_site("/clinics/waiting-tide-clinic"))
    assert listing.status == 200


def test_patient_compares_and_reports_a_problem_over_https(browser_over_tls, tls_site):
    with tls_site.app.app_context():
        clinic = factories.published_clinics()[0]
        slug, name = clinic.slug, clinic.name
    page = browser_over_tls()
    page.goto(tls_site(f"/clinics/{slug}"))
    add = re.compile(rf"Add to comparison\s*: {re.escape(name)}$")
    page.get_by_role("button", name=add).click()
    _no_expired_form(page)
    expect(page.get_by_role("complementary", name="Your comparison")).to_contain_text(name)

    page.goto(tls_site(f"/clinics/{slug}/report"))
    page.get_by_label("Wrong phone number or address").check()
    page.get_by_label("Tell us more (optional)").fill("The phone number rings a bakery.")
    page.get_by_role("button", name="Send the report").click()
    _no_expired_form(page)
    page.wait_for_url(lambda url: url.endswith("/report/thanks"))
