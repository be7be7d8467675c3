"""Gzip for pages, styles and scripts: gunicorn serves the site alone, with no proxy to do it.

Compressing a secret next to text an attacker can put in the same page leaks
the secret byte by byte (BREACH). So pages for a signed-in user, and the account
pages, are sent uncompressed: their CSRF token guards an account. A signed-out
visitor's token guards only that visitor's comparison tray (signing in clears
the session and with it the token), so public pages are compressed, as are
static files.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from flask import Flask, Response, request
from flask_login import current_user

# What browsers load for a page. The JSON API is left as it is: its clients ask for
# what they need with per_page, and some (WSGI test transports) send Accept-Encoding
# without decoding the answer.
COMPRESSIBLE_TYPES = frozenset(
    {"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml"}
)
SMALLEST = 600  # bytes; below this gzip's own overhead is not worth it
LARGEST = 4 * 1024 * 1024  # never hold more than this in memory to compress it


def register(app: Flask) -> None:
    app.after_request(compress_response)


@lru_cache(maxsize=64)
def _gzip_static(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


def _static_json(response: Response) -> bool:
    """The map's vendored TopoJSON files (static/vendor/us-atlas): a third of their size gzipped."""
    return response.mimetype == "application/json" and request.endpoint == "static"


def _guards_an_account() -> bool:
    return request.blueprint == "accounts" or current_user.is_authenticated


def compress_response(response: Response) -> Response:
    """Gzip the body when the client accepts it and nothing secret is in it."""
    if response.mimetype not in COMPRESSIBLE_TYPES and not _static_json(response):
        return response
    response.vary.add("Accept-Encoding")
    if (
        response.status_code != 200
        or "Content-Encoding" in response.headers
        or "Content-Range" in response.headers
        or not request.accept_encodings["gzip"]
        or (response.content_length or 0) > LARGEST
        or (response.mimetype == "text/html" and _guards_an_account())
    ):
        return response
    if response.is_streamed and response.content_length is None:
        return response  # a generator: its size is unknown, leave it as it is
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < SMALLEST:
        return response
    static = request.endpoint == "static"
    response.set_data(
        _gzip_static(body) if static else gzip.compress(body, compresslevel=6, mtime=0)
    )
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # The same file in two encodings: a weak tag still lets a cached copy revalidate.
        response.set_etag(etag, weak=True)
    return response
