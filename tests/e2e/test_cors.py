"""CORS in Chromium: a page on another site reads the public API, and nothing else.

The other site is a second server on 127.0.0.1 with another port (another
origin); the browser enforces CORS on its `fetch` calls exactly as it would
for a page anywhere on the web.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.e2e.conftest import _QuietHandler

OTHER_PAGE = "<!doctype html><html lang='en'><title>Another directory</title><p>Hello</p></html>"
FETCH_JS = """async ([url, options]) => {
  try {
    const response = await fetch(url, options);
    const body = await response.text();
    return {status: response.status, body};
  } catch (error) {
    return {error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def other_site() -> Iterator[str]:
    """Another origin: a plain page with no policy of its own."""

    def app(environ, start_response):
        return Response(OTHER_PAGE, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join(timeout=5)


def _fetch(page, url: str, **options) -> dict:
    return page.evaluate(FETCH_JS, [url, options])


def test_another_site_reads_the_api_but_not_pages_forms_or_credentials(page, live_site, other_site):
    page.goto(other_site)
    assert page.title() == "Another directory"

    root = _fetch(page, live_site("/api/v1/hsds/"))
    assert root["status"] == 200 and '"profile"' in root["body"]
    search = _fetch(page, live_site("/api/v1/clinics?location=92101&radius=25"))
    assert search["status"] == 200 and "Harbor Ketamine Center" in search["body"]
    described = _fetch(page, live_site("/api/openapi.json"))
    assert described["status"] == 200 and '"openapi"' in described["body"]
    error = _fetch(page, live_site("/api/v1/clinics?location=Atlantis%2C+ZZ"))
    assert error["status"] == 400 and "unknown_location" in error["body"]
    # A header outside the simple set makes Chromium ask first (a preflight); it is allowed.
    asked = _fetch(page, live_site("/api/v1/hsds/services"), headers={"X-Client": "demo"})
    assert asked["status"] == 200

    for url in ("/search?location=92101", "/api", "/account/login", "/dashboard"):
        assert "error" in _fetch(page, live_site(url)), url
    # No cookies from elsewhere: a credentialed request is refused even on the API.
    assert "error" in _fetch(page, live_site("/api/v1/hsds/"), credentials="include")
    # A write cannot be read, and a non-simple one is stopped at the preflight.
    assert "error" in _fetch(page, live_site("/api/v1/clinics"), method="POST", body="x")
    assert "error" in _fetch(page, live_site("/api/v1/hsds/services"), method="DELETE")
