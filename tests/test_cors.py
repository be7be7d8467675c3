"""CORS: any site's page may read the public API, and nothing else.

Requests carry the `Origin` header a browser sends on a cross-origin fetch
(and the preflight headers it sends before a non-simple one).
"""

from __future__ import annotations

import pytest

from portal.opendata import hsds

OTHER_SITE = {"Origin": "https://other-directory.example"}
CREDENTIALS = "Access-Control-Allow-Credentials"


def _public_api_urls(clinic_id: int) -> list[str]:
    service_id = hsds.record_id("service", clinic_id)
    return [
        "/api/v1/clinics?location=92101&radius=50",
        "/api/v1/clinics?location=Atlantis%2C+ZZ",  # 400: the error is readable too
        f"/api/v1/clinics/{clinic_id}",
        "/api/v1/clinics/999999",  # 404
        "/api/v1/hsds/",
        "/api/v1/hsds/organizations?per_page=5",
        "/api/v1/hsds/services?page=2&per_page=5",
        "/api/v1/hsds/service_at_locations",
        f"/api/v1/hsds/services/{service_id}",
        "/api/v1/hsds/services?per_page=0",  # 400
        "/api/openapi.json",
    ]


def test_every_public_api_get_allows_any_origin_without_credentials(client, sample_clinics):
    statuses = set()
    for url in _public_api_urls(sample_clinics[0].id):
        for method in ("GET", "HEAD"):
            response = client.open(url, method=method, headers=OTHER_SITE)
            statuses.add(response.status_code)
            assert response.headers.get("Access-Control-Allow-Origin") == "*", (method, url)
            assert CREDENTIALS not in response.headers, url
            assert "X-RateLimit-Remaining" in response.headers["Access-Control-Expose-Headers"]
    assert statuses == {200, 400, 404}


def test_a_preflight_for_a_read_is_answered(client, sample_clinics):
    response = client.options(
        "/api/v1/clinics?location=92101",
        headers={
            **OTHER_SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language, x-requested-with",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"].split(", ")
    assert response.headers["Access-Control-Allow-Headers"] == "*"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert CREDENTIALS not in response.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_preflight_for_a_write_is_not_allowed(client, method):
    response = client.options(
        "/api/v1/clinics", headers={**OTHER_SITE, "Access-Control-Request-Method": method}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_posts_get_no_cors_header(client, browser, sample_clinics):
    refused = client.post("/api/v1/clinics?location=92101", headers=OTHER_SITE)
    assert refused.status_code in (400, 405)  # no CSRF token, and no such method anyway
    assert "Access-Control-Allow-Origin" not in refused.headers
    report = browser.submit(
        f"/clinics/{sample_clinics[0].slug}/report",
        {"kind": "closed", "details": "The phone line is dead."},
        headers=OTHER_SITE,
    )
    assert report.status_code == 303
    assert "Access-Control-Allow-Origin" not in report.headers


def test_pages_get_no_cors_header(client, sample_clinics):
    for url in (
        "/",
        "/search?location=92101",
        f"/clinics/{sample_clinics[0].slug}",
        "/compare",
        "/api",
        "/about",
        "/privacy",
        "/sitemap.xml",
        "/account/login",
        "/api/v1",  # not under /api/v1/: a redirect-free 404 page
    ):
        response = client.get(url, headers=OTHER_SITE)
        assert "Access-Control-Allow-Origin" not in response.headers, url


def test_signed_in_pages_get_no_cors_header_and_the_api_never_allows_credentials(staff, moderator):
    staff.login()
    moderator.login()
    for actor, url in ((staff, "/dashboard"), (moderator, "/moderation")):
        page = actor.get(url, headers=OTHER_SITE)
        assert page.status_code == 200
        assert "Access-Control-Allow-Origin" not in page.headers
        assert CREDENTIALS not in page.headers
        answer = actor.get("/api/v1/hsds/services", headers=OTHER_SITE)
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert CREDENTIALS not in answer.headers
    logout = staff.post("/account/logout", headers=OTHER_SITE)
    assert "Access-Control-Allow-Origin" not in logout.headers


@pytest.fixture
def limited_api(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_API="2 per minute"
    )
    return app_config


def test_an_api_client_over_its_limit_can_read_why(limited_api, client):
    statuses = []
    for _ in range(3):
        response = client.get("/api/v1/clinics?location=Atlantis%2C+ZZ", headers=OTHER_SITE)
        statuses.append(response.status_code)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert statuses == [400, 400, 429]
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    assert response.get_json()["error"]["code"] == "rate_limited"
