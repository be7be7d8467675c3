"""Script and markup typed into any free-text answer comes back escaped on every page showing it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import Clinic, ClinicManager, ClinicRevision
from tests.factories import clean_profile
from tests.helpers import APPROVE, form_data
from tests.helpers import decide as moderator_decides

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">click</a>',
    "<style>body{display:none}</style>",
    "{{ 7*7 }}{% if 1 %}jinja{% endif %}",
    "<!-- hidden --><b onmouseover=alert(4)>bold</b>",
]

# Answers anyone may type; each must come back as text wherever it is shown.
FREE_TEXT = [
    "name",
    "description",
    "address",
    "city",
    "licence_number",
    "experience_notes",
    "safety_notes",
    "therapy_notes",
    "plan_notes",
    "cost_notes",
]
# Answers with a format of their own: a payload there is refused, and the form shows it escaped.
FORMATTED = ["phone", "website", "email", "zip", "npi"]


class _ActiveMarkup(HTMLParser):
    """Every element or attribute in a page that could run code or restyle it."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (
            attributes.get("src") or "json" in (attributes.get("type") or "")
        ):
            self.found.append("inline script")
        if tag in ("iframe", "svg", "style", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}=javascript:")


def active_markup(html: str) -> list[str]:
    parser = _ActiveMarkup()
    parser.feed(html)
    return parser.found


def _profile_with(payload_for) -> dict:
    values = clean_profile().to_dict()
    for index, name in enumerate(FREE_TEXT):
        values[name] = payload_for(index)
    # length limits: keep every field within its maximum
    values["licence_number"] = values["licence_number"][:40]
    return values


def _assert_escaped(html: str, payloads: list[str], where: str) -> int:
    """No payload appears raw; returns how many appear escaped (as text)."""
    shown = 0
    for payload in payloads:
        assert payload not in html or escape(payload) == payload, (where, payload)
        if str(escape(payload)) in html:
            shown += 1
    assert active_markup(html) == [], where
    return shown


@pytest.fixture
def published_payload_clinics(app, staff, moderator):
    """One clinic per payload rotation, written through the form and approved by a moderator."""
    staff.login()
    moderator.login()
    clinics = []
    for shift in range(len(PAYLOADS)):
        values = _profile_with(lambda index, shift=shift: PAYLOADS[(index + shift) % len(PAYLOADS)])
        values["name"] = f"Clinic {shift} {values['name']}"
        data = form_data(clean_profile(**values), action="submit")
        response = staff.submit("/dashboard/clinics/new", data)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        clinic = db.session.scalar(
            select(Clinic)
            .join(ClinicManager, ClinicManager.clinic_id == Clinic.id)
            .where(ClinicManager.user_id == staff.user.id)
            .order_by(Clinic.id.desc())
        )
        clinics.append(clinic)
    return clinics


def test_payloads_come_back_escaped_on_every_page(app, staff, moderator, published_payload_clinics):
    pages_checked = 0
    for clinic in published_payload_clinics:
        revision_id = db.session.scalar(
            select(ClinicRevision.id).where(ClinicRevision.clinic_id == clinic.id)
        )
        before_approval = {
            "dashboard": staff.get("/dashboard"),
            "edit form": staff.get(f"/dashboard/clinics/{clinic.id}/edit"),
            "submitted version": staff.get(f"/dashboard/clinics/{clinic.id}/revisions/1"),
            "moderation queue": moderator.get("/moderation"),
            "moderation review": moderator.get(f"/moderation/revisions/{revision_id}"),
        }
        response = moderator_decides(moderator, revision_id, APPROVE)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        db.session.expire_all()
        slug = db.session.get(Clinic, clinic.id).slug
        after_approval = {
            "listing": staff.get(f"/clinics/{slug}"),
            "moderation clinic": moderator.get(f"/moderation/clinics/{clinic.id}"),
            "history": staff.get(f"/dashboard/clinics/{clinic.id}/history"),
            "search results": staff.get("/search?location=92101&radius=250&per_page=100"),
        }
        after_approval["comparison"] = staff.get(f"/compare?ids={clinic.id}")
        after_approval["question sheet"] = staff.get(f"/clinics/{slug}/questions")
        for where, page in {**before_approval, **after_approval}.items():
            assert page.status_code == 200, where
            html = page.get_data(as_text=True)
            shown = _assert_escaped(html, PAYLOADS, where)
            assert shown >= 1, where  # at least the name is on every page
            pages_checked += 1
        listing = after_approval["listing"].get_data(as_text=True)
        review = before_approval["moderation review"].get_data(as_text=True)
        answers = db.session.get(ClinicRevision, revision_id).profile
        for name in FREE_TEXT:  # the review shows every answer, each as text
            assert str(escape(getattr(answers, name))) in review, name
        assert _assert_escaped(listing, PAYLOADS, "listing") >= 5
        api = staff.get(f"/api/v1/clinics/{clinic.id}")
        assert api.json["name"] == clinic.name  # JSON carries the text as typed
        assert api.mimetype == "application/json"
    assert pages_checked >= len(PAYLOADS) * 9


def test_payloads_in_formatted_fields_are_refused_and_shown_escaped(staff):
    staff.login()
    for payload in PAYLOADS:
        data = form_data(clean_profile(), action="save")
        for name in FORMATTED:
            data[name] = payload
        response = staff.submit("/dashboard/clinics/new", data)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert _assert_escaped(html, [payload], "refused form") >= 1


def test_search_text_is_escaped_on_the_results_page(client):
    for payload in PAYLOADS:
        response = client.get("/search", query_string={"location": payload})
        assert response.status_code == 400
        _assert_escaped(response.get_data(as_text=True), [payload], "search")


def test_the_markup_check_sees_every_payload_unescaped():
    """The control: each payload, put raw into a page, is caught."""
    for payload in PAYLOADS[:7] + PAYLOADS[8:]:
        assert active_markup(f"<p>{payload}</p>"), payload
