"""What the database itself guarantees: append-only history, a schema from migrations."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import delete, inspect, update
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.extensions import db
from portal.models import (
    APPEND_ONLY_TABLES,
    KEEP_FOREVER_TABLES,
    AuditEvent,
    Clinic,
    ClinicRevision,
)
from portal.profile import LEGACY_UNTICKED_MEANS_UNSTATED, TRI_STATE_FIELDS, Profile
from tests.factories import clean_profile, make_clinic


@pytest.mark.parametrize("model", [ClinicRevision, AuditEvent])
def test_history_rows_cannot_be_updated_or_deleted(app, model):
    make_clinic()
    row_id = db.session.scalar(db.select(model.id).limit(1))
    for statement in (
        update(model).where(model.id == row_id).values(id=row_id),
        delete(model).where(model.id == row_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert db.session.get(model, row_id) is not None


def test_migrations_build_the_same_schema_as_the_models(app, tmp_path):
    """`flask db upgrade` on an empty database gives every table and guard the models define."""
    url = _scratch_database(tmp_path)
    config = dict(app.config, SQLALCHEMY_DATABASE_URI=url)
    migrated = create_app(config)
    with migrated.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        triggers = _trigger_names()
        db.session.remove()
        db.engine.dispose()
    assert tables == set(db.metadata.tables)
    assert {name.split("_no_")[0].removesuffix("_append_only") for name in triggers} == set(
        APPEND_ONLY_TABLES + KEEP_FOREVER_TABLES
    )


def _scratch_database(tmp_path) -> str:
    if db.engine.dialect.name == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    server = db.engine.url
    name = f"{server.database}_migration_check"  # one per test database: runs side by side
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    return server.set(database=name).render_as_string(hide_password=False)


def _trigger_names() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT DISTINCT trigger_name FROM information_schema.triggers"
    return set(db.session.execute(db.text(query)).scalars())


def test_the_i15_migration_turns_unticked_boxes_into_not_stated(app, tmp_path, monkeypatch):
    """Clinics written with checkboxes (every fact a bool, JSON without a format key),
    taken down to the schema before i15 and up again."""
    url = _scratch_database(tmp_path)
    migrated = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url))
    with migrated.app_context():
        flask_migrate.upgrade()
        monkeypatch.setattr(Profile, "to_stored", Profile.to_dict)  # the old JSON shape
        ticked = clean_profile(name="Ticked everything", **dict.fromkeys(TRI_STATE_FIELDS, True))
        unticked = clean_profile(
            name="Left boxes unticked", **dict.fromkeys(TRI_STATE_FIELDS, False)
        )
        ids = [make_clinic(ticked).id, make_clinic(unticked).id]
        monkeypatch.undo()
        db.session.remove()
        flask_migrate.downgrade(revision="b81d4c2e9a13")
        assert "flag_dismissals" not in inspect(db.engine).get_table_names()
        assert _facts(ids)[ids[1]] == dict.fromkeys(TRI_STATE_FIELDS, False)
        db.session.remove()

        flask_migrate.upgrade()
        rows = _facts(ids)
        assert rows[ids[0]] == dict.fromkeys(TRI_STATE_FIELDS, True)
        assert rows[ids[1]] == {
            **dict.fromkeys(LEGACY_UNTICKED_MEANS_UNSTATED, None),
            "in_person_evaluation": False,  # these boxes started ticked: False was a No
            "accepting_new_patients": False,
        }
        listing = db.session.get(Clinic, ids[1])
        assert listing.profile == listing.published_revision.profile  # frozen JSON reads alike
        assert listing.profile.physician_on_site is None
        db.session.remove()
        db.engine.dispose()


def _facts(ids: list[int]) -> dict[int, dict[str, bool | None]]:
    columns = ", ".join(TRI_STATE_FIELDS)
    rows = db.session.execute(db.text(f"SELECT id, {columns} FROM clinics")).all()  # noqa: S608
    return {
        row[0]: {
            name: None if v is None else bool(v)
            for name, v in zip(TRI_STATE_FIELDS, row[1:], strict=True)
        }
        for row in rows
        if row[0] in ids
    }
