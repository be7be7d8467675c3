"""The app under a real gunicorn on 127.0.0.1, for tests and benchmarks that need processes."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
last_log: Path | None = None  # the newest server's output, for a failing test to show


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int = 4,
    app: str = "portal:create_app()",
    probe: str = "/guide",
    tls: tuple[Path, Path] | None = None,
):
    """Serve `app` with `workers` sync workers; yields the base URL; stops the server after.

    `tls=(certificate, key)` serves HTTPS with that certificate (the probe trusts it).
    """
    global last_log
    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept for the test to read)
        "w+", prefix="gunicorn-", suffix=".log", delete=False
    )
    last_log = Path(log.name)
    environment = {**os.environ, "PORTAL_ENV": "development", **env}
    environment["WEB_CONCURRENCY"] = str(workers)
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            *(["--certfile", str(tls[0]), "--keyfile", str(tls[1])] if tls else []),
            app,
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    trust = ssl.create_default_context(cafile=str(tls[0])) if tls else None
    try:
        _wait_until_up(server, base + probe, context=trust)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(
    server: subprocess.Popen, url: str, timeout: float = 90, context: ssl.SSLContext | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + last_log.read_text())
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def app_env(app) -> dict[str, str]:
    """The environment that makes a served app use this test app's database and settings."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        "GEODATA_PATH": app.config["GEODATA_PATH"],
        "RATELIMIT_ENABLED": "false",
        "SHOW_SAMPLE_DATA_NOTICE": "true",
    }
