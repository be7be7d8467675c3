"""Signed links for email: verify an address, reset a password.

Both use itsdangerous' URLSafeTimedSerializer with the app's SECRET_KEY and a
salt of their own, so one kind of link can never stand in for another. A
reset link also carries a fingerprint of the current password hash: once the
password changes, the link stops working (single use without a table).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

VERIFY_SALT = "portal.accounts.verify-email"
RESET_SALT = "portal.accounts.password-reset"
VERIFY_HOURS = 48
RESET_SECONDS = 3600


class TokenProblem(Exception):
    """A link that cannot be used; `kind` is expired, used or invalid."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenProblem("expired") from None
    except (BadData, UnicodeError, ValueError):
        raise TokenProblem("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise TokenProblem("invalid")
    return payload


def verify_token(user_id: int, email: str) -> str:
    return _serializer(VERIFY_SALT).dumps({"u": user_id, "e": email})


def read_verify_token(token: str) -> tuple[int, str]:
    payload = _load(VERIFY_SALT, token, VERIFY_HOURS * 3600)
    if not isinstance(payload.get("e"), str):
        raise TokenProblem("invalid")
    return payload["u"], payload["e"]


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def reset_token(user_id: int, password_hash: str) -> str:
    return _serializer(RESET_SALT).dumps({"u": user_id, "p": password_fingerprint(password_hash)})


def read_reset_token(token: str) -> tuple[int, str]:
    payload = _load(RESET_SALT, token, RESET_SECONDS)
    if not isinstance(payload.get("p"), str):
        raise TokenProblem("invalid")
    return payload["u"], payload["p"]


def same_fingerprint(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
