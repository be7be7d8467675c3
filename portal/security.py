"""Response headers, security event logging and deployment checks.

Headers are set in one `after_request` (FIELD-NOTES.md: Talisman's defaults
miss `base-uri` and `frame-ancestors`), so pages, the API, static files and
error pages all carry them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

SECURITY_LOG = "portal.security"
log = logging.getLogger(SECURITY_LOG)


def content_security_policy(map_tile_url: str = "") -> str:
    """No inline code, no third-party origin except the configured map tiles (images only)."""
    images = ["'self'", "data:"]
    if origin := tile_origin(map_tile_url):
        images.append(origin)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(images),
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def tile_origin(url: str) -> str:
    """`https://tile.example` from a tile URL template like `https://{s}.tile.example/{z}/...`."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = current_app.extensions["portal.csp"]
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin: other sites never learn a page address (a search names a place and a
    # condition), while our own forms carry the Referer that Flask-WTF's HTTPS check needs.
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = (
        "geolocation=(self), camera=(), microphone=(), interest-cohort=()"
    )
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.path.startswith(("/account/", "/dashboard", "/moderation")):
        headers["Cache-Control"] = "no-store"
    return response


def account_hint(email: str) -> str:
    """Which account was meant, without the address itself (logs, rate-limit keys)."""
    normalised = (email or "").strip().lower()
    return "email-sha256:" + hashlib.sha256(normalised.encode()).hexdigest()[:16]


def _actor() -> str:
    try:
        if current_user and current_user.is_authenticated:
            return f"user:{current_user.id}"
    except Exception:  # noqa: BLE001 (no user loader outside a request)
        return "unknown"
    return "anonymous"


def event(name: str, **details: object) -> None:
    """Log one security event: what, who, from where, when (UTC).

    Only the path is logged, never the query string (a search names a place
    and a condition) and never a form field other than those passed here.
    """
    fields = {
        "event": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "actor": details.pop("actor", None) or _actor(),
    }
    try:
        fields["address"] = request.remote_addr or "-"
        fields["method"] = request.method
        fields["path"] = request.path
    except RuntimeError:  # outside a request (CLI)
        pass
    fields.update(details)
    log.info(" ".join(f"{key}={_quote(value)}" for key, value in fields.items()))


def _quote(value: object) -> str:
    text = str(value)
    if not text or any(char in text for char in ' "=\n\r'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    return text


def _log_denied(response: Response) -> Response:
    if response.status_code in (401, 403) or g.pop("portal_access_denied", False):
        event("access_denied", status=response.status_code)
    return response


def deployment_problems(config: Mapping, *, debug: bool = False) -> list[str]:
    """What makes this configuration unsafe to serve the public, like Django's check --deploy."""
    problems = []
    if debug or config.get("DEBUG"):
        problems.append("debug mode is on (FLASK_DEBUG): it can run code from the browser")
    if config.get("TESTING"):
        problems.append("TESTING is on")
    secret = config.get("SECRET_KEY") or ""
    if not config.get("SECRET_KEY_FROM_ENV"):
        problems.append(
            "SECRET_KEY is not set: the key generated into instance/ differs per machine "
            "and is lost with it; set SECRET_KEY in the environment"
        )
    elif len(secret) < 32 or secret in WEAK_SECRETS:
        problems.append("SECRET_KEY is weak: use at least 32 random characters")
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(f"{name} is off: sign-in cookies would travel over plain HTTP")
    for name in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY"):
        if not config.get(name):
            problems.append(f"{name} is off: scripts could read the sign-in cookie")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE is not Lax or Strict")
    lifetime = config.get("PERMANENT_SESSION_LIFETIME")
    if lifetime is not None and lifetime.total_seconds() > 24 * 3600:
        problems.append("SESSION_LIFETIME_HOURS is more than 24 hours")
    remember = config.get("REMEMBER_COOKIE_DURATION")
    if remember is not None and remember > timedelta(days=MAX_REMEMBER_DAYS):
        problems.append(
            f"REMEMBER_COOKIE_DURATION is more than {MAX_REMEMBER_DAYS} days "
            "(REMEMBER_COOKIE_DAYS): a lost device stays signed in too long"
        )
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append("RATELIMIT_ENABLED is off: sign-in can be guessed without limit")
    storage = config.get("RATELIMIT_STORAGE_URI", "memory://")
    if per_process_limits(storage, int(config.get("WEB_CONCURRENCY", 1))):
        problems.append(
            f"RATELIMIT_STORAGE_URI is memory:// with WEB_CONCURRENCY > 1: {SHARE_LIMITS}"
        )
    if not config.get("TRUSTED_HOSTS"):
        problems.append("TRUSTED_HOSTS is not set: the site answers to any Host header")
    if not config.get("MAX_CONTENT_LENGTH"):
        problems.append("MAX_CONTENT_LENGTH is not set: request bodies are unlimited")
    return problems


WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "test-secret-key-not-for-production"}
MAX_REMEMBER_DAYS = 30
SHARE_LIMITS = (
    "each worker counts on its own, so limits let several times as many requests through; "
    "set RATELIMIT_STORAGE_URI=redis://... (or run one worker)"
)


def per_process_limits(storage_uri: str, workers: int) -> bool:
    """Rate-limit counters kept in each process's memory while several processes serve."""
    return storage_uri.startswith("memory://") and workers > 1


def register(app: Flask) -> None:
    """Hook security behaviour into the app (headers, logging)."""
    if hops := app.config.get("PROXY_HOPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.extensions["portal.csp"] = content_security_policy(app.config.get("MAP_TILE_URL", ""))
    app.after_request(_log_denied)
    app.after_request(set_security_headers)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        log.addHandler(handler)
        # Flask gives the "portal" logger (app.logger) a handler of its own on first use;
        # propagating there would write every event twice.
        log.propagate = False
    log.setLevel(logging.INFO)
    # Flask-Limiter logs each breach with its key (an e-mail typed at sign-in); our
    # `rate_limited` event is the one line kept.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
