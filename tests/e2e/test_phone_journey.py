"""The patient's journey on a 375 px phone: results first, a readable map, a comparison that
keeps its names, "use my location", and no dead ends."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, expect

SAN_DIEGO = "/search?location=92101&radius=250"


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def shot(page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(folder / f"phone-journey-{name}-{width}.png"))


def in_first_screen(page, locator) -> bool:
    """Whether the element lies wholly inside the screen as the page first shows it."""
    assert page.evaluate("() => window.scrollY") == 0
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_first_result_in_the_first_screen_after_a_search_and_after_a_filter(phone, live_site):
    phone.goto(live_site("/"))
    phone.get_by_label("ZIP code, city or address").fill("92101")
    phone.get_by_role("button", name="Find clinics").click()
    phone.wait_for_url("**/search?*")
    first = phone.locator("ol.results > li").first.locator(".result-name")
    shot(phone, "after-search")
    assert in_first_screen(phone, first)

    # Filters open from one control; after filtering, the results come first again.
    phone.get_by_text("Filters (0)").click()
    phone.get_by_role("checkbox", name="IV infusion").check()
    phone.locator(".filters-submit").click()
    phone.wait_for_url("**route=iv*")
    first = phone.locator("ol.results > li").first.locator(".result-name")
    assert in_first_screen(phone, first)
    expect(phone.locator("summary.search-panel-toggle")).to_contain_text("Filters (1)")
    chip = phone.get_by_role("link", name="Remove filter: IV infusion")
    assert in_first_screen(phone, chip)
    expect(phone.locator("ol.results > li").first).to_contain_text("IV infusion")
    shot(phone, "after-filter")

    chip.click()
    phone.wait_for_url(lambda url: "route=" not in url)
    expect(phone.locator("summary.search-panel-toggle")).to_contain_text("Filters (0)")


def test_desktop_keeps_the_filters_as_a_side_panel(page, live_site):
    page.goto(live_site("/search?location=92101"))
    expect(page.get_by_label("ZIP code, city or address")).to_be_visible()
    expect(page.locator("summary.search-panel-toggle")).to_be_hidden()
    panel, results = (
        page.locator(".search-panel").bounding_box(),
        page.locator("ol.results").bounding_box(),
    )
    assert panel["x"] + panel["width"] <= results["x"]  # beside the list, not above it
    shot(page, "desktop-results")


def test_the_panel_works_without_javascript(chromium, live_site):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_site("/search?location=92101"))
        location = page.get_by_label("ZIP code, city or address")
        expect(location).to_be_hidden()
        page.get_by_text("Filters (0)").click()
        expect(location).to_be_visible()
        location.fill("10001")
        page.locator(".search-panel button[type=submit]").first.click()
        page.wait_for_url("**location=10001*")
        expect(page.locator("h1")).to_contain_text("New York")
    finally:
        context.close()


def test_basemap_numbered_pins_and_the_searched_place_with_no_outside_request(phone, live_site):
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto(live_site("/search?location=92101"))
    expect(phone.locator("#results-map")).to_have_attribute("data-basemap", "drawn")
    assert phone.locator("#results-map path.basemap-state").count() > 0
    phone.locator("#results-map path.basemap-county").first.wait_for(state="attached")
    expect(phone.locator("#results-map .searched-place")).to_have_count(1)

    pins = phone.locator("#results-map .leaflet-marker-icon.map-pin")
    listed = phone.locator("ol.results > li")
    assert pins.count() == listed.count() > 1
    for index in range(listed.count()):
        name = listed.nth(index).locator(".result-name a").inner_text()
        number = listed.nth(index).locator(".result-number").inner_text()
        assert phone.locator(f'#results-map .map-pin[title="{name}"]').inner_text() == number

    # Every pin is whole inside the map box (bounds fit them all).
    frame = phone.locator("#results-map").bounding_box()
    for box in (pins.nth(i).bounding_box() for i in range(pins.count())):
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
        assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    phone.locator("#results-map").scroll_into_view_if_needed()
    shot(phone, "map")

    phone.wait_for_load_state("networkidle")
    atlas = [url.split("/us-atlas/")[1] for url in requested if "/us-atlas/" in url]
    assert sorted(atlas) == ["counties/06.json", "states-index.json", "states/06.json"]
    assert requested and all(url.startswith(live_site.url) for url in requested), requested
    assert live_site.outside_requests == []


def test_listing_has_a_small_map_and_says_where_directions_go(phone, live_site):
    phone.goto(live_site("/clinics/harbor-ketamine-center"))
    expect(phone.locator("#results-map")).to_have_attribute("data-basemap", "drawn")
    expect(phone.locator('#results-map .map-pin[title="Harbor Ketamine Center"]')).to_have_count(1)
    directions = phone.get_by_role("link", name=re.compile("^Directions to Harbor Ketamine Center"))
    expect(directions).to_contain_text("opens OpenStreetMap, another site")
    assert directions.get_attribute("href").startswith("https://www.openstreetmap.org/directions?")
    for call in phone.get_by_role("link", name=re.compile(r"^Call ")).all():
        expect(call).to_have_attribute("href", re.compile(r"^tel:\+1\d{10}$"))
    phone.locator("#contact").screenshot(
        path=str(ARTIFACTS / "screenshots" / "listing-contact-375.png")
    )
    assert live_site.outside_requests == []


def test_three_clinics_added_show_3_and_the_comparison_keeps_names_in_view(phone, live_site):
    phone.goto(live_site(SAN_DIEGO))
    buttons = phone.locator("form.compare-toggle button")
    for index in range(3):
        buttons.nth(index).scroll_into_view_if_needed()
        before = phone.evaluate("() => window.scrollY")
        buttons.nth(index).click()
        expect(buttons.nth(index)).to_have_class(re.compile("is-chosen"))
        assert phone.evaluate("() => window.scrollY") == before  # the patient keeps their place
    header_link = phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Compare")
    )
    expect(header_link).to_have_text(re.compile(r"Compare \(3"))
    expect(header_link).to_be_visible()
    compare_now = phone.get_by_role("link", name=re.compile("^Compare now"))
    expect(compare_now).to_be_in_viewport()  # the bar stays on screen
    expect(phone.locator(".tray-count")).to_have_text("3 of 4 chosen")
    shot(phone, "compare-bar")

    compare_now.click()
    phone.wait_for_url("**/compare?ids=*")
    names = [phone.locator("th.clinic-head .clinic-name").nth(i).inner_text() for i in range(3)]
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator('tr[data-row="therapy"]').scroll_into_view_if_needed()
    assert phone.evaluate("() => window.scrollY") > PHONE["height"]
    row = phone.locator('tr[data-row="therapy"]')
    for name in names:
        expect(row.locator(".cell-clinic", has_text=name)).to_be_in_viewport()
    shot(phone, "comparison-scrolled")

    # No word broken mid-word: labels wrap between words only.
    styles = phone.evaluate(
        """() => [...document.querySelectorAll('.compare-table :is(th, td, .cell-clinic)')]
            .map(e => getComputedStyle(e)).map(s => [s.hyphens, s.wordBreak, s.overflowWrap])"""
    )
    assert all(
        h != "auto" and w not in ("break-all", "break-word") and o != "anywhere"
        for h, w, o in styles
    )

    # Taking one out updates the table and the tray alike.
    phone.get_by_role(
        "button", name=re.compile(f"Take out of this comparison.*{re.escape(names[1])}")
    ).click()
    expect(phone.locator("th.clinic-head")).to_have_count(2)
    expect(phone.locator(".tray-count")).to_have_text("2 of 4 chosen")
    expect(header_link).to_have_text(re.compile(r"Compare \(2"))


@pytest.fixture
def located(another_person):
    """A browser that shares a position in downtown San Diego when asked."""
    context = another_person(
        geolocation={"latitude": 32.7157, "longitude": -117.1611}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.set_viewport_size(PHONE)
    return page


def test_use_my_location_lands_on_the_nearest_zip(located, live_site):
    located.goto(live_site("/"))
    located.get_by_role("button", name="Use my location").click()
    located.wait_for_url("**/search?location=92101*")
    expect(located.locator("h1")).to_have_text("Ketamine clinics near San Diego, CA 92101")
    assert in_first_screen(
        located, located.locator("ol.results > li").first.locator(".result-name")
    )
    assert live_site.outside_requests == []


def test_a_refused_position_is_explained(another_person, live_site):
    page = another_person().new_page()  # no permission granted: the browser refuses
    page.goto(live_site("/"))
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("[data-locate-status]")).to_contain_text("You did not allow this site")
    assert page.url == live_site("/")


def test_nothing_in_range_shows_the_nearest_clinics_and_help_lines(phone, live_site):
    phone.goto(live_site("/search?location=59001&radius=250"))
    expect(phone.locator("#results-heading")).to_have_text("No clinics found within 250 miles")
    nearest = phone.locator("ol.results.nearest > li")
    expect(nearest).to_have_count(3)
    miles = [
        float(re.match(r"[\d.]+", nearest.nth(i).locator(".distance").inner_text())[0])
        for i in range(3)
    ]
    assert miles == sorted(miles) and miles[0] > 250
    expect(phone.locator("#results-map")).to_have_attribute("data-basemap", "drawn")
    expect(phone.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    expect(phone.get_by_role("link", name="Call 1-800-662-4357")).to_have_attribute(
        "href", "tel:+18006624357"
    )
    phone.locator(".help-lines").scroll_into_view_if_needed()
    shot(phone, "nothing-in-range")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_screenshots_of_the_journey(page, live_site, viewport):
    page.set_viewport_size(viewport)
    for name, path in (("home", "/"), ("results", "/search?location=92101&route=iv"),
                       ("listing", "/clinics/harbor-ketamine-center")):  # fmt: skip
        page.goto(live_site(path))
        page.wait_for_load_state("networkidle")
        shot(page, name)
