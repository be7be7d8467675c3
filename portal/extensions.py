"""Extensions are created here, once, and bound to an app in `create_app`."""

from __future__ import annotations

import os
from pathlib import Path

from flask import has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from portal import backup

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# The breach logger (portal.limits.log_breach) is attached by the factory, so this
# module imports nothing of the portal's own.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _on_read_only_disk(database: str | None) -> bool:
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    try:
        return bool(os.statvfs(Path(database).resolve().parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection.

    pysqlite defers the write lock to the first write, so two requests can both
    read a row and then both write it. We take transaction control ourselves
    and begin every transaction of a writing request with BEGIN IMMEDIATE, so
    the second writer waits instead of losing an update (FIELD-NOTES.md).
    """

    database = engine.url.database

    @event.listens_for(engine, "do_connect")
    def on_do_connect(dialect, record, _cargs, cparams):
        """On a read-only disk, open the file as immutable so pages that only read still work.

        SQLite cannot open a WAL database there otherwise (it needs its -shm file);
        every write then fails as read-only, and portal.errors says so plainly.
        """
        if not _on_read_only_disk(database):
            return None
        record.info["read_only_disk"] = True
        options = {key: value for key, value in cparams.items() if key != "uri"}
        location = Path(database).resolve().as_posix()
        return dialect.loaded_dbapi.connect(f"file:{location}?immutable=1", uri=True, **options)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        backup.connection_opened(database)  # a restore refuses while this process holds it
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if not record.info.get("read_only_disk"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "close")
    def on_close(_dbapi_connection, _record):
        backup.connection_closed(database)

    @event.listens_for(engine, "close_detached")
    def on_close_detached(_dbapi_connection):
        backup.connection_closed(database)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writing = connection.info.pop("begin_immediate", False) or (
            has_request_context() and request.method in WRITE_METHODS
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
