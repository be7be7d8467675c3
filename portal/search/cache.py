"""Whole search answers (results page HTML, API JSON) kept briefly in this process.

Why: building a results page costs about 9 ms, two thirds of it template
rendering, and patients search the same few places again and again. An answer
is reused only while nothing it shows can have changed: the key holds the exact
query string, today's date (verification expiry and the out-of-date mark are
counted in days) and the listings' version (the newest `clinics.updated_at`, so
any approval, suspension, confirmation or edit shows at once). Entries also
expire after `SEARCH_CACHE_SECONDS`.

Pages are reused only for visitors who see nothing of their own on them: not
signed in, an empty comparison tray, no message waiting. The one per-visitor
value on such a page, the CSRF token in the "add to comparison" forms, is
stored as a placeholder and filled in per request. Nothing here is logged or
leaves the process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date

from flask import current_app, g, has_app_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import clock
from portal.compare import tray
from portal.extensions import db
from portal.models import Clinic

TOKEN_PLACEHOLDER = "\x00csrf-token\x00"  # noqa: S105 (a marker, not a secret; never in HTML)


class AnswerCache:
    """A small LRU of (key -> text) with a time limit, safe across a worker's threads."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, max_age: float) -> str | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, text = found
            if time.monotonic() - stored_at > max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return text

    def put(self, key: tuple, text: str) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), text)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _cache() -> AnswerCache:
    extensions = current_app.extensions
    if "portal.search_cache" not in extensions:
        extensions["portal.search_cache"] = AnswerCache(
            current_app.config.get("SEARCH_CACHE_ENTRIES", 256)
        )
    return extensions["portal.search_cache"]


def _max_age() -> float:
    return float(current_app.config.get("SEARCH_CACHE_SECONDS", 60))


VERSION_SQL = "SELECT max(updated_at) FROM clinics"
VERSION_KEY = "portal.listings_version"


def listings_version() -> object:
    """Changes whenever any clinic row changes (the newest `updated_at`, one index lookup).

    Read again at most every `SEARCH_VERSION_RECHECK_SECONDS` (a quarter second):
    reading it on every search cost a third of a cached answer. A change made in
    this process forgets the value at once (`forget_version`, on flush); other
    worker processes see it at their next re-read.
    """
    now = time.monotonic()
    seen = current_app.extensions.get(VERSION_KEY)
    recheck = current_app.config.get("SEARCH_VERSION_RECHECK_SECONDS", 0.25)
    if seen is not None and now - seen[0] < recheck:
        return seen[1]
    version = db.session.connection().exec_driver_sql(VERSION_SQL).scalar()
    current_app.extensions[VERSION_KEY] = (now, version)
    return version


def forget_version(session, _flush_context) -> None:
    """After a flush that wrote a clinic row, read the listings' version afresh."""
    if not has_app_context():
        return
    if any(isinstance(row, Clinic) for row in (*session.new, *session.dirty)):
        current_app.extensions.pop(VERSION_KEY, None)


# Once per process, for every session (the import runs once).
event.listen(Session, "after_flush", forget_version)


def answer_key(kind: str) -> tuple | None:
    """The cache key of this request's answer, or None when it must not be reused."""
    if _max_age() <= 0:
        return None
    # The minute: "open now" on a result changes with it.
    minute = clock.now().replace(second=0, microsecond=0)
    return (kind, request.query_string, date.today(), minute, listings_version())


def page_key() -> tuple | None:
    """As `answer_key`, for a results page: only when nothing on it is the visitor's own."""
    if current_user.is_authenticated or tray.ids(session) or session.get("_flashes"):
        return None
    return answer_key("page")


def cached(key: tuple | None) -> str | None:
    if key is None:
        return None
    return _cache().get(key, _max_age())


def keep(key: tuple | None, text: str) -> None:
    if key is not None:
        _cache().put(key, text)


def page_for_storing(html: str) -> str:
    """The page with this visitor's CSRF token (if it shows one) swapped for the placeholder."""
    token = g.get("csrf_token")  # set by Flask-WTF when the page rendered a token
    return html.replace(token, TOKEN_PLACEHOLDER) if token else html


def page_for_visitor(stored: str) -> str:
    """A stored page with this visitor's own CSRF token filled in."""
    if TOKEN_PLACEHOLDER not in stored:
        return stored
    return stored.replace(TOKEN_PLACEHOLDER, generate_csrf())
