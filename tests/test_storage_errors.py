"""A read-only or full disk: pages that read keep working, a write says plainly it was not saved,
and what the person typed comes back on the page. Real disks: a tiny tmpfs mounted for the
test (needs root; skipped otherwise), filled up or remounted read-only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_DATABASE_URL, Browser, _fresh_request_globals
from tests.factories import TEST_PASSWORD, clean_profile, make_clinic, make_user
from tests.helpers import assert_secure_headers, form_data, send

TYPED = "Our new evening hours start in March; ask for Dr. Rivera."


@pytest.fixture
def small_disk(tmp_path) -> Path:
    if TEST_DATABASE_URL:
        pytest.skip("a SQLite file on a small disk; PostgreSQL answers the same way (SQLSTATE)")
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def site_on_small_disk(small_disk, app_config):
    """The app with its SQLite file on the small disk; a staff member signed in to edit."""
    from flask import request_started

    site = create_app(
        dict(app_config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{small_disk / 'site.db'}")
    )
    request_started.connect(_fresh_request_globals, site)
    with site.app_context():
        db.create_all()
        staff = make_user()
        clinic = make_clinic(clean_profile(name="Small Disk Clinic"), manager=staff)
        browser = Browser(site.test_client())
        signed_in = browser.submit(
            "/account/login", {"email": staff.email, "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 303
        yield site, browser, clinic.id, clinic.slug
        db.session.remove()
        db.engine.dispose()


def _edit(browser: Browser, clinic_id: int):
    data = form_data(clean_profile(name="Small Disk Clinic", description=TYPED))
    return send(browser, f"/dashboard/clinics/{clinic_id}/edit", data)


def _assert_told_and_kept(answer, title: str) -> None:
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert title in page and "nothing you sent was saved" in page
    assert "Nothing you sent is lost" not in page
    assert TYPED.replace("'", "&#39;") in page  # the typed text comes back to copy
    assert TEST_PASSWORD not in page
    assert_secure_headers(answer)


def test_a_full_disk_says_nothing_was_saved_and_gives_back_the_text(site_on_small_disk):
    site, browser, clinic_id, slug = site_on_small_disk
    database = Path(db.engine.url.database)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = database.with_name("filler")
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass  # the disk is full
    try:
        _assert_told_and_kept(_edit(browser, clinic_id), "our storage is full")
        assert browser.get(f"/clinics/{slug}").status_code == 200  # reading goes on
    finally:
        filler.unlink()
    assert _edit(browser, clinic_id).status_code == 303  # with room again, it saves
    assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_disk_keeps_reading_and_says_plainly_it_cannot_save(site_on_small_disk):
    site, browser, clinic_id, slug = site_on_small_disk
    folder = Path(db.engine.url.database).parent
    db.session.remove()
    db.engine.dispose()  # no file open for writing: the disk can be remounted read-only
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    for url in (
        "/",
        f"/clinics/{slug}",
        "/search?location=92101",
        "/api/v1/clinics?location=92101",
    ):
        assert browser.get(url).status_code == 200, url
    _assert_told_and_kept(_edit(browser, clinic_id), "The site is read-only at the moment")
    api = Browser(site.test_client()).get("/api/v1/hsds/services")
    assert api.status_code == 200
