"""PostgreSQL: the documented pg_dump / pg_restore round trip keeps every row and the triggers."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicRevision, Verification
from tests.factories import clean_profile, make_clinic, make_user

TABLES = (Clinic, ClinicRevision, Verification, AuditEvent)


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def scratch_database(app):
    """An empty database beside the test database, dropped afterwards."""
    url = db.engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL); SQLite: tests/test_backup_restore.py")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed (apt-get install postgresql-client)")
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_dump_and_restore_keep_every_row_and_the_append_only_triggers(
    app, scratch_database, tmp_path
):
    staff = make_user()
    for number in range(3):
        make_clinic(clean_profile(name=f"Dumped Clinic {number}"), manager=staff)
    make_clinic(clean_profile(name="Waiting Clinic"), status="pending", manager=staff)
    counts = {model: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}
    dump = tmp_path / "portal.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", _libpq(db.engine.url)],
        check=True,
        timeout=120,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={_libpq(scratch_database)}", str(dump)],
        check=True,
        timeout=120,
    )
    restored = create_engine(scratch_database)
    try:
        with restored.connect() as connection:
            for model, expected in counts.items():
                found = connection.scalar(select(func.count()).select_from(model))
                assert found == expected, model.__tablename__
            names = connection.scalars(select(Clinic.name).order_by(Clinic.name)).all()
            assert names == sorted([f"Dumped Clinic {n}" for n in range(3)] + ["Waiting Clinic"])
        with restored.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("UPDATE audit_events SET detail = 'rewritten'"))
        with restored.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("DELETE FROM clinic_revisions"))
    finally:
        restored.dispose()
