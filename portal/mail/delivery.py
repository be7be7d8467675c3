"""Deliver a request's mail after its answer has gone out, and only if its change committed.

The session remembers which outbox rows the transaction added; after commit
they are handed to the request, and once the response is closed (sent) one
short delivery attempt runs in a fresh app context. Whatever fails waits in
the outbox for `flask --app portal send-mail`.
"""

from __future__ import annotations

import logging

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.mail import outbox

log = logging.getLogger("portal.mail")


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    ids = session.info.pop(outbox.SESSION_KEY, None)
    if ids and has_app_context():
        g.setdefault("portal_mail_committed", []).extend(ids)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(outbox.SESSION_KEY, None)


def register(app: Flask) -> None:
    @app.after_request
    def deliver_after_response(response):
        ids = g.pop("portal_mail_committed", None)
        if ids and app.config["MAIL_SEND_AFTER_REQUEST"]:
            response.call_on_close(lambda: _deliver_now(app, ids))
        return response


def _deliver_now(app: Flask, ids: list[int]) -> None:
    """One attempt, outside the request; never raises (the outbox keeps what failed)."""
    try:
        with app.app_context():
            outbox.deliver(ids=ids)
    except Exception:  # noqa: BLE001 - a failed attempt must never reach the client
        log.exception("mail: delivery after the request failed; messages wait in the outbox")
