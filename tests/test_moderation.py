"""Moderators review submissions, decide, verify, suspend; patients see what was verified."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from jinja2 import BytecodeCache
from markupsafe import escape
from sqlalchemy import func, select

from portal import listings
from portal.dates import add_months
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Clinic,
    ClinicRevision,
    ReviewDecision,
    User,
    Verification,
    utcnow,
)
from portal.moderation import service
from tests.factories import TEST_PASSWORD, clean_profile, make_clinic, make_user
from tests.test_dashboard import form_data, open_form

BAD_NPI = "1234567890"  # 1234567893 is the valid one in clean_profile
CHECKED = {
    "licence_state": "CA",
    "licence_number": "A123456",
    "licence_checked_how": "Medical Board of California look-up: active, no discipline.",
    "address_plausible": "y",
    "answers_plausible": "y",
    "red_flags_reviewed": "y",
}
APPROVE = {"decision": "approve", **CHECKED}


# --- helpers -------------------------------------------------------------------------------


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per test run instead of once per test's app (~0.3 s a test)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


@pytest.fixture(autouse=True)
def _compile_templates_once(app):
    app.jinja_env.bytecode_cache = _COMPILED


def sign_in(actor):
    """Sign in through the login page; returns the actor for chaining."""
    actor.login()
    return actor


@pytest.fixture
def mod(moderator):
    return sign_in(moderator)


def submit_new(profile=None, *, manager=None, submitted_at=None) -> ClinicRevision:
    """A new clinic written and submitted through the listing workflow."""
    clinic = listings.create_clinic(profile or clean_profile(), manager=manager)
    revision = listings.submit_revision(clinic, user=manager, submitted_at=submitted_at)
    db.session.commit()
    return revision


def submit_edit(clinic: Clinic, *, user=None, submitted_at=None, **changes) -> ClinicRevision:
    """The clinic edits its working copy and submits it."""
    profile = dataclasses.replace(listings.working_profile(clinic), **changes)
    listings.save_draft(clinic, profile, expected_version=None, user=user)
    revision = listings.submit_revision(clinic, user=user, submitted_at=submitted_at)
    db.session.commit()
    return revision


def decide(actor, revision_id: int, data: dict):
    return actor.submit(
        f"/moderation/revisions/{revision_id}",
        data,
        action=f"/moderation/revisions/{revision_id}/decision",
    )


def text_of(response) -> str:
    return response.get_data(as_text=True)


def actions(clinic_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.clinic_id == clinic_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def decisions_of(revision_id: int) -> list[ReviewDecision]:
    return list(
        db.session.scalars(select(ReviewDecision).where(ReviewDecision.revision_id == revision_id))
    )


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


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
    and accounts) and resolving a problem report write (each adds to the log)."""
    writes = {(m, u) for m, u in moderation_requests(app, 1, 1) if m != "GET"}
    assert writes == {
        ("POST", "/moderation/revisions/1/decision"),
        ("POST", "/moderation/clinics/1/suspend"),
        ("POST", "/moderation/clinics/1/restore"),
        ("POST", "/moderation/reports/1/resolve"),
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


# --- the review page -----------------------------------------------------------------------


def test_review_of_an_edit_shows_only_what_changed(mod):
    clinic = make_clinic(clean_profile(name="Harbor Test Clinic"))
    revision = submit_edit(
        clinic,
        recovery_minutes=45,
        routes=("iv", "im"),
        therapy="referral",
        phone="(619) 555-0199",
    )
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    diff = html[html.index('id="changes-heading"') : html.index("All answers in this revision")]
    assert "What changed (4)" in diff
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', diff, re.S)
    }
    assert set(rows) == {
        "Phone",
        "Recovery time after a session (minutes)",
        "Therapy alongside ketamine",
        "Ways ketamine is given",
    }
    assert "120" in rows["Recovery time after a session (minutes)"]
    assert "45" in rows["Recovery time after a session (minutes)"]
    assert "Therapy offered in house" in rows["Therapy alongside ketamine"]
    assert "Refers you to a therapist" in rows["Therapy alongside ketamine"]
    routes = rows["Ways ketamine is given"]
    assert "+ Intramuscular injection" in routes
    assert "− Esketamine nasal spray (Spravato)" in routes
    assert "IV infusion" not in routes
    # The recovery time now raises a flag the published version did not.
    flags = html[html.index('id="flags-heading"') : html.index('id="checks-heading"')]
    assert "No recovery period" not in flags  # 45 minutes is a recovery period
    assert "New in this revision" not in flags


def test_review_marks_red_flags_new_in_an_edit(mod):
    clinic = make_clinic()
    revision = submit_edit(clinic, therapy="none")
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    flags = html[html.index('id="flags-heading"') : html.index('id="checks-heading"')]
    assert "No therapy alongside ketamine" in flags
    assert "New in this revision" in flags


def test_review_of_a_new_clinic_shows_every_answer_and_the_checks(mod):
    revision = submit_new(
        clean_profile(name="Brand New Clinic", npi=BAD_NPI, transport_required=False)
    )
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "What changed" not in html
    answers = html[html.index('id="answers-heading"') : html.index('id="flags-heading"')]
    for label in ("Clinic name", "Ways ketamine is given", "Payment help", "Phone"):
        assert f"<dt>{label}</dt>" in answers
    assert "Brand New Clinic" in answers
    assert "IV infusion, Esketamine nasal spray (Spravato)" in answers
    assert "Patients are not told to arrange a ride home" in html
    checks = html[html.index('id="checks-heading"') :]
    assert "Fail" in checks and BAD_NPI in checks
    assert "32.7185, -117.1593" in checks  # where the address lands
    assert "San Diego, CA" in checks and "matches the city given" in checks
    assert 'name="address_plausible"' in html and 'name="decision"' in html
    assert '<option selected value="CA">' in html


def test_review_shows_npi_pass_or_not_given(mod):
    good = submit_new(clean_profile(name="Good NPI"))
    none_given = submit_new(clean_profile(name="No NPI", npi=""))
    assert 'class="check-pass">Pass' in text_of(mod.get(f"/moderation/revisions/{good.id}"))
    assert 'class="check-none">Not given' in text_of(
        mod.get(f"/moderation/revisions/{none_given.id}")
    )


def test_review_warns_when_the_zip_belongs_to_another_city(mod):
    revision = submit_new(clean_profile(city="Los Angeles", zip="92101"))
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "differs from Los Angeles, CA" in html


def test_review_shows_history_and_links_the_audit_log(mod):
    clinic = make_clinic()
    first = submit_edit(clinic, name="First Try")
    second = submit_edit(clinic, name="Second Try")
    html = text_of(mod.get(f"/moderation/revisions/{first.id}"))
    assert "Replaced by a newer revision" in html
    assert f'href="/moderation/revisions/{second.id}"' in html
    assert 'name="decision"' not in html  # no form on a replaced revision
    assert f"/moderation/clinics/{clinic.id}#audit" in html


def test_a_decided_revision_shows_its_decision_and_no_form(mod):
    revision = submit_new()
    reason = "Please add how long patients stay after a session."
    decide(mod, revision.id, {"decision": "request_changes", "reason": reason})
    html = text_of(mod.get(f"/moderation/revisions/{revision.id}"))
    assert "Changes requested" in html and mod.user.email in html
    assert reason in html
    assert 'name="decision"' not in html


def test_profile_changes_label_codes_and_lists():
    old = clean_profile()
    new = dataclasses.replace(
        old,
        director_discipline="anesthesiology",
        physician_on_site=False,
        conditions=("depression", "ptsd", "ocd"),
        fasting_hours=None,
    )
    changes = {change.name: change for change in service.profile_changes(old, new)}
    assert set(changes) == {
        "director_discipline",
        "physician_on_site",
        "conditions",
        "fasting_hours",
    }
    assert (changes["director_discipline"].old, changes["director_discipline"].new) == (
        "Psychiatry",
        "Anesthesiology",
    )
    assert (changes["physician_on_site"].old, changes["physician_on_site"].new) == ("Yes", "No")
    assert (changes["fasting_hours"].old, changes["fasting_hours"].new) == ("6", "Not stated")
    assert changes["conditions"].added == ("OCD",)
    assert changes["conditions"].removed == ()
    assert service.profile_changes(old, old) == []


def test_unknown_revision_or_clinic_is_404(mod):
    assert mod.get("/moderation/revisions/999999").status_code == 404
    assert mod.get("/moderation/clinics/999999").status_code == 404
    assert mod.post("/moderation/revisions/999999/decision", APPROVE).status_code == 404


# --- decisions -----------------------------------------------------------------------------


def test_approval_needs_the_checklist(mod, client):
    revision = submit_new(clean_profile(name="Unchecked Clinic"))
    data = dict(APPROVE, answers_plausible="", red_flags_reviewed="")
    response = decide(mod, revision.id, data)
    assert response.status_code == 422
    html = text_of(response)
    assert "the answers are plausible and the red flags were reviewed" in html
    assert html.count("Tick this once you have checked it.") == 2
    # What the moderator typed is still there.
    assert "Medical Board of California look-up" in html
    assert re.search(r'<input[^>]* checked id="address_plausible"', html)
    assert not re.search(r'<input[^>]* checked id="answers_plausible"', html)
    assert decisions_of(revision.id) == []
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "pending"
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404


def test_a_decision_must_be_chosen(mod):
    revision = submit_new()
    response = decide(mod, revision.id, CHECKED)
    assert response.status_code == 422
    assert "Choose approve, ask for changes or reject." in text_of(response)
    assert decisions_of(revision.id) == []


def test_approval_publishes_and_verifies_for_twelve_months(mod, client):
    revision = submit_new(clean_profile(name="Approved Clinic"))
    response = decide(mod, revision.id, dict(APPROVE, notes="Called the clinic."))
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    today = date.today()
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "published"
    assert clinic.published_revision_id == revision.id
    assert (clinic.lat, clinic.lng) == (32.7185, -117.1593)
    assert clinic.verified_at == today
    assert clinic.verification_expires == add_months(today, 12)
    [decision] = decisions_of(revision.id)
    assert (decision.outcome, decision.moderator_id) == ("approve", mod.user.id)
    [verification] = db.session.scalars(
        select(Verification).where(Verification.clinic_id == clinic.id)
    ).all()
    assert verification.moderator_id == mod.user.id
    assert verification.npi_check_passed is True
    assert (verification.licence_state, verification.licence_number) == ("CA", "A123456")
    assert verification.licence_checked_how.startswith("Medical Board of California")
    assert verification.address_plausible and verification.answers_plausible
    assert verification.red_flags_reviewed
    assert verification.notes == "Called the clinic."
    assert actions(clinic.id)[-1] == "revision_approved"

    listing = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert f"Verified on {today:%B} {today.day}, {today.year}" in listing
    coverage = listing[listing.index("What the check covered") :]
    assert "The provider number (NPI) passed its check-digit test" in coverage
    assert "The CA licence A123456 was checked" in coverage
    assert "The address and map position were checked" in coverage
    assert "The answers were checked for consistency" in coverage
    assert "A moderator reviewed the red flags" in coverage


def test_verification_months_come_from_config(app, mod):
    app.config["VERIFICATION_MONTHS"] = 6
    revision = submit_new()
    assert decide(mod, revision.id, APPROVE).status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.verification_expires == add_months(date.today(), 6)


def test_approval_is_refused_when_the_address_cannot_be_placed(mod):
    revision = submit_new(clean_profile(city="Nowhereville", zip="00000"))
    response = decide(mod, revision.id, APPROVE)
    assert response.status_code == 422
    assert "could not be placed on the map" in text_of(response)
    assert decisions_of(revision.id) == []


@pytest.mark.parametrize("outcome", ["reject", "request_changes"])
def test_reject_and_request_changes_need_a_message(mod, outcome):
    revision = submit_new()
    response = decide(mod, revision.id, {"decision": outcome, "reason": "   "})
    assert response.status_code == 422
    assert 'id="reason-error"' in text_of(response)
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, revision.clinic_id).status == "pending"


def test_rejecting_a_new_clinic_stores_the_reason(mod, client):
    revision = submit_new(clean_profile(name="Rejected Clinic"))
    reason = "We could not find this licence with the state board."
    assert decide(mod, revision.id, {"decision": "reject", "reason": reason}).status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "rejected"
    [decision] = decisions_of(revision.id)
    assert (decision.outcome, decision.reason) == ("reject", reason)
    assert actions(clinic.id)[-1] == "revision_rejected"
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.actor_id, event.detail, event.revision_id) == (mod.user.id, reason, revision.id)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Verification)) == 0


def test_asking_a_new_clinic_for_changes_sends_it_back_to_draft(mod, staff):
    revision = submit_new(manager=staff.user)
    message = "Please state how long patients stay after a session."
    response = decide(mod, revision.id, {"decision": "request_changes", "reason": message})
    assert response.status_code == 302
    clinic = fresh(Clinic, revision.clinic_id)
    assert clinic.status == "draft"
    assert decisions_of(revision.id)[0].reason == message
    assert actions(clinic.id)[-1] == "changes_requested"
    # The clinic can edit and send it again.
    again = submit_edit(clinic, user=staff.user, recovery_minutes=90)
    assert fresh(Clinic, clinic.id).status == "pending"
    assert [i.revision_id for i in service.pending_queue(utcnow())] == [again.id]


@pytest.mark.parametrize("outcome", ["reject", "request_changes"])
def test_turning_down_an_edit_keeps_the_published_listing(mod, client, outcome):
    clinic = make_clinic(clean_profile(name="Steady Clinic"))
    revision = submit_edit(clinic, name="Risky Rename", recovery_minutes=10)
    response = decide(mod, revision.id, {"decision": outcome, "reason": "Please explain."})
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert clinic.status == "published"
    assert clinic.name == "Steady Clinic"
    listing = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert "Steady Clinic" in listing and "Risky Rename" not in listing


def test_approving_an_edit_publishes_the_new_version(mod, client):
    clinic = make_clinic(clean_profile(name="Old Name Clinic"))
    revision = submit_edit(clinic, name="New Name Clinic")
    assert decide(mod, revision.id, APPROVE).status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert clinic.name == "New Name Clinic"
    assert clinic.published_revision_id == revision.id
    assert "New Name Clinic" in text_of(client.get(f"/clinics/{clinic.slug}"))


def test_a_replaced_revision_cannot_be_decided(mod):
    clinic = make_clinic()
    replaced = submit_edit(clinic, name="First Try")
    latest = submit_edit(clinic, name="Second Try")
    response = mod.post(f"/moderation/revisions/{replaced.id}/decision", APPROVE)
    assert response.status_code == 409
    assert f"newer revision (number {latest.number})" in text_of(response)
    assert decisions_of(replaced.id) == []
    assert fresh(Clinic, clinic.id).name != "First Try"


def test_two_moderators_cannot_both_decide(make_actor, client):
    first = sign_in(make_actor("moderator", email="first@mod.example"))
    second = sign_in(make_actor("moderator", email="second@mod.example"))
    revision = submit_new(clean_profile(name="Contested Clinic"))
    url = f"/moderation/revisions/{revision.id}"
    first_page, second_page = first.get(url), second.get(url)
    assert 'name="decision"' in text_of(first_page) and 'name="decision"' in text_of(second_page)
    from tests.conftest import csrf_token_from

    won = first.client.post(
        f"{url}/decision",
        data={**APPROVE, "csrf_token": csrf_token_from(text_of(first_page))},
    )
    lost = second.client.post(
        f"{url}/decision",
        data={
            "decision": "reject",
            "reason": "Looks wrong to me.",
            "csrf_token": csrf_token_from(text_of(second_page)),
        },
    )
    assert won.status_code == 302
    assert lost.status_code == 409
    html = text_of(lost)
    assert "already decided by first@mod.example" in html
    assert "Your decision was not recorded" in html
    assert "Looks wrong to me." in html  # what they typed is shown so they can copy it
    [decision] = decisions_of(revision.id)
    assert (decision.moderator_id, decision.outcome) == (first.user.id, "approve")
    assert fresh(Clinic, revision.clinic_id).status == "published"


def test_the_unique_decision_is_the_last_guard(mod, make_actor, monkeypatch):
    """If both checks were passed in a race, the database's unique key still refuses (409)."""
    other = make_actor("moderator", email="other@mod.example")
    revision = submit_new()
    db.session.add(
        ReviewDecision(revision_id=revision.id, moderator_id=other.user.id, outcome="approve")
    )
    db.session.commit()

    def decide_after_losing_the_race(revision, moderator, outcome, reason, checklist, today, **kw):
        db.session.add(
            ReviewDecision(
                revision_id=revision.id, moderator_id=moderator.id, outcome=outcome, reason=reason
            )
        )
        db.session.flush()

    monkeypatch.setattr(service, "decide", decide_after_losing_the_race)
    response = mod.post(f"/moderation/revisions/{revision.id}/decision", APPROVE)
    assert response.status_code == 409
    assert "already decided by other@mod.example" in text_of(response)
    [decision] = decisions_of(revision.id)
    assert decision.moderator_id == other.user.id


def test_the_service_refuses_anyone_but_a_moderator(app, staff):
    revision = submit_new()
    with pytest.raises(service.NotAModerator):
        service.decide(revision, staff.user, "reject", "No.", listings.Checklist(), date.today())
    clinic = make_clinic()
    with pytest.raises(service.NotAModerator):
        service.suspend(clinic, staff.user, "No.")
    db.session.rollback()
    assert decisions_of(revision.id) == []
    assert fresh(Clinic, clinic.id).status == "published"


def test_decision_history_rows_cannot_be_changed(app, mod):
    revision = submit_new()
    assert decide(mod, revision.id, APPROVE).status_code == 302
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    for model in (ReviewDecision, Verification):
        row_id = db.session.scalar(select(model.id).limit(1))
        for statement in (
            update(model).where(model.id == row_id).values(id=row_id),
            delete(model).where(model.id == row_id),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(statement)
                db.session.flush()
            db.session.rollback()


# --- suspend and restore -------------------------------------------------------------------


def test_suspend_needs_a_reason_and_hides_the_listing(mod, client):
    clinic = make_clinic(clean_profile(name="Suspect Clinic"))
    page = f"/moderation/clinics/{clinic.id}"
    response = mod.submit(page, {"reason": " "}, action=f"{page}/suspend")
    assert response.status_code == 422
    assert "Write why the listing is suspended" in text_of(response)
    assert fresh(Clinic, clinic.id).status == "published"

    reason = "A patient reported that nobody monitors sessions."
    response = mod.submit(page, {"reason": reason}, action=f"{page}/suspend")
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert (clinic.status, clinic.suspended_reason) == ("suspended", reason)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 404
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.action, event.actor_id, event.detail) == (
        "clinic_suspended",
        mod.user.id,
        reason,
    )
    assert escape(reason) in text_of(mod.get(page))


def test_restore_needs_a_reason_and_shows_the_listing_again(mod, client):
    clinic = make_clinic()
    page = f"/moderation/clinics/{clinic.id}"
    mod.submit(page, {"reason": "Checking a report."}, action=f"{page}/suspend")
    response = mod.submit(page, {"reason": ""}, action=f"{page}/restore")
    assert response.status_code == 422
    assert fresh(Clinic, clinic.id).status == "suspended"
    response = mod.submit(page, {"reason": "The report was a mix-up."}, action=f"{page}/restore")
    assert response.status_code == 302
    clinic = fresh(Clinic, clinic.id)
    assert (clinic.status, clinic.suspended_reason) == ("published", None)
    assert client.get(f"/clinics/{clinic.slug}").status_code == 200
    assert actions(clinic.id)[-2:] == ["clinic_suspended", "clinic_restored"]


def test_only_published_listings_can_be_suspended_and_only_suspended_restored(mod):
    pending = make_clinic(status="pending")
    published = make_clinic()
    response = mod.post(f"/moderation/clinics/{pending.id}/suspend", {"reason": "Test."})
    assert response.status_code == 409
    assert "Only a published listing can be suspended" in text_of(response)
    response = mod.post(f"/moderation/clinics/{published.id}/restore", {"reason": "Test."})
    assert response.status_code == 409
    assert fresh(Clinic, pending.id).status == "pending"
    assert fresh(Clinic, published.id).status == "published"


# --- the audit page ------------------------------------------------------------------------


def test_clinic_page_shows_status_revisions_verifications_and_audit(mod, staff):
    revision = submit_new(clean_profile(name="Audited Clinic"), manager=staff.user)
    decide(mod, revision.id, APPROVE)
    html = text_of(mod.get(f"/moderation/clinics/{revision.clinic_id}"))
    assert "Audited Clinic" in html and "Published" in html
    assert staff.user.email in html
    for text in ("Clinic created", "Submitted for review", "Approved and published"):
        assert text in html
    audit = html[html.index('id="audit-heading"') :]
    assert audit.index("Clinic created") < audit.index("Approved and published")
    assert mod.user.email in audit
    verifications = html[html.index('id="verifications-heading"') : html.index('id="audit"')]
    assert "Medical Board of California" in verifications
    assert f"/moderation/revisions/{revision.id}" in html
    assert 'action="/moderation/clinics/' in html and "Suspend listing" in html


# --- what patients see ---------------------------------------------------------------------


def test_expired_verification_shows_as_expired_on_the_listing(client, mod):
    verified = add_months(date.today(), -13)
    clinic = make_clinic(clean_profile(name="Lapsed Clinic"), verified_on=verified)
    html = text_of(client.get(f"/clinics/{clinic.slug}"))
    assert "Verification expired" in html
    assert "Verified on" not in html
    assert "What the check covered" not in html
    assert "Lapsed Clinic" in text_of(mod.get("/moderation"))


def api_results(client, query: str) -> list[dict]:
    response = client.get(f"/api/v1/clinics?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["results"]


def test_expired_verification_drops_out_of_verified_search(client):
    today = date.today()
    lapsed = make_clinic(clean_profile(name="Lapsed Clinic"), verified_on=add_months(today, -13))
    current = make_clinic(
        clean_profile(name="Current Clinic"), verified_on=today - timedelta(days=10)
    )
    everyone = {row["id"]: row for row in api_results(client, "location=92101")}
    assert set(everyone) == {lapsed.id, current.id}
    assert everyone[lapsed.id]["verified"] is False
    assert everyone[current.id]["verified"] is True

    verified = api_results(client, "location=92101&verified=1")
    assert [row["id"] for row in verified] == [current.id]
    for row in verified:
        assert row["verified"] is True
        assert row["verification_expires"] > today.isoformat()
    assert "Verification expired" in text_of(client.get(f"/clinics/{lapsed.slug}"))


def test_sample_verifications_say_what_was_not_checked(client):
    clinic = make_clinic(clean_profile(name="Loader Clinic"))
    html = text_of(client.get(f"/clinics/{clinic.slug}"))
    coverage = html[html.index("What the check covered") :]
    assert "The medical licence was not checked" in coverage
    assert "The address was not checked" in coverage
    assert "The red flags were not reviewed by a moderator" in coverage


# --- the whole loop ------------------------------------------------------------------------


def staff_submits_new_clinic(staff, profile) -> Clinic:
    """Write a new clinic on the dashboard, save it, then submit the saved draft."""
    token, _ = open_form(staff, "/dashboard/clinics/new")
    response = staff.client.post(
        "/dashboard/clinics/new", data={**form_data(profile), "csrf_token": token}
    )
    assert response.status_code == 303, text_of(response)[:500]
    clinic_id = int(re.search(r"/dashboard/clinics/(\d+)/edit", response.headers["Location"])[1])
    staff_submits_draft(staff, clinic_id)
    return db.session.get(Clinic, clinic_id)


def staff_edits_and_submits(staff, clinic_id: int, profile) -> None:
    edit = f"/dashboard/clinics/{clinic_id}/edit"
    token, version = open_form(staff, edit)
    response = staff.client.post(
        edit, data={**form_data(profile), "version": version, "csrf_token": token}
    )
    assert response.status_code == 303, text_of(response)[:500]
    staff_submits_draft(staff, clinic_id)


def staff_submits_draft(staff, clinic_id: int) -> None:
    token, version = open_form(staff, f"/dashboard/clinics/{clinic_id}/edit")
    response = staff.client.post(
        f"/dashboard/clinics/{clinic_id}/submit", data={"csrf_token": token, "version": version}
    )
    assert response.status_code == 303, text_of(response)[:500]
    assert response.headers["Location"] == "/dashboard"


def test_full_loop_from_submission_to_rejected_edit(mod, staff, client):
    staff.login()
    profile = clean_profile(name="Loop Clinic", city="San Diego", zip="92101")
    clinic = staff_submits_new_clinic(staff, profile)
    clinic_id, draft_slug = clinic.id, clinic.slug
    [first] = service.pending_queue(utcnow())
    assert first.clinic_id == clinic_id and first.kind == "new"

    # Not public while it waits.
    assert client.get(f"/clinics/{draft_slug}").status_code == 404
    assert client.get(f"/api/v1/clinics/{clinic_id}").status_code == 404
    assert clinic_id not in [row["id"] for row in api_results(client, "location=92101")]
    assert "Loop Clinic" in text_of(mod.get("/moderation"))

    assert decide(mod, first.revision_id, APPROVE).status_code == 302
    slug = "loop-clinic"  # from the approved name; the draft's address never goes public
    assert client.get(f"/clinics/{draft_slug}").status_code == 404
    today = date.today()
    verified = f"Verified on {today:%B} {today.day}, {today.year}"
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic" in listing and verified in listing
    [found] = api_results(client, "location=92101&verified=1")
    assert (found["id"], found["name"]) == (clinic_id, "Loop Clinic")
    assert found["verified_at"] == today.isoformat()

    # The clinic edits; the public keeps seeing the approved version.
    staff_edits_and_submits(
        staff,
        clinic_id,
        dataclasses.replace(profile, name="Loop Clinic Deluxe", recovery_minutes=15),
    )
    [edit] = service.pending_queue(utcnow())
    assert edit.kind == "edit" and edit.name == "Loop Clinic Deluxe"
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic Deluxe" not in listing and "Loop Clinic" in listing
    assert [row["name"] for row in api_results(client, "location=92101")] == ["Loop Clinic"]

    reason = "Fifteen minutes of recovery is too short after esketamine; please check it."
    assert (
        decide(mod, edit.revision_id, {"decision": "reject", "reason": reason}).status_code == 302
    )
    listing = text_of(client.get(f"/clinics/{slug}"))
    assert "Loop Clinic Deluxe" not in listing and verified in listing
    [found] = api_results(client, "location=92101")
    assert (found["id"], found["name"], found["verified"]) == (clinic_id, "Loop Clinic", True)

    # The clinic reads the reason on its dashboard.
    dashboard = text_of(staff.get("/dashboard"))
    assert str(escape(reason)) in dashboard

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.clinic_id == clinic_id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("clinic_created", staff.user.id),
        ("revision_submitted", staff.user.id),
        ("revision_approved", mod.user.id),
        ("revision_submitted", staff.user.id),
        ("revision_rejected", mod.user.id),
    ]
    assert events[-1].detail == reason
    assert actions(clinic_id) == [e.action for e in events]  # time order agrees with insert order


def test_control_characters_in_a_moderator_text_are_refused_not_stored(mod):
    """A NUL byte pasted into a reason is a clear 422 (PostgreSQL would refuse to store it)."""
    revision = submit_new()
    refused = decide(mod, revision.id, {**APPROVE, "notes": "checked\x00twice"})
    assert refused.status_code == 422
    assert "invisible control characters" in text_of(refused)
    assert decisions_of(revision.id) == []
    clinic = make_clinic()
    suspend = mod.submit(
        f"/moderation/clinics/{clinic.id}",
        {"reason": "closed\x00"},
        action=f"/moderation/clinics/{clinic.id}/suspend",
    )
    assert suspend.status_code == 422
    assert fresh(Clinic, clinic.id).status == "published"


# --- staff accounts ------------------------------------------------------------------------


def test_moderator_suspends_and_restores_a_staff_account(mod, staff, app):
    staff.login()
    assert staff.get("/dashboard").status_code == 200
    listing = text_of(mod.get("/moderation/accounts"))
    assert staff.user.email in listing
    # a reason is required
    refused = mod.submit(
        f"/moderation/accounts/{staff.user.id}",
        {"reason": ""},
        action=f"/moderation/accounts/{staff.user.id}/suspend",
    )
    assert refused.status_code == 422 and "Say why" in text_of(refused)
    answer = mod.submit(
        f"/moderation/accounts/{staff.user.id}",
        {"reason": "Posted fake reviews from several accounts"},
        action=f"/moderation/accounts/{staff.user.id}/suspend",
    )
    assert answer.status_code == 303
    # the running session ends at once, and signing in again is refused
    assert staff.get("/dashboard").status_code == 302
    assert (
        staff.submit(
            "/account/login", {"email": staff.user.email, "password": TEST_PASSWORD}
        ).status_code
        == 403
    )
    page = text_of(mod.get(f"/moderation/accounts/{staff.user.id}"))
    assert "Suspended" in page and "Restore this account" in page

    assert (
        mod.submit(
            f"/moderation/accounts/{staff.user.id}",
            {"reason": "Explained and verified by phone"},
            action=f"/moderation/accounts/{staff.user.id}/restore",
        ).status_code
        == 303
    )
    assert (
        staff.submit(
            "/account/login", {"email": staff.user.email, "password": TEST_PASSWORD}
        ).status_code
        == 303
    )
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.detail)
        .where(AuditEvent.action.in_(["account_suspended", "account_restored"]))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("account_suspended", mod.user.id),
        ("account_restored", mod.user.id),
    ]
    assert "fake reviews" in events[0].detail


def test_staff_cannot_reach_account_moderation_and_moderators_are_not_listed(staff, mod):
    staff.login()
    assert staff.get("/moderation/accounts").status_code == 404
    assert mod.get(f"/moderation/accounts/{mod.user.id}").status_code == 404
