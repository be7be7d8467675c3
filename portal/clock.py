"""The request's notion of "now", replaceable in tests (`app.config["CLOCK"]`)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    """The current instant, timezone-aware; tests set CLOCK to a callable giving a fixed one."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else datetime.now(UTC)
