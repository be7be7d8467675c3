"""Moderation: the create-moderator command, who may reach moderation, and the queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.dates import add_months
from portal.extensions import db
from portal.models import (
    Clinic,
    ReviewDecision,
    User,
    utcnow,
)
from portal.moderation import service
from tests.factories import clean_profile, make_clinic, make_user
from tests.helpers import (
    APPROVE,
    CHECKED,
    decide,
    decisions_of,
    fresh,
    sign_in,
    submit_edit,
    submit_new,
    text_of,
)

pytestmark = pytest.mark.usefixtures("compiled_templates")

# --- create-moderator ----------------------------------------------------------------------


def test_create_moderator_command_makes_a_moderator(app, runner):
    result = runner.invoke(
        args=["create-moderator", " Mod@Example.org ", "--password", "quiet river lantern"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "mod@example.org"))
    assert user is not None and user.is_moderator


def test_create_moderator_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["create-moderator", "mod@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_moderator_promotes_an_existing_account_and_ends_its_sessions(app, runner, staff):
    old_token = staff.user.session_token
    result = runner.invoke(
        args=["create-moderator", staff.user.email, "--password", "quiet river lantern"]
    )
    assert result.exit_code == 0, result.output
    user = fresh(User, staff.user.id)
    assert user.role == "moderator"
    assert user.session_token != old_token


def test_a_promoted_staff_member_cannot_judge_their_own_clinic(app, runner, staff, moderator):
    """Conflict of interest: another moderator decides, suspends and restores that clinic."""
    revision = submit_new(manager=staff.user)
    published = make_clinic(manager=staff.user)
    result = runner.invoke(
        args=["create-moderator", staff.user.email, "--password", "quiet river lantern"]
    )
    assert result.exit_code == 0, result.output
    staff.password = "quiet river lantern"
    sign_in(staff)
    refused = decide(staff, revision.id, APPROVE)
    assert refused.status_code == 403
    assert "another moderator has to decide" in text_of(refused)
    assert decisions_of(revision.id) == []
    suspend = staff.submit(
        f"/moderation/clinics/{published.id}",
        {"reason": "testing"},
        action=f"/moderation/clinics/{published.id}/suspend",
    )
    assert suspend.status_code == 403
    assert fresh(Clinic, published.id).status == "published"
    assert decide(sign_in(moderator), revision.id, APPROVE).status_code == 302


# --- who may reach moderation --------------------------------------------------------------


def moderation_requests(
    app, revision_id: int, clinic_id: int, user_id: int = 1
) -> list[tuple[str, str]]:
    """(method, url) for every moderation route, built from the URL map."""
    values = {
        "revision_id": revision_id,
        "clinic_id": clinic_id,
        "report_id": 1,
        "code": "promises_cure",
        "user_id": user_id,
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("moderation."):
            continue
        assert set(rule.arguments) <= set(values), f"add test values for {rule}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_moderation_route_is_listed(app):
    routes = moderation_requests(app, 1, 1)
    assert ("GET", "/moderation") in routes
    assert ("POST", "/moderation/revisions/1/decision") in routes
    assert ("POST", "/moderation/clinics/1/suspend") in routes
    assert ("POST", "/moderation/clinics/1/restore") in routes


def test_clinic_staff_get_404_on_every_moderation_route(app, staff):
    sign_in(staff)
    clinic = make_clinic(manager=staff.user)
    revision = submit_edit(clinic, user=staff.user, name="Renamed By Staff")
    for method, url in moderation_requests(app, revision.id, clinic.id):
        if method == "GET":
            response = staff.get(url)
        else:
            response = staff.post(url, {"decision": "approve", "reason": "x", **CHECKED})
        assert response.status_code == 404, (method, url)
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, clinic.id).status == "published"


def test_moderators_reach_every_moderation_page(app, mod):
    manager = make_user()
    clinic = make_clinic(manager=manager)
    revision = submit_edit(clinic, name="Renamed")
    for method, url in moderation_requests(app, revision.id, clinic.id, manager.id):
        if method == "GET":
            assert mod.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(app, browser):
    clinic = make_clinic()
    revision = submit_edit(clinic, name="Renamed")
    for method, url in moderation_requests(app, revision.id, clinic.id):
        if method == "GET":
            response = browser.get(url)
        else:
            data = {"decision": "approve", "reason": "x", **CHECKED}
            response = browser.post(url, data, token_from="/account/login")
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/account/login"), (method, url)
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, clinic.id).status == "published"


def test_moderators_sign_in_on_the_shared_login_page_and_land_on_the_queue(moderator):
    response = moderator.login()
    assert response.headers["Location"] == "/moderation"
    assert "Review queue" in text_of(moderator.get("/moderation"))


def test_no_moderation_route_can_change_or_delete_history(app):
    """The audit log is read-only through the site: only decide, suspend, restore (listings
    and accounts), resolving a problem report and dismissing a flag write (each adds to
    the log)."""
    writes = {(m, u) for m, u in moderation_requests(app, 1, 1) if m != "GET"}
    assert writes == {
        ("POST", "/moderation/revisions/1/decision"),
        ("POST", "/moderation/clinics/1/suspend"),
        ("POST", "/moderation/clinics/1/restore"),
        ("POST", "/moderation/reports/1/resolve"),
        ("POST", "/moderation/revisions/1/flags/promises_cure/dismiss"),
        ("POST", "/moderation/accounts/1/suspend"),
        ("POST", "/moderation/accounts/1/restore"),
    }


# --- the queue -----------------------------------------------------------------------------


def test_queue_lists_pending_revisions_oldest_first(mod):
    now = utcnow()
    edit_clinic = make_clinic(clean_profile(name="Edited Clinic", city="Austin", state="TX"))
    older = submit_new(
        clean_profile(name="Oldest New Clinic", city="Denver", state="CO", zip="80202"),
        submitted_at=now - timedelta(days=3),
    )
    edit = submit_edit(
        edit_clinic, name="Edited Clinic", submitted_at=now - timedelta(hours=5), city="Austin"
    )
    newest = submit_new(
        clean_profile(name="Newest Clinic"), submitted_at=now - timedelta(minutes=7)
    )
    html = text_of(mod.get("/moderation"))
    positions = [html.index(f'/moderation/revisions/{r.id}"') for r in (older, edit, newest)]
    assert positions == sorted(positions)
    assert "3 days" in html and "5 hours" in html and "7 minutes" in html
    assert "Denver, CO" in html
    rows = html.split("<tr>")
    edit_row = next(row for row in rows if f'/moderation/revisions/{edit.id}"' in row)
    assert "Edit" in edit_row and "New clinic" not in edit_row
    new_row = next(row for row in rows if f'/moderation/revisions/{older.id}"' in row)
    assert "New clinic" in new_row


def test_queue_leaves_out_replaced_and_decided_revisions(mod):
    clinic = make_clinic()
    replaced = submit_edit(clinic, name="First Try")
    latest = submit_edit(clinic, name="Second Try")
    decided = make_clinic(status="pending")
    decision_revision = decided.revisions[-1]
    db.session.add(
        ReviewDecision(
            revision_id=decision_revision.id,
            moderator_id=mod.user.id,
            outcome="reject",
            reason="Not a clinic.",
        )
    )
    db.session.commit()
    items = service.pending_queue(utcnow())
    assert [item.revision_id for item in items] == [latest.id]
    html = text_of(mod.get("/moderation"))
    assert f'/moderation/revisions/{latest.id}"' in html
    assert f'/moderation/revisions/{replaced.id}"' not in html
    assert f'/moderation/revisions/{decision_revision.id}"' not in html


def test_queue_lists_expired_and_soon_expiring_verifications(mod):
    today = date.today()
    expired = make_clinic(clean_profile(name="Lapsed Clinic"), verified_on=add_months(today, -13))
    soon = make_clinic(
        clean_profile(name="Soon Clinic"), verified_on=add_months(today, -12) + timedelta(days=20)
    )
    make_clinic(
        clean_profile(name="Fine Clinic"), verified_on=add_months(today, -12) + timedelta(days=40)
    )
    hidden = make_clinic(clean_profile(name="Hidden Clinic"), verified_on=add_months(today, -13))
    hidden.status = "suspended"
    db.session.commit()
    listed = service.expiring_listings(today)
    assert [c.id for c in listed] == [expired.id, soon.id]
    for clinic in listed:
        assert clinic.status == "published"
        assert clinic.verification_expires <= today + timedelta(days=30)
    html = text_of(mod.get("/moderation"))
    assert "Lapsed Clinic" in html and "Soon Clinic" in html
    assert "Fine Clinic" not in html and "Hidden Clinic" not in html
    assert f"/moderation/clinics/{expired.id}" in html


def test_waited_text_uses_the_unit_a_person_would():
    assert service.waited_text(timedelta(seconds=20)) == "less than an hour"
    assert service.waited_text(timedelta(minutes=1)) == "1 minute"
    assert service.waited_text(timedelta(hours=1, minutes=5)) == "1 hour"
    assert service.waited_text(timedelta(hours=47)) == "47 hours"
    assert service.waited_text(timedelta(days=9, hours=3)) == "9 days"
