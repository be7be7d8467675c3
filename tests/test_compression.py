"""Gzip: public pages and static files are compressed; account pages and signed-in pages not."""

import gzip

GZIP = {"Accept-Encoding": "gzip"}


def test_static_files_are_gzipped_and_revalidate(client):
    response = client.get("/static/vendor/leaflet/leaflet.js", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data).startswith(b"/* @preserve")
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')

    again = client.get("/static/vendor/leaflet/leaflet.js", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304


def test_public_page_is_gzipped(client):
    response = client.get("/guide", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"red flags" in gzip.decompress(response.data).lower()


def test_no_gzip_unless_asked(client):
    response = client.get("/guide")
    assert "Content-Encoding" not in response.headers
    assert b"red flags" in response.data.lower()


def test_account_pages_are_not_compressed(client):
    """BREACH: a token guarding an account, next to text an attacker chooses, stays plain."""
    response = client.get("/account/login?next=/dashboard", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert b'name="csrf_token"' in response.data


def test_pages_for_a_signed_in_user_are_not_compressed(staff):
    staff.login()
    response = staff.get("/guide", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert b'name="csrf_token"' in response.data


def test_api_answers_are_not_compressed(client, sample_clinics):
    response = client.get("/api/v1/clinics?location=92101", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["results"]
