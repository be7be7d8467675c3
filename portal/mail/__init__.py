"""Outgoing mail: the outbox, its delivery after commit, and who is told what.

`register` binds Flask-Mailman, connects the lifecycle handlers (the one place
they are connected), delivers a request's messages once its answer is sent,
and adds the `send-mail`, `mail-queue` and `send-reminders` commands.
"""

from __future__ import annotations

from flask import Flask

from portal import events
from portal.extensions import mail
from portal.listings import signals
from portal.mail import cli, delivery, notifications


def connect_handlers() -> None:
    """Each lifecycle event to its email. Connecting twice is harmless (blinker keeps one)."""
    signals.approved.connect(notifications.revision_approved)
    signals.rejected.connect(notifications.revision_rejected)
    signals.changes_requested.connect(notifications.changes_requested)
    signals.suspended.connect(notifications.listing_suspended)
    signals.restored.connect(notifications.listing_restored)
    events.report_filed.connect(notifications.report_filed)
    events.report_resolved.connect(notifications.report_resolved)


def register(app: Flask) -> None:
    mail.init_app(app)
    connect_handlers()
    delivery.register(app)
    cli.register(app)
