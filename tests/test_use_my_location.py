"""'Use my location': a position becomes the nearest ZIP code's search, on this server only."""

from __future__ import annotations

import logging

from portal.geo import nearest_zip


def test_nearest_zip_from_the_offline_table(geodata_path):
    assert nearest_zip(geodata_path, 32.72, -117.16).zip == "92101"  # downtown San Diego
    assert nearest_zip(geodata_path, 45.51, -109.45).state == "MT"  # near Absarokee
    assert nearest_zip(geodata_path, 0.0, 0.0) is None  # the Gulf of Guinea
    assert nearest_zip(geodata_path, float("nan"), 10.0) is None


def test_a_position_lands_on_the_nearest_zip_search(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/search/locate",
        data={"lat": "32.7201", "lng": "-117.1601", "radius": "50"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "location": "92101",
        "label": "San Diego, CA 92101",
        "url": "/search?location=92101&radius=50",
    }
    assert "32.72" not in caplog.text and "117.16" not in caplog.text


def test_without_script_the_answer_is_a_redirect(client):
    response = client.post("/search/locate", data={"lat": "32.72", "lng": "-117.16"})
    assert (response.status_code, response.headers["Location"]) == (
        303,
        "/search?location=92101",
    )


def test_an_odd_radius_is_left_out(client):
    answer = client.post(
        "/search/locate",
        data={"lat": "32.72", "lng": "-117.16", "radius": "7; drop"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert answer["url"] == "/search?location=92101"


def test_unreadable_or_foreign_positions_are_explained(client):
    for data, status, words in (
        ({"lat": "north", "lng": "-117"}, 400, "could not read"),
        ({}, 400, "could not read"),
        ({"lat": "inf", "lng": "-117"}, 400, "could not read"),
        ({"lat": "95", "lng": "-117"}, 400, "could not read"),
        ({"lat": "48.85", "lng": "2.35"}, 422, "not close to any US ZIP code"),
    ):
        response = client.post("/search/locate", data=data, headers={"Accept": "application/json"})
        assert response.status_code == status, data
        assert words in response.get_json()["message"]
        page = client.post("/search/locate", data=data)
        assert page.status_code == status and words in page.get_data(as_text=True)


def test_the_page_may_ask_for_the_position_but_nothing_else(client):
    response = client.get("/")
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    html = response.get_data(as_text=True)
    assert "data-locate hidden" in html  # shown only by the script, where a browser can
    assert 'data-locate-url="/search/locate"' in html
