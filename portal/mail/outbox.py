"""The outbox: mail is stored with the change that caused it and delivered after commit.

`enqueue` renders a message (a text and an HTML part, no tracking) into the
outbox table inside the caller's transaction, so a rolled-back change sends
nothing and a committed one loses nothing. `deliver` hands waiting messages
to the transport; a server that is down or busy only delays them, with a
back-off that doubles up to `MAX_BACKOFF`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from portal.extensions import db
from portal.mail import transport
from portal.mail.models import OutboxMessage
from portal.models import utcnow

log = logging.getLogger("portal.mail")

# While one process sends a message, no other process takes it (a crash frees it after this).
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
SESSION_KEY = "portal.outbox_new"


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email, from PUBLIC_BASE_URL (never the request's Host header)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def render(template: str, **context) -> tuple[str, str]:
    """The text and HTML parts of `mail/<template>`; both carry the contact address."""
    context.setdefault("contact_email", current_app.config["CONTACT_EMAIL"])
    context.setdefault("site_url", current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    env = current_app.jinja_env
    text = env.get_template(f"mail/{template}.txt").render(context)
    html = env.get_template(f"mail/{template}.html").render(context)
    return text.strip() + "\n", html


def enqueue(
    to_address: str, subject: str, template: str, *, kind: str, sensitive: bool = False, **context
) -> OutboxMessage:
    """Store one message for `to_address` in the current transaction (flushes, never commits)."""
    text, html = render(template, subject=subject, **context)
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        subject=subject[:200],
        text_body=text,
        html_body=html,
        sensitive=sensitive,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(SESSION_KEY, []).append(message.id)
    return message


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class Letter:
    """What the transport needs of one outbox row, read before the transaction ends."""

    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    created_at: datetime
    attempts: int
    sensitive: bool

    @classmethod
    def of(cls, row: OutboxMessage) -> Letter:
        return cls(
            row.id,
            row.to_address,
            row.subject,
            row.text_body,
            row.html_body,
            row.created_at,
            row.attempts,
            row.sensitive,
        )


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def due_ids(now: datetime, *, limit: int = 100, ignore_backoff: bool = False) -> list[int]:
    query = select(OutboxMessage.id).where(OutboxMessage.status == "waiting")
    if not ignore_backoff:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return list(db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))


def _claim(message_id: int, now: datetime, *, ignore_backoff: bool) -> bool:
    """Take one message for this process; False when another process has it (or it is done)."""
    condition = [OutboxMessage.id == message_id, OutboxMessage.status == "waiting"]
    if not ignore_backoff:
        condition.append(OutboxMessage.next_attempt_at <= now)
    result = db.session.execute(
        update(OutboxMessage)
        .where(*condition)
        .values(next_attempt_at=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(
    now: datetime | None = None,
    *,
    ids: list[int] | None = None,
    limit: int = 100,
    ignore_backoff: bool = False,
) -> DeliveryReport:
    """Send what is due (or the messages `ids`), committing each outcome. Never raises for mail."""
    now = now or utcnow()
    candidates = (
        ids if ids is not None else due_ids(now, limit=limit, ignore_backoff=ignore_backoff)
    )
    claimed = [i for i in candidates if _claim(i, now, ignore_backoff=ignore_backoff)]
    report = DeliveryReport()
    if not claimed:
        return report
    messages = [
        Letter.of(row)
        for row in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        )
    ]
    # No transaction stays open while the mail server is slow (SQLite would hold a snapshot).
    db.session.rollback()
    outcomes = transport.send_all(messages)
    for message in messages:
        outcome = outcomes[message.id]
        if outcome.sent:
            values = {"status": "sent", "sent_at": utcnow(), "last_error": ""}
            if message.sensitive:
                values.update(text_body="", html_body="")
            report.sent += 1
        elif outcome.permanent:
            values = {"status": "failed", "last_error": outcome.error[:2000]}
            report.failed += 1
        else:
            values = {
                "next_attempt_at": now + backoff(message.attempts),
                "last_error": outcome.error[:2000],
            }
            report.retrying += 1
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    if report.retrying:
        log.warning(
            "mail: %d message(s) will be retried (%s)", report.retrying, outcomes_error(outcomes)
        )
    return report


def outcomes_error(outcomes: dict) -> str:
    errors = {o.error for o in outcomes.values() if o.error}
    return "; ".join(sorted(errors))[:300]


def waiting_messages() -> list[OutboxMessage]:
    """What `mail-queue` lists: everything not yet delivered, the oldest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status != "sent")
            .order_by(OutboxMessage.status.desc(), OutboxMessage.id)
        )
    )
