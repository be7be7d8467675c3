"""gunicorn as production runs it: no request line in its log, proxy headers trusted as told."""

from __future__ import annotations

import socket
import urllib.request
from urllib.parse import urlsplit

from tests import servers
from tests.servers import app_env, gunicorn

SECRET_PLACE = "Zanzibarville"


def _raw(base: str, payload: bytes) -> bytes:
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        raw.sendall(payload)
        chunks = []
        while chunk := raw.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_malformed_and_failing_requests_never_put_a_search_in_gunicorns_log(app):
    with gunicorn(app_env(app), workers=1) as base:
        # a space inside the target makes the request line malformed
        answer = _raw(
            base,
            f"GET /search?location={SECRET_PLACE} condition=suicidal_ideation HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\n\r\n".encode(),
        )
        assert answer.startswith(b"HTTP/1.1 400")
        # a header line gunicorn refuses, after a well-formed request line
        _raw(
            base,
            f"GET /search?location={SECRET_PLACE}&condition=ptsd HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nBad Header\r\n\r\n".encode(),
        )
        with urllib.request.urlopen(f"{base}/search?location=92101&condition=ptsd") as page:  # noqa: S310
            assert page.status == 200
    log = servers.last_log.read_text()
    assert "Invalid request refused" in log  # gunicorn did log the event...
    for secret in (SECRET_PLACE, "suicidal", "condition=", "/search", "92101", "ip=127"):
        assert secret not in log, (secret, log)


def _hsts_for_forwarded_https(env: dict[str, str]) -> str | None:
    with gunicorn(env, workers=1) as base:
        request = urllib.request.Request(  # noqa: S310
            f"{base}/guide", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request) as page:  # noqa: S310
            return page.headers.get("Strict-Transport-Security")


def test_forwarded_proto_is_trusted_only_with_proxy_hops(app):
    """A local client is no proxy unless PROXY_HOPS says so (gunicorn trusted 127.0.0.1 itself)."""
    assert _hsts_for_forwarded_https({**app_env(app), "PROXY_HOPS": "0"}) is None
    assert _hsts_for_forwarded_https({**app_env(app), "PROXY_HOPS": "1"}) is not None


LOG_TWICE_SCRIPT = """
import sys
from portal import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40,
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                  "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_LOGIN_ADDRESS": "1 per minute"})
with app.app_context():
    from portal.extensions import db
    db.create_all()
app.logger.warning("the app logger has been used")
client = app.test_client()
for _ in range(2):
    client.post("/account/login", data={"email": "someone@clinic.example", "password": "wrong"})
"""


def test_each_security_event_is_one_log_line_without_the_email(tmp_path):
    """Once Flask's app logger was used, every event used to be written twice."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", LOG_TWICE_SCRIPT],
        cwd=servers.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=True,
    )
    lines = result.stderr.splitlines()
    assert sum("event=login_failed" in line for line in lines) == 1, result.stderr
    assert sum("event=rate_limited" in line for line in lines) == 1, result.stderr
    assert "someone@clinic.example" not in result.stderr
