"""Every page type in Chromium: axe-core, phone layout, tap targets, scripts, screenshots.

Each page type is reached the way a person reaches it (signing in, submitting a
form with a mistake). The axe results of every page type are written to
test-artifacts/axe-summary.json and the screenshots to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from portal.extensions import db
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, run_axe, sign_in, write_artifact

# Every axe finding fails the test, whatever its impact (heading-order and the other
# "moderate" rules included), unless its rule is here with why it stays: {rule id: reason}.
AXE_ALLOWED: dict[str, str] = {}
COMPARE_SCRIPT = "/static/js/compare.js"
SEARCH_SCRIPT = "/static/js/search.js"
MAP_SCRIPTS = (
    "/static/vendor/leaflet/leaflet.js",
    "/static/vendor/topojson-client/topojson-client.min.js",
    "/static/js/map.js",
)
RESULTS_SCRIPTS = (*MAP_SCRIPTS, COMPARE_SCRIPT, SEARCH_SCRIPT)
SAN_DIEGO_SLUGS = (
    "harbor-ketamine-center",
    "mission-hills-mind-health",
    "torrey-bluff-infusion-partners",
)
MIN_TAP = 44
# Links and controls people tap: the main navigation, every form in the page's content,
# pagination, buttons, the comparison tray, the result titles and the map's own controls
# (zoom, popup close). Links inside running text are exempt (WCAG 2.5.8's "inline"
# exception), and so are the map's markers (its "equivalent" exception: each one's result
# title in the list, checked here, leads to the same listing).
TAP_TARGETS_JS = """() => {
  const targets = [...document.querySelectorAll(
    'nav[aria-label="Main"] a, nav[aria-label="Main"] button, .brand, ' +
    'main form button, main form a, main form select, main form textarea, ' +
    'main form input:not([type=hidden]), .pagination a, .button, ' +
    '[data-compare-tray] button, [data-compare-tray] summary, [data-compare-tray] a, ' +
    '.results .result-name a, #results-map .leaflet-control-zoom a, ' +
    '#results-map .leaflet-popup-close-button'
  )];
  return targets.flatMap(element => {
    // A checkbox or radio is tapped through its label.
    const choice = ['checkbox', 'radio'].includes(element.type);
    const target = choice ? element.closest('label') : element;
    const box = target && target.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return [];  // hidden (closed <details>)
    if (box.height >= 44 && box.width >= 44) return [];
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    return [`${target.outerHTML.slice(0, 90)} is ${size}`];
  });
}"""


# Errors tied to their fields: an invalid field names its error text in aria-describedby,
# and every error shown in a field group is named by that group's field (or fieldset).
ERRORS_TIED_JS = r"""() => {
  const describedBy = element =>
    (element.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  const show = element => element.outerHTML.slice(0, 120);
  const problems = [];
  for (const field of document.querySelectorAll('[aria-invalid="true"]')) {
    const ids = describedBy(field);
    if (!ids.length) problems.push(`${show(field)} is invalid but has no aria-describedby`);
    for (const id of ids) {
      const description = document.getElementById(id);
      if (!description) {
        problems.push(`${show(field)} names a missing #${id}`);
      } else if (!description.textContent.trim()) {
        problems.push(`${show(field)} names an empty #${id}`);
      }
    }
  }
  const groups = '.field, fieldset, .filter-group';
  const controls = 'input, select, textarea, fieldset';
  for (const error of document.querySelectorAll(`:is(${groups}) .error`)) {
    if (error.getClientRects().length === 0) continue;  // not shown
    const group = error.closest(groups);
    const fields = [group, ...group.querySelectorAll(controls)].filter(f => f.matches(controls));
    if (!error.id || !fields.some(field => describedBy(field).includes(error.id))) {
      problems.push(`${show(error)} is not in its field's aria-describedby`);
    }
  }
  return problems;
}"""


@dataclass(frozen=True)
class PageType:
    name: str
    open: Callable  # (page, live_site) -> None: brings the browser to the page
    scripts: tuple[str, ...] = ()


def _visit(path: str) -> Callable:
    def open_page(page, live_site) -> None:
        page.goto(live_site(path))

    return open_page


def _results_with_a_popup(path: str) -> Callable:
    """The results page with the first result's map popup open (its close button is checked)."""

    def open_page(page, live_site) -> None:
        page.goto(live_site(path))
        first_name = page.locator("ol.results .result-name a").first.inner_text()
        page.locator(f'#results-map .leaflet-marker-icon[title="{first_name}"]').click()
        page.locator("#results-map .leaflet-popup-close-button").wait_for()
        # Leaflet fades the popup in; axe would measure the contrast of half-faded text.
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('#results-map .leaflet-popup'))"
            ".opacity === '1'"
        )

    return open_page


def _comparison(page, live_site) -> None:
    ids = ",".join(str(n) for n in live_site.clinic_ids(*SAN_DIEGO_SLUGS))
    page.goto(live_site(f"/compare?ids={ids}"))


def _guide_with_a_full_tray(page, live_site) -> None:
    for slug in SAN_DIEGO_SLUGS:
        page.goto(live_site(f"/clinics/{slug}"))
        page.locator("form.compare-toggle button").click()
        page.locator("form.compare-toggle button.is-chosen").wait_for()
    page.goto(live_site("/guide"))
    page.locator("[data-compare-tray] summary").click()


def _dashboard(page, live_site) -> None:
    sign_in(page, live_site, live_site.make_staff_with_clinic())
    page.goto(live_site("/dashboard"))


def _team(page, live_site) -> None:
    _dashboard(page, live_site)
    page.get_by_role("link", name="Team").first.click()
    page.wait_for_url("**/team")


def _claim(page, live_site) -> None:
    sign_in(page, live_site, live_site.make_user())
    page.goto(live_site("/clinics/harbor-ketamine-center/claim"))


def _profile_form_with_errors(page, live_site) -> None:
    sign_in(page, live_site, live_site.make_user())
    page.goto(live_site("/dashboard/clinics/new"))
    page.get_by_label("Clinic name").fill("Quiet Harbor Ketamine")
    page.get_by_label("ZIP code").fill("9210")
    page.get_by_label("Wednesday", exact=True).fill("17:00-09:00")
    page.get_by_role("button", name="Save draft").click()
    page.locator(".error-summary").wait_for()


def _moderation_queue(page, live_site) -> None:
    sign_in(page, live_site, live_site.make_user(role="moderator"))
    page.goto(live_site("/moderation"))


def _moderation_review(page, live_site) -> None:
    _moderation_queue(page, live_site)
    page.locator('main a[href^="/moderation/revisions/"]').first.click()
    page.wait_for_url("**/moderation/revisions/*")


def _register_with_errors(page, live_site) -> None:
    page.goto(live_site("/account/register"))
    page.get_by_label("Work email address").fill("not-an-email")
    page.get_by_role("button", name="Create account").click()
    page.locator(".error").first.wait_for()


PAGE_TYPES = [
    PageType("home", _visit("/"), (SEARCH_SCRIPT,)),
    PageType(
        "results", _results_with_a_popup("/search?location=92101&radius=250"), RESULTS_SCRIPTS
    ),
    PageType(
        "results-filtered",
        _results_with_a_popup("/search?location=10001&radius=50&route=iv"),
        RESULTS_SCRIPTS,
    ),
    PageType("empty-results", _visit("/search?location=99501&radius=10"), RESULTS_SCRIPTS),
    PageType("nothing-in-range", _visit("/search?location=59001&radius=250"), RESULTS_SCRIPTS),
    PageType("telehealth-results", _visit("/search?location=59001"), RESULTS_SCRIPTS),
    PageType(
        "listing-telehealth",
        _visit("/clinics/cascade-virtual-ketamine-care"),
        (*MAP_SCRIPTS, COMPARE_SCRIPT),
    ),
    PageType("search-errors", _visit("/search?location=Atlantis%2C+ZZ"), (SEARCH_SCRIPT,)),
    PageType("listing", _visit("/clinics/harbor-ketamine-center"), (*MAP_SCRIPTS, COMPARE_SCRIPT)),
    PageType("compare", _comparison),
    PageType("compare-empty", _visit("/compare")),
    PageType(
        "question-sheet", _visit("/clinics/harbor-ketamine-center/questions"), (COMPARE_SCRIPT,)
    ),
    PageType("guide", _visit("/guide")),
    PageType("guide-with-comparison-tray", _guide_with_a_full_tray, (COMPARE_SCRIPT,)),
    PageType("about-verification", _visit("/about/verification")),
    PageType("about", _visit("/about")),
    PageType("privacy", _visit("/privacy")),
    PageType("api-guide", _visit("/api")),
    PageType("login", _visit("/account/login")),
    PageType("register", _visit("/account/register")),
    PageType("register-errors", _register_with_errors),
    PageType("dashboard", _dashboard),
    PageType("team", _team),
    PageType("claim", _claim),
    PageType("forgot-password", _visit("/account/forgot")),
    PageType("bad-link", _visit("/account/reset/not-a-real-link")),
    PageType("profile-form-errors", _profile_form_with_errors),
    PageType("moderation-queue", _moderation_queue),
    PageType("moderation-review", _moderation_review),
    PageType("not-found", _visit("/clinics/no-such-clinic")),
]


@pytest.fixture(scope="module")
def axe_summary():
    summary: dict[str, dict] = {}
    yield summary
    write_artifact("axe-summary.json", summary)


def unexplained_axe_findings(violations) -> list[dict]:
    """The findings that fail a page: all of them, of any impact, but those in AXE_ALLOWED."""
    return [violation for violation in violations if violation["id"] not in AXE_ALLOWED]


def _screenshot(page, name: str, viewport: dict) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{viewport['width']}.png"), full_page=True)


def _loaded_scripts(page) -> set[str]:
    return set(
        page.evaluate(
            """() => performance.getEntriesByType('resource')
                .filter(entry => entry.initiatorType === 'script')
                .map(entry => new URL(entry.name).pathname)"""
        )
    )


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda page_type: page_type.name)
def test_page_type(page, live_site, page_type: PageType, axe_summary):
    page_type.open(page, live_site)
    page.wait_for_load_state("load")
    assert page.evaluate(ERRORS_TIED_JS) == []

    desktop = run_axe(page)
    _screenshot(page, page_type.name, DESKTOP)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    phone = run_axe(page)
    _screenshot(page, page_type.name, PHONE)

    found = {(v["id"], v["impact"]): v for v in desktop + phone}
    axe_summary[page_type.name] = {
        "url": page.url.removeprefix(live_site.url),
        "violations": [
            {"id": rule, "impact": impact, "help": v["help"], "nodes": v["nodes"]}
            | ({"allowed_because": AXE_ALLOWED[rule]} if rule in AXE_ALLOWED else {})
            for (rule, impact), v in sorted(found.items())
        ],
    }
    assert not unexplained_axe_findings(found.values()), list(found.values())

    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page scrolls sideways on a phone: {scroll_width}px"
    too_small = page.evaluate(TAP_TARGETS_JS)
    assert not too_small, "tap targets under 44x44 px:\n" + "\n".join(too_small)

    assert _loaded_scripts(page) == set(page_type.scripts)
    assert live_site.outside_requests == []


# A page breaking each rule the checks above enforce, to show that they can fail.
BROKEN_PAGE = """<main><h1>Create an account</h1><form>
  <div class="field"><label for="email">Email</label><input id="email" aria-invalid="true"></div>
  <div class="field"><label for="name">Name</label>
    <input id="name" aria-invalid="true" aria-describedby="name-error"></div>
  <div class="field"><label for="zip">ZIP</label>
    <input id="zip" aria-invalid="true" aria-describedby="zip-error"><p id="zip-error"> </p></div>
  <div class="field"><label for="city">City</label>
    <input id="city"><p id="city-error" class="error">Enter a city.</p></div>
  <a href="/help">Help</a>
</form><h3>Skipped a heading level</h3></main>"""


def test_the_page_checks_catch_what_they_look_for(page):
    page.set_content(BROKEN_PAGE)

    impacts = {v["id"]: v["impact"] for v in unexplained_axe_findings(run_axe(page))}
    assert impacts["heading-order"] == "moderate"

    assert page.evaluate(ERRORS_TIED_JS) == [
        '<input id="email" aria-invalid="true"> is invalid but has no aria-describedby',
        '<input id="name" aria-invalid="true" aria-describedby="name-error"> names a missing '
        "#name-error",
        '<input id="zip" aria-invalid="true" aria-describedby="zip-error"> names an empty '
        "#zip-error",
        '<p id="city-error" class="error">Enter a city.</p> is not in its field\'s '
        "aria-describedby",
    ]

    too_small = page.evaluate(TAP_TARGETS_JS)
    assert any(target.startswith('<a href="/help">') for target in too_small), too_small


# Print: the comparison and the question sheet as they come out on paper.
PRINT_WIDTH = 800  # about the printable width of A4 or Letter paper, in CSS pixels
PRINT_HEIGHT = 1100
# What a clean print leaves off: {what: selector}. Each must be on the page on screen (but
# the search form, which these pages do not have) and be left off in print.
LEFT_OFF_IN_PRINT = {
    "site navigation": 'nav[aria-label="Main"], .skip-link',
    "search form": 'form[role="search"], .search-form',
    "comparison tray": "[data-compare-tray] .tray-inner",
    "buttons": 'button, .button, [role="button"], input:not([type="hidden"]), select, textarea',
    "footer links": ".site-footer a",
}
NOT_ON_THESE_PAGES = {"search form"}
# Elements drawn on paper: those with a box, not made invisible, not a 1px screen-reader text.
SHOWN_JS = """(selector) => [...document.querySelectorAll(selector)].filter(element => {
  const box = element.getBoundingClientRect();
  return box.width > 1 && box.height > 1 && getComputedStyle(element).visibility !== 'hidden';
}).map(element => element.outerHTML.slice(0, 100))"""
# What makes a print unclean even when everything needed is there: sticky or fixed boxes
# (repeated or stuck over the text), dark background bands (ink, or white text on white
# paper when the browser leaves backgrounds off), and text cut off or spilling out of its box.
PRINT_PROBLEMS_JS = """() => {
  const problems = [];
  const show = element => element.outerHTML.slice(0, 90);
  const luminance = colour => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return a === 0 ? 1 : (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // not drawn, or screen-reader text
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden') continue;
    if (['sticky', 'fixed'].includes(style.position)) {
      problems.push(`${show(element)} is ${style.position}`);
    }
    if (box.width > 200 && luminance(style.backgroundColor) < 0.5) {
      problems.push(`${show(element)} has a dark background ${style.backgroundColor}`);
    }
    const clips = style.overflowX !== 'visible' || element.matches('th, td');
    if (clips && element.scrollWidth > element.clientWidth + 1) {
      const sizes = `${element.scrollWidth}px in ${element.clientWidth}px`;
      problems.push(`${show(element)} is cut off: ${sizes}`);
    }
    if (box.right > document.documentElement.clientWidth + 1) {
      problems.push(`${show(element)} runs off the paper at ${Math.round(box.right)}px`);
    }
  }
  return problems;
}"""


def _print_artifacts(page, name: str) -> bytes:
    """A full-page screenshot in print media and the page printed to PDF (Letter)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-print.png"), full_page=True)
    pdf = page.pdf(path=str(ARTIFACTS / f"{name}-print.pdf"), format="Letter")
    assert (ARTIFACTS / f"{name}-print.pdf").stat().st_size == len(pdf)
    return pdf


def _with_a_full_tray(page, live_site) -> None:
    """Choose the three San Diego clinics, so the tray is on every page."""
    for slug in SAN_DIEGO_SLUGS:
        page.goto(live_site(f"/clinics/{slug}"))
        page.locator("form.compare-toggle button").click()
        page.locator("form.compare-toggle button.is-chosen").wait_for()


def _clinic_names(live_site) -> list[str]:
    from sqlalchemy import select

    from portal.models import Clinic

    with live_site.app.app_context():
        names = dict(
            db.session.execute(
                select(Clinic.slug, Clinic.name).where(Clinic.slug.in_(SAN_DIEGO_SLUGS))
            ).all()
        )
    return [names[slug] for slug in SAN_DIEGO_SLUGS]


def _assert_printed_cleanly(page, name: str) -> bytes:
    page.set_viewport_size({"width": PRINT_WIDTH, "height": PRINT_HEIGHT})
    page.emulate_media(media="screen")
    for what, selector in LEFT_OFF_IN_PRINT.items():
        if what not in NOT_ON_THESE_PAGES:
            assert page.evaluate(SHOWN_JS, selector), f"no {what} on screen to leave off"

    page.emulate_media(media="print")
    for what, selector in LEFT_OFF_IN_PRINT.items():
        assert page.evaluate(SHOWN_JS, selector) == [], f"{what} printed"
    problems = page.evaluate(PRINT_PROBLEMS_JS)
    pdf = _print_artifacts(page, name)  # written before the checks below, to look at
    assert problems == [], "\n".join(problems)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= PRINT_WIDTH, f"the print is {scroll_width}px wide"
    assert page.locator(".print-only").is_visible()  # where the paper came from
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 1, "the PDF has no pages"
    return pdf


def test_comparison_prints_cleanly(page, live_site):
    _with_a_full_tray(page, live_site)
    _comparison(page, live_site)
    _assert_printed_cleanly(page, "compare")

    names = _clinic_names(live_site)
    heads = page.locator("th.clinic-head")
    assert heads.count() == len(names)
    for head, name in zip(heads.all(), names, strict=True):
        clinic_name = head.locator(".clinic-name")
        assert clinic_name.inner_text() == name
        assert clinic_name.is_visible()
        box = head.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PRINT_WIDTH, (name, box)
    # Every row prints with a cell per clinic, none of them blank.
    rows = page.locator("tr[data-row]")
    assert rows.count() > 30
    for row in rows.all():
        assert row.is_visible()
        assert [text.strip() != "" for text in row.locator("td").all_inner_texts()] == [True] * len(
            names
        ), row.inner_text()
    assert page.locator("tbody.compare-group").count() == 10


def test_question_sheet_prints_cleanly(page, live_site):
    _with_a_full_tray(page, live_site)
    page.goto(live_site("/clinics/harbor-ketamine-center/questions"))
    page.locator("[data-print-button]").wait_for()  # compare.js shows it on screen
    _assert_printed_cleanly(page, "question-sheet")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Questions to ask ")
    notes = page.locator(".note-space")
    assert notes.count() >= 10
    for space in notes.all():
        assert space.is_visible()
        lines = space.locator(".note-lines span")
        assert lines.count() >= 2
        for line in lines.all():
            box = line.bounding_box()
            assert box["height"] >= 25 and box["width"] > PRINT_WIDTH / 2, box
            assert line.evaluate("el => getComputedStyle(el).borderBottomStyle") == "solid"
    assert page.locator(".listed").first.is_visible()  # the clinic's answers, filled in
