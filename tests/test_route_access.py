"""Every route, for every kind of visitor: the expected status, CSRF refusals, read-only GETs.

The table is checked against the app's URL map, so a route added without an
entry here fails `test_every_route_has_an_entry`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal import listings
from portal.extensions import db
from portal.models import ProblemReport, utcnow
from portal.reports import service as reports
from tests.conftest import Actor, csrf_token_from
from tests.factories import TEST_PASSWORD, clean_profile, make_clinic, make_user
from tests.helpers import anon_token, expired_token, snapshot

ROLES = ("anonymous", "staff", "other_staff", "moderator")

# Status per role, in ROLES order.
ANYONE_OK = (200, 200, 200, 200)
STAFF_ONLY = (302, 200, 404, 403)  # other clinics' pages answer 404 like missing ones
ANY_STAFF = (302, 200, 200, 403)
MODERATORS = (302, 404, 404, 200)  # moderation is hidden from staff
SIGNED_OUT_ONLY = (200, 302, 302, 302)
SIGNED_IN = (302, 200, 200, 200)

GET = {
    "clinics.home": ANYONE_OK,
    "clinics.guide": ANYONE_OK,
    "clinics.about_verification": ANYONE_OK,
    "clinics.listing": ANYONE_OK,
    "reports.new": ANYONE_OK,
    "reports.thanks": ANYONE_OK,
    "search.results": ANYONE_OK,
    "compare.comparison": ANYONE_OK,
    "compare.questions": ANYONE_OK,
    "static": ANYONE_OK,
    "api.clinics": ANYONE_OK,
    "api.clinic": ANYONE_OK,
    "api.openapi_json": ANYONE_OK,
    "api.hsds_about": ANYONE_OK,
    "api.hsds_organizations": ANYONE_OK,
    "api.hsds_organization": ANYONE_OK,
    "api.hsds_services": ANYONE_OK,
    "api.hsds_service": ANYONE_OK,
    "api.hsds_service_at_locations": ANYONE_OK,
    "api.hsds_service_at_location": ANYONE_OK,
    "pages.about": ANYONE_OK,
    "pages.privacy": ANYONE_OK,
    "pages.api_guide": ANYONE_OK,
    "pages.robots_txt": ANYONE_OK,
    "pages.sitemap_xml": ANYONE_OK,
    "accounts.login": SIGNED_OUT_ONLY,
    "accounts.register": SIGNED_OUT_ONLY,
    "accounts.change_password": SIGNED_IN,
    "dashboard.index": ANY_STAFF,
    "dashboard.new_clinic": ANY_STAFF,
    "dashboard.edit": STAFF_ONLY,
    "dashboard.history": STAFF_ONLY,
    "dashboard.revision": STAFF_ONLY,
    "moderation.queue": MODERATORS,
    "moderation.review": MODERATORS,
    "moderation.clinic": MODERATORS,
    "moderation.accounts_list": MODERATORS,
    "moderation.account": MODERATORS,
}

# POSTs are sent with a valid CSRF token of the visitor's own session and an empty form,
# so what answers is the access rule (or the form's validation), not the CSRF check.
POST = {
    "accounts.login": (422, 422, 422, 422),
    "accounts.register": (422, 302, 302, 302),
    "accounts.logout": (303, 303, 303, 303),
    "accounts.change_password": (302, 422, 422, 422),
    "dashboard.new_clinic": (302, 422, 422, 403),
    "dashboard.edit": (302, 422, 404, 403),
    "dashboard.submit": (302, 409, 404, 403),
    "moderation.decide": (302, 404, 404, 422),
    "moderation.suspend": (302, 404, 404, 422),
    "moderation.restore": (302, 404, 404, 409),
    "reports.new": (422, 422, 422, 422),
    "dashboard.confirm": (302, 303, 404, 403),
    "moderation.resolve_report": (302, 404, 404, 422),
    "moderation.suspend_account": (302, 404, 404, 422),  # a reason is required
    "moderation.restore_account": (302, 404, 404, 422),
    "compare.add": (400, 400, 400, 400),  # no clinic named
    "compare.remove": (400, 400, 400, 400),
    "compare.clear": (303, 303, 303, 303),
    "search.locate": (400, 400, 400, 400),  # no position given
}

# POST routes without a CSRF token, and why that is safe: {endpoint: reason}.
CSRF_EXEMPT = {
    "search.locate": "a lookup (position -> nearest ZIP search); it changes and stores nothing",
}

# Routes a later feature adds: listed here with their table entries when they land.
EXEMPT: set[str] = set()


@dataclass
class World:
    """Two clinics' staff, a moderator, a visitor, and a listing with a pending edit."""

    actors: dict[str, Actor | None]
    values: dict[str, object]

    def client(self, role: str, app):
        actor = self.actors[role]
        return actor.client if actor else app.test_client()


@pytest.fixture
def world(app, make_actor) -> World:
    staff = make_actor("clinic_staff")
    other = make_actor("clinic_staff")
    moderator = make_actor("moderator")
    own = make_clinic(manager=staff.user)
    make_clinic(status="draft", manager=other.user)
    profile = listings.working_profile(own)
    listings.save_draft(
        own,
        clean_profile(**{**profile.to_dict(), "description": "Edited"}),
        expected_version=None,
        user=staff.user,
    )
    pending = listings.submit_revision(own, user=staff.user)
    report = reports.file_report(own, kind="other", now=utcnow())
    db.session.commit()
    for actor in (staff, other, moderator):
        actor.login()
    services = app.test_client().get("/api/v1/hsds/services").json
    locations = app.test_client().get("/api/v1/hsds/service_at_locations").json
    organizations = app.test_client().get("/api/v1/hsds/organizations").json
    values = {
        "slug": own.slug,
        "clinic_id": own.id,
        "revision_id": pending.id,
        "report_id": report.id,
        "user_id": other.user.id,
        "number": 1,
        "filename": "css/site.css",
        "record_id": None,
    }
    records = {
        "api.hsds_service": _first_id(services),
        "api.hsds_service_at_location": _first_id(locations),
        "api.hsds_organization": _first_id(organizations),
    }
    return World(
        actors={"anonymous": None, "staff": staff, "other_staff": other, "moderator": moderator},
        values={**values, "records": records},
    )


def _first_id(listing: dict) -> str:
    return listing["contents"][0]["id"]


def _routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint not in EXEMPT
    }


def _url(app, endpoint: str, world: World) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = {name: world.values[name] for name in rule.arguments if name != "record_id"}
    if "record_id" in rule.arguments:
        values["record_id"] = world.values["records"][endpoint]
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **values)
    if endpoint == "api.clinics":
        url += "?location=92101"
    return url


def test_every_route_has_an_entry(app):
    listed = {("GET", name) for name in GET} | {("POST", name) for name in POST}
    assert _routes(app) == listed


def test_the_table_covers_every_role_on_every_route(app):
    assert len(_routes(app)) * len(ROLES) == (len(GET) + len(POST)) * len(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_each_role_as_expected(app, world, role):
    client = world.client(role, app)
    wrong = {}
    for endpoint, statuses in GET.items():
        expected = statuses[ROLES.index(role)]
        response = client.get(_url(app, endpoint, world))
        if response.status_code != expected:
            wrong[endpoint] = (expected, response.status_code)
    assert wrong == {}


@pytest.mark.parametrize("endpoint", sorted(POST))
def test_every_post_route_answers_each_role_as_expected(app, world, endpoint):
    answered = []
    for role in ROLES:  # none of these empty forms changes what the next role sees
        client = world.client(role, app)
        token = _token(client, role)
        answered.append(client.post(_url(app, endpoint, world), data={"csrf_token": token}))
    assert tuple(response.status_code for response in answered) == POST[endpoint]


def _token(client, role: str) -> str:
    """The session's own token, from a page with a form (the sign-out button when signed in)."""
    if role == "anonymous":
        return anon_token(client)
    return csrf_token_from(client.get("/guide").get_data(as_text=True))


# --- CSRF -----------------------------------------------------------------------------------

# Who may use each POST route (so the refusal we see is the CSRF check, not the access rule).
POST_ACTOR = {
    "accounts.login": "anonymous",
    "accounts.register": "anonymous",
    "accounts.logout": "staff",
    "accounts.change_password": "staff",
    "dashboard.new_clinic": "staff",
    "dashboard.edit": "staff",
    "dashboard.submit": "staff",
    "moderation.decide": "moderator",
    "moderation.suspend": "moderator",
    "moderation.restore": "moderator",
    "reports.new": "anonymous",
    "dashboard.confirm": "staff",
    "moderation.resolve_report": "moderator",
    "moderation.suspend_account": "moderator",
    "moderation.restore_account": "moderator",
    "compare.add": "anonymous",
    "compare.remove": "anonymous",
    "compare.clear": "anonymous",
    "search.locate": "anonymous",
}


def test_every_post_route_has_a_csrf_actor():
    assert set(POST_ACTOR) == set(POST)


def world_clinic_id(user) -> int:
    from sqlalchemy import select

    from portal.models import ClinicManager

    return db.session.scalar(
        select(ClinicManager.clinic_id).where(ClinicManager.user_id == user.id)
    )


def _form_for(endpoint: str, user) -> dict:
    """A form that would succeed with a valid token."""
    if endpoint == "accounts.login":
        return {"email": user.email, "password": TEST_PASSWORD}
    if endpoint == "accounts.register":
        return {
            "email": "fresh@clinic.example",
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
        }
    if endpoint == "accounts.change_password":
        return {
            "current_password": TEST_PASSWORD,
            "new_password": "another long password 42",
            "new_password_confirm": "another long password 42",
        }
    if endpoint.startswith("dashboard."):
        from tests.helpers import form_data

        return form_data(clean_profile(name="Changed by a forged request"), action="submit")
    if endpoint.startswith("compare."):
        from portal.models import Clinic

        return {"clinic_id": str(db.session.scalar(select(Clinic.id).limit(1))), "next": "/"}
    if endpoint == "moderation.decide":
        from tests.helpers import APPROVE

        return dict(APPROVE)
    if endpoint == "reports.new":
        return {"kind": "other", "details": "forged"}
    if endpoint == "moderation.resolve_report":
        report_id = db.session.scalar(select(ProblemReport.id))
        return {f"report-{report_id}-note": "forged"}
    if endpoint in ("compare.add", "compare.remove"):
        return {"clinic_id": str(world_clinic_id(user))}
    return {"reason": "forged"}


CSRF_VARIANTS = ("missing", "other_session", "expired")
# Profile forms left open too long come back with what was typed (still refused, still 400).
KEEPS_TYPED_FORM = {"dashboard.new_clinic", "dashboard.edit"}


def test_a_csrf_exempt_route_changes_nothing_even_when_it_succeeds(app, world):
    client = world.client("anonymous", app)
    before = snapshot()
    response = client.post("/search/locate", data={"lat": "32.72", "lng": "-117.16"})
    assert response.status_code == 303 and set(CSRF_EXEMPT) == {"search.locate"}
    assert snapshot() == before
    with client.session_transaction() as session:
        assert "csrf_token" not in session and "_flashes" not in session


@pytest.mark.parametrize("endpoint", sorted(set(POST) - set(CSRF_EXEMPT)))
def test_every_post_route_refuses_a_bad_csrf_token(app, world, endpoint):
    """Without a token, with another session's, with an expired one: 400 and nothing changes."""
    role = POST_ACTOR[endpoint]
    client = world.client(role, app)
    user = world.actors["staff"].user
    tokens = {
        "missing": None,
        "other_session": anon_token(app.test_client()),
        "expired": expired_token(app, client),
    }
    before = snapshot()
    for variant in CSRF_VARIANTS:
        data = _form_for(endpoint, user)
        if tokens[variant]:
            data["csrf_token"] = tokens[variant]
        response = client.post(_url(app, endpoint, world), data=data)
        assert response.status_code == 400, variant
        refusal = response.get_data(as_text=True)
        if variant == "expired" and endpoint in KEEPS_TYPED_FORM:
            assert "its security check ran out and nothing was saved" in refusal
        else:
            assert "expired or did not come from this site" in refusal
        assert snapshot() == before, variant
        if role != "anonymous":  # still signed in: the refused logout did not sign out
            assert client.get("/account/password").status_code == 200


def test_a_valid_token_is_accepted_where_a_bad_one_was_refused(app, world):
    """The control: the same forged-looking request with the session's own token works."""
    client = world.client("moderator", app)
    token = _token(client, "moderator")
    url = _url(app, "moderation.suspend", world)
    assert client.post(url, data={"reason": "checked", "csrf_token": token}).status_code == 302


# --- GET never writes -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_changes_the_database(app, world, role):
    client = world.client(role, app)
    before = snapshot()
    for endpoint in GET:
        client.get(_url(app, endpoint, world))
    client.get("/search?location=92101&condition=ptsd&sort=price")
    client.get("/api/v1/clinics?location=San Diego, CA&radius=250&verified=1")
    assert snapshot() == before


def test_snapshot_sees_a_change(app):
    """The snapshot is not blind: one changed column of one row changes it."""
    user = make_user()
    before = snapshot()
    user.last_login_at = user.created_at
    db.session.commit()
    assert snapshot() != before


# --- ids no database holds ------------------------------------------------------------------


def _huge_id_urls(app, world: World) -> list[tuple[str, str, str]]:
    """Every route with an integer in its path, that integer replaced by one too big to store."""
    urls = []
    for rule in app.url_map.iter_rules():
        int_args = [name for name, conv in rule._converters.items() if conv.regex == r"\d+"]
        if not int_args:
            continue
        good = _url(app, rule.endpoint, world)
        for name in int_args:
            value = str(world.values[name])
            huge = good.replace(f"/{value}/", "/99999999999999999999/", 1)
            if huge == good:
                huge = good.replace(f"/{value}", "/99999999999999999999", 1)
            assert huge != good, (rule.endpoint, name)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                urls.append((method, rule.endpoint, huge))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_ids_too_big_for_the_database_answer_404_on_every_route(app, world, role):
    client = world.client(role, app)
    urls = _huge_id_urls(app, world)
    assert len(urls) >= 10
    token = _token(client, role)
    for method, endpoint, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 404, (role, endpoint, url, response.status_code)


# --- control characters -----------------------------------------------------------------------


def test_control_characters_never_reach_the_database(app, world):
    """A NUL in a path segment or a search parameter is a 4xx (PostgreSQL refuses NUL in text)."""
    client = world.client("moderator", app)
    urls = []
    for rule in app.url_map.iter_rules():
        text_args = [n for n, conv in rule._converters.items() if conv.regex.startswith("[^/")]
        if not text_args or "GET" not in rule.methods or rule.endpoint == "static":
            continue
        good = _url(app, rule.endpoint, world)
        for name in text_args:
            value = str(
                world.values["records"][rule.endpoint]
                if name == "record_id"
                else world.values[name]
            )
            assert value in good, (rule.endpoint, name)
            urls.append(good.replace(value, value + "%00", 1))
    urls += [
        "/api/v1/hsds/organizations?search=a%00b",
        "/api/v1/hsds/services?organization_id=a%00b",
        "/search?location=a%00b",
        "/api/v1/clinics?location=a%00b",
        "/compare?ids=1%00",
    ]
    assert any(url.startswith("/clinics/") for url in urls)
    for url in urls:
        status = client.get(url).status_code
        assert 400 <= status < 500, (url, status)
