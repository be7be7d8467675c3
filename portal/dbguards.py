"""Database triggers that make revisions, decisions, verifications and the audit log append-only,
and keep problem reports from being deleted.

The same statements run from `db.create_all()` (tests) and from the migration,
so both schemas refuse an UPDATE or DELETE on those tables.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection

from portal.models import APPEND_ONLY_TABLES, KEEP_FOREVER_TABLES

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'rows of ' || TG_TABLE_NAME || ' are append-only';
END;
$$ LANGUAGE plpgsql
"""

PG_DELETE_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'rows of ' || TG_TABLE_NAME || ' are never deleted';
END;
$$ LANGUAGE plpgsql
"""


def guard_statements(dialect: str, present: set[str] | None = None) -> list[str]:
    """The DDL that installs the append-only guards on one dialect (on the tables
    in `present` only, when given: an early migration runs before later tables exist)."""
    append_only = [t for t in APPEND_ONLY_TABLES if present is None or t in present]
    keep_forever = [t for t in KEEP_FOREVER_TABLES if present is None or t in present]
    if dialect == "postgresql":
        statements = [PG_FUNCTION]
        for table in append_only:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION portal_refuse_change()"
            )
        statements.append(PG_DELETE_FUNCTION)
        for table in keep_forever:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
            statements.append(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION portal_refuse_delete()"
            )
        return statements
    if dialect == "sqlite":
        statements = []
        for table in append_only:
            for action in ("UPDATE", "DELETE"):
                name = f"{table}_no_{action.lower()}"
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only'); END"
                )
        for table in keep_forever:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are never deleted'); END"
            )
        return statements
    return []


def install_guards(connection: Connection) -> None:
    present = set(inspect(connection).get_table_names())
    for statement in guard_statements(connection.dialect.name, present):
        connection.exec_driver_sql(statement)


def _after_create(_target, connection: Connection, **_kw) -> None:
    install_guards(connection)


def register(metadata) -> None:
    """Install the guards whenever `metadata.create_all` builds the schema."""
    if not event.contains(metadata, "after_create", _after_create):
        event.listen(metadata, "after_create", _after_create)
