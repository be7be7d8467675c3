"""Settings from the environment, in one place.

`load_config()` reads the environment once at start-up; `create_app(config)`
lets tests and scripts override any key. Defaults are safe for a developer's
machine; `flask --app portal check` says which ones are unsafe in production.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PASSWORD_HASH = "scrypt:131072:8:1"  # noqa: S105 (a method name)
# Rate limits (Flask-Limiter notation), each settable from the environment.
RATE_LIMITS = {
    "RATELIMIT_LOGIN_ADDRESS": "20 per minute; 200 per day",
    "RATELIMIT_LOGIN_ACCOUNT": "5 per minute; 50 per day",
    "RATELIMIT_REGISTER": "5 per hour",
    "RATELIMIT_PROFILE": "60 per hour",
    "RATELIMIT_SEARCH": "60 per minute",
    "RATELIMIT_API": "120 per minute",
    "RATELIMIT_REPORT": "5 per hour",
    "RATELIMIT_PASSWORD": "5 per 15 minutes; 20 per day",
    "RATELIMIT_OPEN_DATA": "60 per minute",
    "RATELIMIT_OPEN_DATA_FULL": "10 per minute",
}


def _env_bool(name: str, default: bool, environ=os.environ) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.strip() else None


def _secret_key(instance_path: Path, environ=os.environ) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if key := environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict:
    """Configuration from the environment, with defaults for a developer's machine."""
    environ = os.environ if environ is None else environ
    env = environ.get("PORTAL_ENV", "development")
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    # Cookies travel over HTTPS only everywhere but a developer's machine (staging too).
    https_only = env != "development"
    trusted_hosts = environ.get("TRUSTED_HOSTS")
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": _secret_key(instance_path, environ),
        "SECRET_KEY_FROM_ENV": bool(environ.get("SECRET_KEY")),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a logged SQL error never carries bound values (a patient's search).
        # pool_pre_ping finds connections a database server dropped; a SQLite file drops none.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": not database_url.startswith("sqlite"),
            "hide_parameters": True,
        },
        "GEOCODER": environ.get("GEOCODER", "offline"),
        "GEOCODER_TIMEOUT": float(environ.get("GEOCODER_TIMEOUT", "5")),
        "GEODATA_PATH": environ.get("GEODATA_PATH", str(instance_path / "us-zip-centroids.tsv")),
        "MAP_TILE_URL": environ.get("MAP_TILE_URL", ""),
        "MAP_TILE_ATTRIBUTION": environ.get("MAP_TILE_ATTRIBUTION", ""),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True, environ),
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", "portal"),
        **{name: environ.get(name, limit) for name, limit in RATE_LIMITS.items()},
        "RATELIMIT_SWALLOW_ERRORS": False,
        "RATELIMIT_HEADERS_ENABLED": True,
        "PASSWORD_HASH_METHOD": environ.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH),
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_CONTENT_LENGTH", str(256 * 1024))),
        "TRUSTED_HOSTS": [h.strip() for h in trusted_hosts.split(",")] if trusted_hosts else None,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(environ.get("SESSION_LIFETIME_HOURS", "8"))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", https_only, environ),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(environ.get("REMEMBER_COOKIE_DAYS", "14"))),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", https_only, environ),
        "PROXY_HOPS": int(environ.get("PROXY_HOPS", "0")),
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        "WEB_CONCURRENCY": int(environ.get("WEB_CONCURRENCY", "1")),
        "VERIFICATION_MONTHS": 12,
        "STALE_AFTER_DAYS": 180,
        # Whole search answers reused while the listings are unchanged (portal/search/cache.py).
        "SEARCH_CACHE_SECONDS": float(environ.get("SEARCH_CACHE_SECONDS", "60")),
        "SEARCH_CACHE_ENTRIES": int(environ.get("SEARCH_CACHE_ENTRIES", "256")),
        "SEARCH_VERSION_RECHECK_SECONDS": float(
            environ.get("SEARCH_VERSION_RECHECK_SECONDS", "0.25")
        ),
        # Open data (HSDS export): the site's public address and who assures the records.
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "HSDS_ASSURER_EMAIL": environ.get(
            "HSDS_ASSURER_EMAIL", "verification@ketamine-clinic-finder.example"
        ),
        "SHOW_SAMPLE_DATA_NOTICE": _env_bool("SHOW_SAMPLE_DATA_NOTICE", True, environ),
        # Who runs this copy of the site: shown on /about and /privacy ("" = not published yet).
        "CONTACT_EMAIL": environ.get("CONTACT_EMAIL", "").strip(),
        # How long the operator's log rotation keeps the server log (stated on /privacy).
        "SECURITY_LOG_DAYS": _optional_int(environ.get("SECURITY_LOG_DAYS")),
    }
