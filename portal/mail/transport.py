"""Hand messages to the mail server (Flask-Mailman over SMTP), or to .eml files without one.

With no MAIL_SERVER (a developer's machine, `make run`) every message is
written to MAIL_OUTBOX_DIR as an .eml file and its subject logged, so nothing
needs a mail server to run. Errors are classified: a 5xx refusal is permanent,
anything else (server down, timeout, 4xx) is worth trying again later.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from portal.extensions import mail

log = logging.getLogger("portal.mail")
FALLBACK_SENDER = "Ketamine Clinic Finder <no-reply@localhost>"


@dataclass(frozen=True)
class Outcome:
    sent: bool
    permanent: bool = False
    error: str = ""


SENT = Outcome(sent=True)


def build(message) -> EmailMultiAlternatives:
    """The MIME message: text first, HTML as the alternative; replies go to CONTACT_EMAIL."""
    config = current_app.config
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=config["MAIL_DEFAULT_SENDER"] or FALLBACK_SENDER,
        to=[message.to_address],
        reply_to=[config["CONTACT_EMAIL"]] if config["CONTACT_EMAIL"] else None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(message.html_body, "text/html")
    return email


def send_all(messages: list) -> dict[int, Outcome]:
    if not current_app.config["MAIL_SERVER"]:
        return {message.id: _write_file(message) for message in messages}
    return _send_smtp(messages)


def _write_file(message) -> Outcome:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}.eml"
        path.write_bytes(build(message).message().as_bytes())
    except OSError as error:
        return Outcome(sent=False, error=f"cannot write the outbox file: {error}")
    log.info("mail written to %s: %s", path, message.subject)
    return SENT


def _send_smtp(messages: list) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    connection = mail.get_connection(backend="smtp")
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        failure = Outcome(sent=False, error=f"mail server unavailable: {_describe(error)}")
        return {message.id: failure for message in messages}
    try:
        for message in messages:
            outcomes[message.id] = _send_one(connection, message)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return outcomes


def _send_one(connection, message) -> Outcome:
    try:
        if connection.connection is None:
            connection.open()
        connection.send_messages([build(message)])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        return Outcome(sent=False, permanent=all(c >= 500 for c in codes), error=_describe(error))
    except smtplib.SMTPResponseException as error:
        return Outcome(sent=False, permanent=error.smtp_code >= 500, error=_describe(error))
    except (OSError, smtplib.SMTPException) as error:
        connection.connection = None  # open again for the next message
        return Outcome(sent=False, error=_describe(error))
    return SENT


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]
