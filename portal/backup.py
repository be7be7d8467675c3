"""Backups and restores of a SQLite database that hold while the site writes or after a crash.

Every process that has a connection open to the database holds a shared lock
on `<database>-inuse` (taken when the first connection opens, given back when
the last one closes, dropped by the kernel when the process dies). A restore
takes that lock exclusively, so it refuses while the site or a command has the
database open, and no process opens it while a restore runs.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy.engine import URL


class BackupNotSupported(Exception):
    pass


class DatabaseInUse(BackupNotSupported):
    """Another process has the database open: replacing the file under it would corrupt it."""


_holders: dict[str, list[int]] = {}  # lock file -> [descriptor, open connections]
_holders_guard = threading.Lock()


def _lock_file(database: str) -> str:
    return str(Path(database).resolve()) + "-inuse"


def _is_file(database: str | None) -> bool:
    return bool(database) and database != ":memory:" and not database.startswith("file:")


def connection_opened(database: str | None) -> None:
    """Called for each new connection: the first one of this process takes the shared lock."""
    if not _is_file(database):
        return
    path = _lock_file(database)
    with _holders_guard:
        if path in _holders:
            _holders[path][1] += 1
            return
        descriptor = _open_lock_file(path)
        if descriptor is None:
            return  # a read-only disk: nothing can be restored onto it either
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits while a restore runs
        _holders[path] = [descriptor, 1]


def _open_lock_file(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            return None


def connection_closed(database: str | None) -> None:
    """Called for each closed connection: the last one gives the shared lock back."""
    if not _is_file(database):
        return
    path = _lock_file(database)
    with _holders_guard:
        entry = _holders.get(path)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _holders[path]
            fcntl.flock(entry[0], fcntl.LOCK_UN)
            os.close(entry[0])


def _sqlite_path(url: URL) -> Path:
    if url.get_backend_name() != "sqlite":
        raise BackupNotSupported(
            "this command handles SQLite databases only. For PostgreSQL use pg_dump and "
            "pg_restore (docs/production.md)."
        )
    if not _is_file(url.database):
        raise BackupNotSupported("an in-memory database cannot be backed up or restored")
    return Path(url.database)


def _remove_stale_partials(target: Path) -> None:
    """Partial copies left by a backup that was killed; a live backup's pid still runs."""
    for partial in target.parent.glob(f".{target.name}.partial-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            partial.unlink(missing_ok=True)


def backup_sqlite(url: URL, target: Path) -> int:
    """Copy the database at `url` to `target` while it may be written; returns pages copied.

    One backup step copies the whole file inside one read transaction (WAL lets
    writers go on meanwhile); a stepped copy restarted on every write and never
    finished under steady writes (FIELD-NOTES.md). The copy is written under a
    temporary name and renamed when checked, so a killed backup leaves no file
    that looks complete and blocks nothing.
    """
    source_path = _sqlite_path(url)
    target = Path(target)
    if target.exists():
        raise BackupNotSupported(f"{target} exists already: choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(target)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}"
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if status != "ok":
            raise BackupNotSupported(f"the copy failed its integrity check: {status}")
        _fsync(partial)
        if target.exists():
            raise BackupNotSupported(f"{target} appeared while copying: choose a new file")
        partial.rename(target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return pages


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def row_counts(path: Path) -> dict[str, int]:
    """Rows in each table of the SQLite file at `path`."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }
    finally:
        connection.close()


def _set_aside(database: Path) -> Path | None:
    """Move the current database out of the way, its own WAL folded in first.

    The -wal file left by a process that was killed belongs to this file; left
    beside the restored copy, SQLite would replay it onto the copy and corrupt it.
    """
    if not database.exists():
        return None
    try:
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    except sqlite3.DatabaseError:
        pass  # a damaged file is kept as it is, beside its journal files
    aside = database.with_name(f"{database.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        journal = Path(f"{database}{suffix}")
        if journal.exists():
            journal.rename(f"{aside}{suffix}")
    return aside


def restore_sqlite(url: URL, backup: Path) -> tuple[dict[str, int], Path | None]:
    """Put `backup` in place of the database at `url`; returns its row counts and the old file.

    Refuses while any process has the database open, and when the backup fails
    SQLite's integrity check; the restored file is checked again in place.
    """
    database = _sqlite_path(url)
    backup = Path(backup)
    if not backup.is_file():
        raise BackupNotSupported(f"{backup} is not a file")
    incoming = database.parent / f".{database.name}.restoring-{os.getpid()}"
    lock = os.open(_lock_file(str(database)), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"{database} is open in another process (the site, a worker or a command). "
                "Stop the site first, then run restore again."
            ) from None
        incoming.write_bytes(backup.read_bytes())
        try:
            status = _integrity(incoming)
        except sqlite3.DatabaseError as error:
            status = str(error)
        if status != "ok":
            raise BackupNotSupported(f"{backup} fails SQLite's integrity check: {status}")
        _fsync(incoming)
        aside = _set_aside(database)
        incoming.rename(database)
        _fsync(database.parent)
        status = _integrity(database)
        if status != "ok":
            raise BackupNotSupported(f"the restored database fails its integrity check: {status}")
        return row_counts(database), aside
    finally:
        incoming.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{incoming}{suffix}").unlink(missing_ok=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
