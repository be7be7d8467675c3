"""SQLite backups that finish under writes, and restores that hold after the site was killed.

The site runs in real processes here (a writer built with create_app, the
`flask` command); they are killed with SIGKILL as an out-of-memory kill or a
power loss would stop them, leaving their -wal file behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from portal.backup import row_counts
from portal.extensions import db
from tests.conftest import ROOT

FLASK = Path(sys.executable).with_name("flask")
FILLER_ROWS = 45_000  # about 90 MB

WRITER = """
import sys, time
from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x" * 40})
pause = float(sys.argv[2])
padding = "x" * int(sys.argv[3])
with app.app_context():
    n = 0
    while True:
        db.session.add(AuditEvent(action="test_write", detail=f"{n} {padding}"))
        db.session.commit()
        print(n, flush=True)
        n += 1
        time.sleep(pause)
"""


class Writer:
    """The app writing audit rows in its own process; `committed`: the last row it saw commit."""

    def __init__(self, database_url: str, pause: float = 0.002, padding: int = 0):
        self.committed = -1
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, database_url, str(pause), str(padding)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.committed = int(line)

    def wait_for(self, rows: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.committed < rows:
            assert self.process.poll() is None, self.process.stderr.read()
            assert time.monotonic() < deadline, "the writer is too slow"
            time.sleep(0.02)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.reader.join(timeout=5)


def _flask(database: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x" * 40}
    return subprocess.run(
        [str(FLASK), "--app", "portal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def database(app) -> Path:
    """The test's SQLite file with the schema, closed by this process (as the site would be)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite files; PostgreSQL is covered by tests/test_pg_dump.py")
    path = Path(db.engine.url.database)
    db.session.remove()
    db.engine.dispose()
    return path


def _written_rows(path: Path) -> set[int]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT detail FROM audit_events WHERE action='test_write'")
        return {int(detail.split()[0]) for (detail,) in rows}
    finally:
        connection.close()


def test_restore_after_a_killed_writer_keeps_every_row_and_a_clean_index(database, tmp_path):
    writer = Writer(f"sqlite:///{database}")
    try:
        writer.wait_for(200)
        committed_before_backup = writer.committed
        backup = tmp_path / "backups" / "portal.db"
        result = _flask(database, "backup", str(backup))
        assert result.returncode == 0, result.stderr
        writer.wait_for(committed_before_backup + 300)  # the site goes on writing

        refused = _flask(database, "restore", str(backup))
        assert refused.returncode != 0
        assert "Stop the site first" in refused.stderr
        assert _written_rows(database) >= set(range(committed_before_backup + 300))
    finally:
        writer.kill()  # as an out-of-memory kill: no checkpoint, the -wal stays
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0

    restored = _flask(database, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "integrity check ok" in restored.stdout
    copied = _written_rows(database)
    assert copied >= set(range(committed_before_backup + 1))  # every row committed before
    assert f"audit_events: {len(copied)} rows" in restored.stdout
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    # the site starts again on the restored file and writes on
    writer = Writer(f"sqlite:///{database}")
    try:
        writer.wait_for(5)
    finally:
        writer.kill()
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    # the database as it was before the restore is kept beside it, its own WAL folded in
    [kept] = database.parent.glob(f"{database.name}.before-restore-*")
    assert len(_written_rows(kept)) > len(copied)


def test_restore_refuses_a_damaged_backup(database, tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    before = row_counts(database)
    result = _flask(database, "restore", str(damaged))
    assert result.returncode != 0 and "integrity check" in result.stderr
    assert row_counts(database) == before


def test_backup_finishes_under_steady_writes(database, tmp_path):
    """About 40 writes a second on a 90 MB database: copied 1,024 pages a step, the copy
    restarted on every write and never ended (5,242 steps in 30 s here)."""
    connection = sqlite3.connect(database)
    with connection:
        connection.executemany(
            "INSERT INTO audit_events (action, detail, occurred_at) "
            "VALUES ('filler', ?, CURRENT_TIMESTAMP)",
            [("y" * 2000,) for _ in range(FILLER_ROWS)],
        )
    connection.close()
    size_mb = database.stat().st_size / 1e6
    writer = Writer(f"sqlite:///{database}", pause=0.025, padding=500)
    try:
        writer.wait_for(20)
        started, rows_before = time.monotonic(), writer.committed
        result = _flask(database, "backup", str(tmp_path / "copy.db"), timeout=60)
        seconds = time.monotonic() - started
        writes = writer.committed - rows_before
    finally:
        writer.kill()
    assert result.returncode == 0, result.stderr
    assert writes > 0  # the writes went on during the copy
    print(f"\nbackup of {size_mb:.0f} MB under writes: {seconds:.2f} s, {writes} writes meanwhile")
    assert "integrity check ok" in result.stdout
    assert row_counts(tmp_path / "copy.db")["audit_events"] >= FILLER_ROWS + rows_before
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_a_killed_backups_partial_file_never_blocks_the_next(database, tmp_path):
    stale = tmp_path / ".copy.db.partial-999999999"
    stale.write_bytes(b"half a database")
    result = _flask(database, "backup", str(tmp_path / "copy.db"))
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert (tmp_path / "copy.db").exists()
