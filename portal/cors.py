"""Cross-origin reads of the public API: any site's page may GET the open data.

Only the read-only API gets `Access-Control-Allow-Origin: *` (its GET, HEAD
and the browser's preflight OPTIONS); pages, forms, signed-in areas and every
other method get no CORS header, so a browser keeps other sites out of them.
Credentials are never allowed: with `*` a browser sends no cookie and refuses
a credentialed request, so nobody's session can be used from elsewhere.
"""

from __future__ import annotations

from flask import Flask, Response, request

PUBLIC_API_PREFIXES = ("/api/v1/",)
PUBLIC_API_PATHS = ("/api/openapi.json",)
READ_METHODS = frozenset({"GET", "HEAD"})
PREFLIGHT_MAX_AGE = 7200  # seconds; Chromium caps a preflight cache at two hours
# Headers a reader needs from outside: the rate-limit state and when to come back.
EXPOSED_HEADERS = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"


def is_public_api(path: str) -> bool:
    return path.startswith(PUBLIC_API_PREFIXES) or path in PUBLIC_API_PATHS


def _preflight_for_a_read() -> bool:
    wanted = request.headers.get("Access-Control-Request-Method", "").upper()
    return request.method == "OPTIONS" and wanted in READ_METHODS


def add_cors_headers(response: Response) -> Response:
    if not is_public_api(request.path):
        return response
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    elif _preflight_for_a_read() and response.status_code < 400:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        # `*` covers any request header but Authorization, which the API never reads.
        response.headers["Access-Control-Allow-Headers"] = "*"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def register(app: Flask) -> None:
    app.after_request(add_cors_headers)
