"""What mail costs: queueing a message, SMTP delivery, and an attempt while the server is down.

Uses a scratch SQLite database and an aiosmtpd server on 127.0.0.1 (the same
one the tests use). Prints the median cost of `enqueue` + commit, delivery
throughput, and how long an attempt takes when nothing listens on the port.

    .venv/bin/python bench/mail.py
    MESSAGES=2000 .venv/bin/python bench/mail.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.mail import outbox  # noqa: E402
from tests.mailbox import MailServer  # noqa: E402

MESSAGES = int(os.environ.get("MESSAGES", "500"))


def queue(count: int) -> list[float]:
    timings = []
    for number in range(count):
        started = time.perf_counter()
        outbox.enqueue(
            f"staff{number}@clinic.example",
            "Quiet Harbor Clinic: the moderators ask for changes",
            "listing_suspended",
            kind="decision",
            clinic={"name": "Quiet Harbor Clinic"},
            reason="Please state how long patients stay in recovery after each session.",
            dashboard_url="https://portal.example/dashboard",
        )
        db.session.commit()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    server = MailServer()
    server.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
            **server.settings(),
        }
    )
    with app.app_context():
        db.create_all()
        timings = queue(MESSAGES)
        print(f"enqueue + commit: median {statistics.median(timings):.2f} ms per message")

        started = time.perf_counter()
        report = outbox.deliver(limit=MESSAGES)
        elapsed = time.perf_counter() - started
        print(
            f"deliver {report.sent} messages over SMTP to 127.0.0.1: {elapsed:.2f} s "
            f"({report.sent / elapsed:.0f} messages/s, one connection)"
        )
        assert len(server.inbox) == MESSAGES

        server.stop()
        queue(1)
        started = time.perf_counter()
        report = outbox.deliver()
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"one attempt with the server down (connection refused): {elapsed:.1f} ms, "
            f"{report.retrying} message waiting"
        )
    app.config["MAIL_SERVER"] = ""
    with app.app_context():
        queue(MESSAGES)
        started = time.perf_counter()
        report = outbox.deliver(limit=MESSAGES)
        elapsed = time.perf_counter() - started
        print(f"without a server: {report.sent} .eml files in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
