"""The comparison tray: patients pick clinics on any page and the choice follows them."""

from __future__ import annotations

import re

import pytest

from portal.compare import service
from tests.factories import clean_profile, make_clinic


def tray_names(html: str) -> list[str]:
    tray = re.search(r'<div class="compare-tray" data-compare-tray>(.*?)</aside>', html, re.S)
    if not tray:
        return []
    return re.findall(r'<li class="tray-item">\s*<a href="[^"]+">([^<]+)</a>', tray.group(1))


def add(browser, clinic, next_url: str = "/"):
    """Press "Add to comparison" on the clinic's listing."""
    return browser.post(
        "/compare/tray/add",
        {"clinic_id": str(clinic.id), "next": next_url},
        token_from=f"/clinics/{clinic.slug}",
    )


def remove(browser, clinic, next_url: str = "/"):
    return browser.post(
        "/compare/tray/remove",
        {"clinic_id": str(clinic.id), "next": next_url},
        token_from=f"/clinics/{clinic.slug}",
    )


def post(browser, url: str, data: dict, **kwargs):
    """POST with a token from a listing page (any page with a compare button has one)."""
    clinic = make_clinic()
    return browser.post(url, data, token_from=f"/clinics/{clinic.slug}", **kwargs)


def test_a_listing_offers_to_add_the_clinic_and_then_to_remove_it(browser):
    clinic = make_clinic(clean_profile(name="Harbor Ketamine Center"))
    listing = f"/clinics/{clinic.slug}"
    html = browser.get(listing).get_data(as_text=True)
    assert 'action="/compare/tray/add"' in html
    assert "Add to comparison" in html

    response = add(browser, clinic, listing)
    assert response.status_code == 303
    assert response.headers["Location"] == listing

    html = browser.get(listing).get_data(as_text=True)
    assert 'action="/compare/tray/remove"' in html
    assert "Remove from comparison" in html
    assert tray_names(html) == ["Harbor Ketamine Center"]
    assert "Harbor Ketamine Center is in your comparison (1 of 4)" in html


def test_the_tray_follows_the_patient_and_links_to_the_comparison(browser):
    first = make_clinic(clean_profile(name="First Clinic"))
    second = make_clinic(clean_profile(name="Second Clinic"))
    add(browser, first)
    html = browser.get("/guide").get_data(as_text=True)
    assert tray_names(html) == ["First Clinic"]
    assert "Add one more clinic to compare" in html

    add(browser, second)
    html = browser.get("/guide").get_data(as_text=True)
    assert tray_names(html) == ["First Clinic", "Second Clinic"]
    link = f'href="/compare?ids={first.id},{second.id}"'
    assert link in html

    comparison = browser.get(f"/compare?ids={first.id},{second.id}").get_data(as_text=True)
    assert "First Clinic" in comparison and "Second Clinic" in comparison
    start = browser.get("/compare").get_data(as_text=True)
    assert "Compare your 2 clinics" in start
    assert link in start


def test_search_results_have_the_button(browser, sample_clinics):
    html = browser.get("/search?location=92101").get_data(as_text=True)
    assert html.count('action="/compare/tray/add"') >= 2
    # Without JavaScript the form comes back to the same result, by its anchor.
    assert 'name="next" value="/search?location=92101#clinic-' in html


def test_without_javascript_adding_returns_to_the_same_result(browser, sample_clinics):
    first_result = browser.get("/search?location=92101").get_data(as_text=True)
    clinic_id = int(re.search(r'<li class="result" id="clinic-(\d+)"', first_result).group(1))
    clinic = next(clinic for clinic in sample_clinics if clinic.id == clinic_id)
    back = f"/search?location=92101#clinic-{clinic.id}"
    response = add(browser, clinic, next_url=back)
    assert (response.status_code, response.headers["Location"]) == (303, back)
    html = browser.get("/search?location=92101").get_data(as_text=True)
    assert f'id="clinic-{clinic.id}"' in html
    assert 'Compare<span class="nav-count" data-compare-count> (1<' in html


def test_removing_and_clearing(browser):
    first = make_clinic(clean_profile(name="First Clinic"))
    second = make_clinic(clean_profile(name="Second Clinic"))
    add(browser, first)
    add(browser, second)
    remove(browser, first)
    assert tray_names(browser.get("/").get_data(as_text=True)) == ["Second Clinic"]
    response = post(browser, "/compare/tray/clear", {"next": "/guide"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/guide"
    assert tray_names(browser.get("/").get_data(as_text=True)) == []


def test_adding_twice_keeps_one(browser):
    clinic = make_clinic()
    add(browser, clinic)
    add(browser, clinic)
    assert len(tray_names(browser.get("/").get_data(as_text=True))) == 1


def test_a_fifth_clinic_is_refused_with_a_message(browser):
    made = [make_clinic(clean_profile(name=f"Clinic {n}")) for n in range(5)]
    for clinic in made[:4]:
        add(browser, clinic)
    response = add(browser, made[4], "/guide")
    assert response.status_code == 303
    html = browser.get("/guide").get_data(as_text=True)
    assert "You can compare up to 4 clinics at once" in html
    assert tray_names(html) == [f"Clinic {n}" for n in range(4)]


def test_a_clinic_that_is_not_public_cannot_be_added(browser):
    waiting = make_clinic(status="pending")
    response = post(browser, "/compare/tray/add", {"clinic_id": str(waiting.id)})
    assert response.status_code == 404
    assert "not listed" in response.get_data(as_text=True)
    response = post(browser, "/compare/tray/add", {"clinic_id": "99999"})
    assert response.status_code == 404


@pytest.mark.parametrize("clinic_id", ["", "abc", "-1", "0", "1.5", "99999999999"])
def test_a_malformed_clinic_number_is_refused(browser, clinic_id):
    response = post(browser, "/compare/tray/add", {"clinic_id": clinic_id})
    assert response.status_code == 400
    assert "clinic" in response.get_data(as_text=True).lower()


def test_a_post_without_the_csrf_token_is_refused(client):
    clinic = make_clinic()
    response = client.post("/compare/tray/add", data={"clinic_id": str(clinic.id)})
    assert response.status_code == 400
    assert "in your comparison" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_only_same_site_addresses_are_followed_back(browser, next_url):
    clinic = make_clinic()
    response = post(browser, "/compare/tray/add", {"clinic_id": str(clinic.id), "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == "/compare"


def test_a_clinic_that_stops_being_public_leaves_the_tray(browser, app):
    from portal.extensions import db

    first = make_clinic(clean_profile(name="Stays Listed"))
    second = make_clinic(clean_profile(name="Gets Suspended"))
    add(browser, first)
    add(browser, second)
    second.status = "suspended"
    db.session.commit()
    assert tray_names(browser.get("/").get_data(as_text=True)) == ["Stays Listed"]


def test_javascript_gets_the_new_tray_as_json(browser):
    clinic = make_clinic(clean_profile(name="Harbor Ketamine Center"))
    response = post(
        browser,
        "/compare/tray/add",
        {"clinic_id": str(clinic.id), "next": "/guide"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["tray_ids"] == [clinic.id]
    assert "Harbor Ketamine Center" in answer["tray"]
    assert 'name="next" value="/guide"' in answer["tray"]
    assert "in your comparison" in answer["message"]

    response = post(
        browser, "/compare/tray/add", {"clinic_id": "abc"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert response.get_json()["message"]


def add_by_fetch(browser, clinic):
    return browser.post(
        "/compare/tray/add",
        {"clinic_id": str(clinic.id)},
        token_from=f"/clinics/{clinic.slug}",
        headers={"X-Requested-With": "fetch"},
    )


def test_javascript_hears_when_the_tray_is_full(browser):
    made = [make_clinic() for _ in range(service.MAX_CLINICS + 1)]
    for clinic in made[:-1]:
        add(browser, clinic)
    response = add_by_fetch(browser, made[-1])
    assert response.status_code == 409
    assert len(response.get_json()["tray_ids"]) == service.MAX_CLINICS


def test_tray_forms_are_real_forms_with_tokens(browser):
    clinic = make_clinic()
    add(browser, clinic)
    html = browser.get("/").get_data(as_text=True)
    tray = html[html.index("data-compare-tray") :]
    tray = tray[: tray.index("</aside>")]
    assert tray.count('name="csrf_token"') == 2  # remove, clear
    assert tray.count('<button type="submit"') == 2
    assert "style=" not in tray


def test_compare_js_loads_once_and_only_where_there_is_something_to_do(browser):
    first = make_clinic(clean_profile(name="First Clinic"))
    assert "compare.js" not in browser.get("/guide").get_data(as_text=True)
    listing = browser.get(f"/clinics/{first.slug}").get_data(as_text=True)
    assert listing.count('<script src="/static/js/compare.js" defer></script>') == 1
    add(browser, first)
    guide = browser.get("/guide").get_data(as_text=True)
    assert guide.count("compare.js") == 1


def test_the_url_alone_reproduces_the_comparison(app, browser):
    first = make_clinic(clean_profile(name="First Clinic"))
    second = make_clinic(clean_profile(name="Second Clinic", therapy="none"))
    add(browser, first)
    add(browser, second)
    url = re.search(r'href="(/compare\?ids=[0-9,]+)"', browser.get("/").get_data(as_text=True))[1]
    mine = browser.get(url).get_data(as_text=True)
    someone_else = app.test_client().get(url).get_data(as_text=True)

    def table(html: str) -> str:
        """The table, each visitor's own CSRF token (in its "take out" buttons) left out."""
        shown = html[html.index("<table") : html.index("</table>")]
        return re.sub(r'name="csrf_token" value="[^"]*"', "", shown)

    assert table(mine) == table(someone_else)
    assert "Second Clinic" in table(someone_else)
