"""Rate limits, each read from the configuration so a deployment (or a test) can tune it.

Counters live in `RATELIMIT_STORAGE_URI`: `memory://` counts per process, so
more than one worker needs Redis (`flask --app portal check` and gunicorn.conf.py
say so). When Redis is down, limited routes answer 503 (`portal.errors`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import redis
from flask import current_app, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import security
from portal.config import RATE_LIMITS
from portal.extensions import limiter
from portal.security import account_hint

# Raised when the counters' Redis cannot be reached; `portal.errors` answers them with 503.
# RATELIMIT_SWALLOW_ERRORS stays off: swallowing them would serve every route unlimited.
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def _configured(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get(name) or RATE_LIMITS[name]


def account_key() -> str:
    """One account's failed sign-ins, whichever address they come from.

    Hashed like the security log: the counters' storage never holds a typed e-mail.
    """
    return "account:" + account_hint(request.form.get("email", "")[:254])


KNOWN_ADDRESS_DAYS = 90


def _known_address_key(email: str) -> str:
    """One (account, address) pair that signed in successfully, as a hash."""
    pair = f"{email.strip().lower()[:254]}|{get_remote_address()}"
    digest = hashlib.sha256(pair.encode()).hexdigest()[:32]
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}/known-address/{digest}"


def remember_address(email: str) -> None:
    """After a successful sign-in: this address is the owner's for the account limit."""
    if limiter.enabled:
        limiter.storage.incr(_known_address_key(email), KNOWN_ADDRESS_DAYS * 24 * 3600)


def address_known_for_account() -> bool:
    """The account has signed in from this address before (within KNOWN_ADDRESS_DAYS).

    Such attempts neither count towards nor meet the per-account limit, so a stranger's
    failures from elsewhere cannot lock the owner out; the per-address limit still applies.
    """
    if not limiter.enabled or request.method != "POST":
        return False
    return bool(limiter.storage.get(_known_address_key(request.form.get("email", ""))))


def user_key() -> str:
    """A signed-in user's writes; visitors (refused anyway) count by address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def log_breach(limit: RequestLimit) -> None:
    """Every refused request in the security log; the factory hands it to the limiter."""
    security.event("rate_limited", limit=str(limit.limit))


login_by_address = limiter.limit(
    _configured("RATELIMIT_LOGIN_ADDRESS"), methods=["POST"], scope="login-address"
)
login_by_account = limiter.limit(
    _configured("RATELIMIT_LOGIN_ACCOUNT"),
    key_func=account_key,
    methods=["POST"],
    scope="login-account",
    deduct_when=lambda response: response.status_code == 401,  # failures only
    exempt_when=address_known_for_account,
)
registration = limiter.limit(_configured("RATELIMIT_REGISTER"), methods=["POST"], scope="register")
profile_writes = limiter.limit(
    _configured("RATELIMIT_PROFILE"), key_func=user_key, methods=["POST"], scope="profile"
)
# Every check of a password costs about 0.45 s of scrypt: limited per account (or, signed
# out, per address). Reusable by any route that checks or sets a password.
password_checks = limiter.limit(
    _configured("RATELIMIT_PASSWORD"), key_func=user_key, methods=["POST"], scope="password"
)
search_page = limiter.limit(_configured("RATELIMIT_SEARCH"), scope="search")
search_api = limiter.limit(_configured("RATELIMIT_API"), scope="api")


def _full_records_asked() -> bool:
    return request.args.get("full", "").strip().lower() in ("true", "1", "yes")


# HSDS lists: nested records (`full=true`) cost several times a summary page.
# Shared: one counter for the three lists, not one each.
open_data_lists = limiter.shared_limit(_configured("RATELIMIT_OPEN_DATA"), scope="open-data")
open_data_full = limiter.shared_limit(
    _configured("RATELIMIT_OPEN_DATA_FULL"),
    scope="open-data-full",
    exempt_when=lambda: not _full_records_asked(),
)

COUNT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def hide_counts_on_accounts(response):
    """No attempt counts on account pages: they told whether an address signed in lately.

    Registered before the limiter, so it runs after the limiter added its headers.
    """
    if request.path.startswith("/account/"):
        for name in COUNT_HEADERS:
            response.headers.pop(name, None)
    return response


def _report_stored(response) -> bool:
    """Only a stored report (a redirect to the thank-you page) counts, not a form with mistakes."""
    return response.status_code == 303


problem_reports = limiter.limit(
    _configured("RATELIMIT_REPORT"),
    methods=["POST"],
    scope="report",
    deduct_when=_report_stored,
)
