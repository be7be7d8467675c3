"""What the database itself guarantees: append-only history, a schema from migrations."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import delete, inspect, update
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.extensions import db
from portal.models import APPEND_ONLY_TABLES, KEEP_FOREVER_TABLES, AuditEvent, ClinicRevision
from tests.factories import make_clinic


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
