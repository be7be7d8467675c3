"""Whole journeys through the site in Chromium, each person in a browser of their own."""

from __future__ import annotations

import re

from tests import factories
from tests.e2e.conftest import expect, sign_in


def fill_profile(page, answers: dict) -> None:
    """Answer every question of the profile form that `answers` has a value for."""
    form = page.locator("form.profile-form")
    for name, value in answers.items():
        controls = form.locator(f'[name="{name}"]')
        if controls.count() == 0 or value is None:
            continue
        kind = controls.first.get_attribute("type")
        tag = controls.first.evaluate("element => element.tagName.toLowerCase()")
        if isinstance(value, bool):
            controls.first.set_checked(value)
        elif isinstance(value, list | tuple):
            for code in value:
                form.locator(f'[name="{name}"][value="{code}"]').check()
        elif kind == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif tag == "select":
            controls.first.select_option(str(value))
        else:
            controls.first.fill(str(value))


def compare_button(page, action: str, clinic_name: str):
    """The add/remove button of one clinic (its name is in a visually hidden suffix)."""
    label = "Add to comparison" if action == "Add" else "Remove from comparison"
    name = re.compile(rf"{label}\s*: {re.escape(clinic_name)}$")
    return page.get_by_role("button", name=name)


def scripts_loaded(page) -> set[str]:
    return set(
        page.evaluate(
            """() => performance.getEntriesByType('resource')
                .filter(entry => entry.initiatorType === 'script')
                .map(entry => new URL(entry.name).pathname)"""
        )
    )


def test_patient_searches_filters_opens_a_listing_and_compares_three(page, live_site):
    page.goto(live_site("/"))
    page.get_by_label("ZIP code, city or address").fill("92101")
    page.get_by_role("button", name="Find clinics").click()
    expect(page.locator("#results-heading")).to_contain_text("clinics within 25 miles")

    page.get_by_text("Narrow the list").click()
    page.get_by_role("checkbox", name="IV infusion").check()
    page.locator(".filters-submit").click()
    page.wait_for_url("**route=iv*")
    results = page.locator("ol.results > li")
    expect(results).to_have_count(3)
    for index in range(3):
        expect(results.nth(index)).to_contain_text("IV infusion")
    names = [results.nth(index).locator(".result-name a").inner_text() for index in range(3)]
    search_url = page.url

    # The first clinic's listing, added to the comparison from there.
    results.first.get_by_role("link", name=names[0], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(names[0])
    compare_button(page, "Add", names[0]).click()
    expect(compare_button(page, "Remove", names[0])).to_be_visible()

    # Back to the results for two more.
    page.goto(search_url)
    for name in names[1:]:
        compare_button(page, "Add", name).click()
        expect(compare_button(page, "Remove", name)).to_be_visible()
    tray = page.get_by_role("complementary", name="Your comparison")
    expect(tray).to_contain_text("3 of 4")

    tray.get_by_role("link", name=re.compile("^Compare now.*3 clinics")).click()
    page.wait_for_url("**/compare?ids=*")
    columns = page.locator("th.clinic-head")
    expect(columns).to_have_count(3)
    expect(columns).to_contain_text(names)

    page.get_by_role("button", name=re.compile(f"Take out of this comparison.*{names[1]}")).click()
    expect(columns).to_have_count(2)
    expect(columns).to_contain_text([names[0], names[2]])

    # With clinics in the tray even the guide loads the comparison script; never the map's.
    page.goto(live_site("/guide"))
    assert scripts_loaded(page) == {"/static/js/compare.js"}
    assert live_site.outside_requests == []


def test_clinic_registers_submits_moderator_approves_patient_finds_it(
    context, another_person, live_site
):
    # A clinic manager creates an account and signs in.
    staff = context.new_page()
    staff.goto(live_site("/"))
    staff.get_by_role("link", name="For clinics").click()
    staff.get_by_role("link", name="Create a clinic account").click()
    staff.get_by_label("Work email address").fill("manager@lighthouse-clinic.example")
    staff.get_by_label("Choose a password").fill(factories.TEST_PASSWORD)
    staff.get_by_label("Type the password again").fill(factories.TEST_PASSWORD)
    staff.get_by_role("button", name="Create account").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Sign in for clinics")
    sign_in(staff, live_site, "manager@lighthouse-clinic.example")

    # They fill in the whole profile, mistyping the ZIP code.
    staff.get_by_role("link", name="Add a clinic").click()
    answers = factories.clean_profile(
        name="Lighthouse Ketamine Clinic", website="https://lighthouse-clinic.example"
    ).to_dict()
    fill_profile(staff, {**answers, "zip": "921O1"})
    staff.get_by_role("button", name="Save and submit for review").click()

    summary = staff.locator(".error-summary")
    expect(summary).to_contain_text("ZIP code")
    zip_field = staff.get_by_label("ZIP code")
    expect(zip_field).to_have_attribute("aria-invalid", "true")
    error_id = zip_field.get_attribute("aria-describedby").split()[-1]
    expect(staff.locator(f"#{error_id}")).to_contain_text("5-digit ZIP code")
    expect(staff.get_by_label("Clinic name")).to_have_value("Lighthouse Ketamine Clinic")

    summary.get_by_role("link", name="ZIP code").click()
    expect(zip_field).to_be_focused()
    zip_field.fill("92101")
    staff.get_by_role("button", name="Save and submit for review").click()
    expect(staff.locator(".flash-success")).to_contain_text("waiting for review")
    staff.goto(live_site("/dashboard"))
    expect(staff.locator("main")).to_contain_text("Lighthouse Ketamine Clinic")
    expect(staff.locator("main")).to_contain_text("Status: Pending review")

    # A moderator, in another browser, approves it.
    moderator_email = live_site.make_user(role="moderator")
    moderator = another_person().new_page()
    sign_in(moderator, live_site, moderator_email)
    moderator.goto(live_site("/moderation"))
    moderator.get_by_role("link", name="Lighthouse Ketamine Clinic").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Lighthouse Ketamine Clinic")
    moderator.get_by_label("How you checked the licence").fill(
        "State board look-up: licence active, name matches, no discipline."
    )
    moderator.get_by_label("The address and map position are plausible").check()
    moderator.get_by_label("The answers are plausible and consistent").check()
    moderator.get_by_label("I reviewed the red flags listed above").check()
    moderator.get_by_label("Approve", exact=False).first.check()
    moderator.get_by_role("button", name="Record decision").click()
    expect(moderator.locator(".flash-success")).to_contain_text("Lighthouse Ketamine Clinic")

    # A patient, signed out, finds it by searching its ZIP code.
    patient = another_person().new_page()
    patient.goto(live_site("/"))
    patient.get_by_label("ZIP code, city or address").fill("92101")
    patient.get_by_role("button", name="Find clinics").click()
    result = patient.locator("ol.results").get_by_role(
        "link", name="Lighthouse Ketamine Clinic", exact=True
    )
    result.click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Lighthouse Ketamine Clinic")
    expect(patient.locator("main")).to_contain_text("Verified on")

    # The clinic's dashboard says it is published.
    staff.goto(live_site("/dashboard"))
    expect(staff.locator("main")).to_contain_text("Status: Published")


FOCUS_STATE_JS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== 'none';
  const name = (element.getAttribute('aria-label') || element.innerText || element.value || '')
    .trim().replace(/\\s+/g, ' ');
  return {
    tag: element.tagName.toLowerCase(), type: element.type || '', name: name.slice(0, 80),
    id: element.id, visible: element.matches(':focus-visible') && (outline || ring),
  };
}"""


class Keyboard:
    """A person using only the keyboard; every focus they land on must be visible."""

    def __init__(self, page):
        self.page = page
        self.visited: list[dict] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUS_STATE_JS)

    def tab_to(self, matches, *, backwards: bool = False, limit: int = 120) -> dict:
        """Press Tab until `matches(focused)`; each stop on the way must show its focus."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focus = self.focused()
            assert focus is not None, "focus left the page"
            assert focus["visible"], f"no visible focus on {focus}"
            self.visited.append(focus)
            if matches(focus):
                return focus
        raise AssertionError(f"never reached the element; visited {self.visited[-10:]}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def named(text: str):
    return lambda focus: focus["name"].startswith(text)


def test_keyboard_only_patient_journey(page, live_site):
    """Journey 1 without a mouse: search, filter, listing, three in the comparison, drop one."""
    keyboard = Keyboard(page)
    page.goto(live_site("/"))

    keyboard.tab_to(named("Skip to content"))
    keyboard.tab_to(lambda focus: focus["id"] == "location")
    page.keyboard.type("92101")
    keyboard.press("Enter")
    page.wait_for_url("**/search?*")
    expect(page.locator("#results-heading")).to_contain_text("clinics within")

    # Open the filters, tick IV infusion, search again.
    keyboard.tab_to(named("Narrow the list"))
    keyboard.press("Enter")
    keyboard.tab_to(lambda focus: focus["id"] == "route-0")
    keyboard.press("Space")
    keyboard.tab_to(lambda focus: focus["tag"] == "button" and focus["name"] == "Show clinics")
    keyboard.press("Enter")
    page.wait_for_url("**route=iv*")
    expect(page.locator("#route-0")).to_be_checked()
    search_url = page.url
    results = page.locator("ol.results .result-name a")
    names = [results.nth(index).inner_text() for index in range(3)]

    # Past the map to the first clinic in the list, into its listing, into the comparison.
    keyboard.tab_to(named(names[0]))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(names[0])
    expect(page.locator("main")).to_contain_text("IV infusion")
    keyboard.tab_to(named("Add to comparison"))
    keyboard.press("Enter")
    expect(compare_button(page, "Remove", names[0])).to_be_visible()

    # The browser's Back key, then the next two clinics' buttons.
    page.go_back()
    page.wait_for_url(search_url)
    expect(compare_button(page, "Remove", names[0])).to_be_visible()
    for name in names[1:]:
        keyboard.tab_to(lambda focus, name=name: focus["name"].endswith(f": {name}"))
        keyboard.press("Enter")
        expect(compare_button(page, "Remove", name)).to_be_visible()
    expect(page.get_by_role("complementary", name="Your comparison")).to_contain_text("3 of 4")

    # The tray sits above the content: back up to its link and open the comparison.
    keyboard.tab_to(named("Compare now"), backwards=True)
    keyboard.press("Enter")
    page.wait_for_url("**/compare?ids=*")
    expect(page.locator("th.clinic-head")).to_have_count(3)

    keyboard.tab_to(lambda focus: names[1] in focus["name"] and "Take out" in focus["name"])
    keyboard.press("Enter")
    expect(page.locator("th.clinic-head")).to_have_count(2)
    expect(page.locator("th.clinic-head")).to_contain_text([names[0], names[2]])
    assert len(keyboard.visited) > 20
