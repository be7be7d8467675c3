"""The search answer cache: reused only while nothing shown can have changed, never per-visitor."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.models import Clinic
from portal.search import cache
from tests.conftest import csrf_token_from
from tests.factories import clean_profile, make_clinic

SEARCH = "/search?location=92101&radius=25"
API = "/api/v1/clinics?location=92101&radius=25"


def result_names(html: str) -> list[str]:
    return re.findall(
        r'class="result-name">(?:<span class="result-number"[^>]*>\d+</span>)?<a [^>]*>([^<]+)</a>',
        html,
    )


def stored_answers(app) -> int:
    return len(app.extensions.get("portal.search_cache") or ())


def test_a_repeated_search_is_answered_from_the_cache_with_each_visitor_token(app, client):
    make_clinic(clean_profile(name="Harbor Test Clinic"))
    first = client.get(SEARCH).get_data(as_text=True)
    assert stored_answers(app) == 1
    stranger = app.test_client()
    second = stranger.get(SEARCH).get_data(as_text=True)
    assert stored_answers(app) == 1
    assert result_names(second) == result_names(first) == ["Harbor Test Clinic"]
    mine, theirs = csrf_token_from(first), csrf_token_from(second)
    assert mine and theirs and mine != theirs
    assert cache.TOKEN_PLACEHOLDER not in second
    # The token a cached page carries works for its own visitor.
    clinic_id = db.session.scalar(db.select(Clinic.id))
    added = stranger.post(
        "/compare/tray/add", data={"csrf_token": theirs, "clinic_id": clinic_id, "next": SEARCH}
    )
    assert added.status_code in (302, 303)


def test_any_change_to_a_listing_shows_at_once(app, client, moderator):
    clinic = make_clinic(clean_profile(name="Soon Suspended"))
    make_clinic(clean_profile(name="Still Here"))
    assert sorted(result_names(client.get(SEARCH).get_data(as_text=True))) == [
        "Soon Suspended",
        "Still Here",
    ]
    assert client.get(API).json["total"] == 2
    moderator.login()
    suspended = moderator.submit(
        f"/moderation/clinics/{clinic.id}",
        {"reason": "Phone disconnected"},
        action=f"/moderation/clinics/{clinic.id}/suspend",
    )
    assert suspended.status_code == 302
    assert result_names(client.get(SEARCH).get_data(as_text=True)) == ["Still Here"]
    assert client.get(API).json["total"] == 1


def test_pages_with_something_of_the_visitor_are_never_shared(app, client, staff):
    clinic = make_clinic(clean_profile(name="Tray Clinic"))
    page = client.get(SEARCH).get_data(as_text=True)
    assert "Add to comparison" in page
    token = csrf_token_from(page)
    data = {"csrf_token": token, "clinic_id": clinic.id, "next": "/"}
    client.post("/compare/tray/add", data=data)
    with_tray = client.get(SEARCH).get_data(as_text=True)
    assert "<span data-label>Remove from comparison</span>" in with_tray
    staff.login()
    signed_in = staff.client.get(SEARCH).get_data(as_text=True)
    assert "Sign out" in signed_in
    fresh_visitor = app.test_client().get(SEARCH).get_data(as_text=True)
    assert "Sign out" not in fresh_visitor
    assert "<span data-label>Remove from comparison</span>" not in fresh_visitor


def test_errors_are_not_stored_and_the_cache_can_be_switched_off(app, client):
    assert client.get("/search?location=Atlantis%2C+ZZ").status_code == 400
    assert client.get("/api/v1/clinics?location=92101&radius=999").status_code == 400
    assert stored_answers(app) == 0
    app.config["SEARCH_CACHE_SECONDS"] = 0
    make_clinic()
    client.get(SEARCH)
    client.get(API)
    assert stored_answers(app) == 0


def test_entries_expire_and_the_oldest_go_first():
    answers = cache.AnswerCache(max_entries=2)
    answers.put(("a",), "A")
    answers.put(("b",), "B")
    assert answers.get(("a",), max_age=60) == "A"  # now the most recent
    answers.put(("c",), "C")
    assert answers.get(("b",), max_age=60) is None
    assert answers.get(("a",), max_age=60) == "A"
    assert answers.get(("a",), max_age=-1) is None
    assert len(answers) == 1


def test_a_change_by_another_worker_arrives_within_the_recheck_time(app, app_config, client):
    """Two apps on one database stand for two gunicorn workers."""
    import time

    from portal import create_app

    clinic = make_clinic(clean_profile(name="Closing Down"))
    db.session.commit()
    other_worker = create_app({**app_config, "SEARCH_VERSION_RECHECK_SECONDS": 0.2})
    visitor = other_worker.test_client()
    assert visitor.get(API).json["total"] == 1
    clinic.status = "suspended"
    db.session.commit()  # written by "this" worker
    assert client.get(API).json["total"] == 0  # this worker forgot its version at once
    time.sleep(0.3)
    assert visitor.get(API).json["total"] == 0
