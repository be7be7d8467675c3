"""Helpers every table module shares."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def _in(column: str, codes: dict[str, str]) -> str:
    quoted = ", ".join(f"'{code}'" for code in codes)
    return f"{column} IN ({quoted})"
