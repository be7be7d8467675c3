"""A real SMTP server in the test process (aiosmtpd), and helpers to read what it received.

No mock: the app talks SMTP over a socket to this server, which keeps every
message it accepts as a parsed `email.message.EmailMessage`.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from portal.extensions import db
from tests.servers import free_port

LINK = re.compile(r"https?://[^\s<>\"]+")


class _Collect:
    def __init__(self, inbox: list[EmailMessage]):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.inbox.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server on 127.0.0.1; `stop()` then `start()` again simulates an outage."""

    def __init__(self):
        self.port = free_port()
        self.inbox: list[EmailMessage] = []
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self.inbox), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_TIMEOUT": 5,
            "MAIL_DEFAULT_SENDER": "Ketamine Clinic Finder <no-reply@portal.example>",
            "CONTACT_EMAIL": "help@portal.example",
            "PUBLIC_BASE_URL": "https://portal.example",
        }

    def to(self, address: str, *, wait: float = 2.0) -> list[EmailMessage]:
        """Messages received for `address` (waits briefly: delivery runs after the response)."""
        deadline = time.monotonic() + wait
        while True:
            found = [m for m in self.inbox if address in m["X-Envelope-To"]]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def last_to(self, address: str, *, wait: float = 2.0) -> EmailMessage:
        found = self.to(address, wait=wait)
        assert found, f"no message reached {address}; inbox: {[m['To'] for m in self.inbox]}"
        return found[-1]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage, path_part: str) -> str:
    """The path of the first link in the text part whose URL contains `path_part`."""
    for url in LINK.findall(text_of(message)):
        if path_part in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_part!r} in:\n{text_of(message)}")


def eml_files(folder: str | Path) -> list[EmailMessage]:
    """Messages written as .eml files (no MAIL_SERVER), oldest first."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(Path(folder).glob("*.eml"))
    ]


class ClosingClient(FlaskClient):
    """A test client that reads and closes each response, as a server does.

    Closing runs the response's `call_on_close` callbacks, where the app
    delivers the mail a request queued. Before that, the test's shared session
    ends its transaction, as a server's request does when its app context
    ends (otherwise SQLite's write lock of a POST would still be held).
    """

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.make_sequence()
        db.session.commit()
        response.close()
        return response
