"""Commands: `send-mail` and `mail-queue` (the outbox), `send-reminders` (for a timer)."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app

from portal.extensions import db
from portal.mail import outbox, reminders
from portal.models import utcnow


def register(app: Flask) -> None:
    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True, help="At most this many messages.")
    @click.option(
        "--retry-now", is_flag=True, help="Also try messages still waiting out a back-off."
    )
    def send_mail(limit: int, retry_now: bool) -> None:
        """Deliver the messages waiting in the outbox (run it from a timer)."""
        report = outbox.deliver(limit=limit, ignore_backoff=retry_now)
        click.echo(
            f"Mail: {report.sent} sent, {report.retrying} waiting to be retried, "
            f"{report.failed} refused for good."
        )
        if report.retrying or report.failed:
            raise SystemExit(1)

    @app.cli.command("mail-queue")
    def mail_queue() -> None:
        """List the messages not yet delivered: waiting (with the next try) and refused."""
        messages = outbox.waiting_messages()
        if not messages:
            click.echo("The outbox is empty: every message was delivered.")
            return
        for m in messages:
            when = (
                f"next try {m.next_attempt_at:%Y-%m-%d %H:%M} UTC" if m.status == "waiting" else ""
            )
            click.echo(
                f"{m.id:>6}  {m.status:<8} tries={m.attempts:<3} {when:<30} {m.kind:<12} "
                f"{m.to_address}  {m.subject}"
            )
            if m.last_error:
                click.echo(f"        last error: {m.last_error}")
        click.echo(f"{len(messages)} message(s) not delivered.")

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue and send expiry and out-of-date reminders; each goes once per period."""
        report = reminders.send_reminders(
            date.today(), utcnow(), current_app.config["STALE_AFTER_DAYS"]
        )
        db.session.commit()
        delivered = outbox.deliver()
        click.echo(
            f"Reminders: {report.expiry} verification expiry, {report.stale} out of date "
            f"({delivered.sent} messages sent, {delivered.retrying} waiting)."
        )
