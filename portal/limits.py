"""Rate limits, each read from the configuration so a deployment (or a test) can tune it.

Counters live in `RATELIMIT_STORAGE_URI`: `memory://` counts per process, so
more than one worker needs Redis (`flask --app portal check` and gunicorn.conf.py
say so). When Redis is down, limited routes answer 503 (`portal.errors`).
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from flask import current_app, request
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import security
from portal.auth import normalise_email
from portal.config import RATE_LIMITS
from portal.extensions import limiter

# Raised when the counters' Redis cannot be reached; `portal.errors` answers them with 503.
# RATELIMIT_SWALLOW_ERRORS stays off: swallowing them would serve every route unlimited.
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def _configured(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get(name) or RATE_LIMITS[name]


def account_key() -> str:
    """One account's sign-in attempts, whichever address they come from."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


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
)
registration = limiter.limit(_configured("RATELIMIT_REGISTER"), methods=["POST"], scope="register")
profile_writes = limiter.limit(
    _configured("RATELIMIT_PROFILE"), key_func=user_key, methods=["POST"], scope="profile"
)
search_page = limiter.limit(_configured("RATELIMIT_SEARCH"), scope="search")
search_api = limiter.limit(_configured("RATELIMIT_API"), scope="api")


def _report_stored(response) -> bool:
    """Only a stored report (a redirect to the thank-you page) counts, not a form with mistakes."""
    return response.status_code == 303


problem_reports = limiter.limit(
    _configured("RATELIMIT_REPORT"),
    methods=["POST"],
    scope="report",
    deduct_when=_report_stored,
)
