"""The dashboard: clinic staff write, submit and follow their own listings, and nothing is lost."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal import listings
from portal.extensions import db
from portal.listings.slugs import is_provisional
from portal.models import (
    AuditEvent,
    Clinic,
    ClinicManager,
    ClinicRevision,
    ReviewDecision,
    User,
)
from portal.profile import FIELD_LABELS, Profile
from tests.conftest import csrf_token_from
from tests.factories import clean_profile, make_clinic, make_user
from tests.helpers import (
    VERSION_PATTERN,
    edit_url,
    form_data,
    html_of,
    open_form,
    send,
    stored_draft,
)


def save(actor, clinic: Clinic, profile: Profile, **extra):
    return send(actor, edit_url(clinic), form_data(profile, **extra))


def submit_saved(actor, clinic: Clinic):
    token, version = open_form(actor, edit_url(clinic))
    return actor.client.post(
        f"/dashboard/clinics/{clinic.id}/submit", data={"csrf_token": token, "version": version}
    )


def revisions_of(clinic_id: int) -> list[ClinicRevision]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ClinicRevision)
            .where(ClinicRevision.clinic_id == clinic_id)
            .order_by(ClinicRevision.number)
        )
    )


def is_checked(page: str, name: str, value: str | None = None) -> bool:
    """Whether the page's checkbox or radio button `name` (with `value`) is ticked."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return re.search(r"\schecked[\s>]", tag) is not None
    raise AssertionError(f"no input {name}={value}")


def approve(clinic: Clinic, reason: str = "") -> None:
    revision = listings.pending_revision(clinic)
    listings.publish_revision(
        revision,
        moderator=None,
        today=date.today(),
        checklist=listings.Checklist(),
        coordinates=(32.7185, -117.1593),
        reason=reason,
    )
    db.session.commit()


def decide(clinic: Clinic, outcome: str, reason: str) -> None:
    """Record a moderator's refusal the way the moderation queue stores it."""
    revision = listings.pending_revision(clinic)
    db.session.add(ReviewDecision(revision_id=revision.id, outcome=outcome, reason=reason))
    if outcome == "reject" and clinic.status == "pending":
        clinic.status = "rejected"
    db.session.commit()


# --- the whole path -----------------------------------------------------------------------


def test_register_write_fail_submit_publish_and_edit(app, browser, moderator):
    password = "four calm words together"
    browser.submit(
        "/account/register",
        {"email": "owner@clinic.example", "password": password, "password_confirm": password},
    )
    response = browser.submit(
        "/account/login", {"email": "owner@clinic.example", "password": password}
    )
    assert response.headers["Location"] == "/dashboard"
    assert "You have no clinics yet" in html_of(browser.get("/dashboard"))

    # A first draft needs only a name.
    response = send(
        browser, "/dashboard/clinics/new", form_data(Profile(name="Quiet Harbor Clinic"))
    )
    assert response.status_code == 303
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == "Quiet Harbor Clinic"))
    assert response.headers["Location"] == edit_url(clinic)
    owner = db.session.scalar(select(User).where(User.email == "owner@clinic.example"))
    assert [manager.id for manager in clinic.managers] == [owner.id]
    assert "Draft" in html_of(browser.get("/dashboard"))

    # A failed save keeps every answer typed, checkboxes included, and stores nothing.
    full = clean_profile(name="Quiet Harbor Clinic", description="We listen first.")
    typed = form_data(full, phone="555-01", price_min="900", price_max="500")
    response = send(browser, edit_url(clinic), typed)
    assert response.status_code == 422
    page = html_of(response)
    assert "Use a US phone number with its area code" in page
    assert "The highest price cannot be lower than the lowest price." in page
    for value in ('value="555-01"', 'value="900"', 'value="500"', "We listen first.",
                  'value="100 Test Street"', 'value="2500"'):  # fmt: skip
        assert value in page, value
    for name, code in (("routes", "iv"), ("routes", "esketamine"), ("conditions", "ptsd")):
        assert is_checked(page, name, code), code
    assert is_checked(page, "physician_on_site")
    assert not is_checked(page, "monitors_ecg")
    assert not is_checked(page, "routes", "oral")
    assert is_checked(page, "therapy", "in_house")
    assert stored_draft(clinic.id) == Profile(name="Quiet Harbor Clinic")

    # Fixed, saved, then submitted: pending, and still not public.
    assert send(browser, edit_url(clinic), form_data(full)).status_code == 303
    assert stored_draft(clinic.id) == full
    token, version = open_form(browser, edit_url(clinic))
    response = browser.client.post(
        f"/dashboard/clinics/{clinic.id}/submit", data={"csrf_token": token, "version": version}
    )
    assert response.status_code == 303
    dashboard = html_of(browser.get("/dashboard"))
    assert "Pending review" in dashboard
    assert browser.get(f"/clinics/{clinic.slug}").status_code == 404

    # A moderator approves it: published, and the public page shows it.
    approve(clinic)
    assert "Published" in html_of(browser.get("/dashboard"))
    assert "Quiet Harbor Clinic" in html_of(browser.get(f"/clinics/{clinic.slug}"))

    # An edit to the published listing waits for review; the public page stays as it was.
    renamed = replace(full, name="Renamed Harbor Clinic", price_min=999, price_max=1500)
    response = send(browser, edit_url(clinic), form_data(renamed), action="submit")
    assert response.status_code == 303
    public = html_of(browser.get(f"/clinics/{clinic.slug}"))
    assert "Quiet Harbor Clinic" in public
    assert "Renamed Harbor Clinic" not in public
    assert "$999" not in public and "$450–$700" in public
    dashboard = html_of(browser.get("/dashboard"))
    assert "Pending review" in dashboard
    assert "Patients see your last approved version" in dashboard
    [first, second] = revisions_of(clinic.id)
    assert (first.kind, second.kind) == ("new", "edit")
    assert second.profile == renamed


def test_edit_to_a_published_listing_waits_for_review(staff):
    clinic = make_clinic(clean_profile(name="Harbor Original"), manager=staff.user)
    staff.login()
    edited = replace(clinic.profile, name="Harbor Changed", therapy="none")
    assert save(staff, clinic, edited).status_code == 303
    assert submit_saved(staff, clinic).status_code == 303

    public = html_of(staff.client.get(f"/clinics/{clinic.slug}"))
    assert "Harbor Original" in public and "Harbor Changed" not in public
    assert "Therapy offered in house" in public
    db.session.expire_all()
    assert clinic.status == "published"
    assert clinic.name == "Harbor Original"
    status = listings.workflow_status(clinic)
    assert (status.code, status.is_public) == ("pending", True)


# --- access -------------------------------------------------------------------------------


def dashboard_routes(clinic_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/dashboard"),
        ("GET", "/dashboard/clinics/new"),
        ("POST", "/dashboard/clinics/new"),
        ("GET", f"/dashboard/clinics/{clinic_id}/edit"),
        ("POST", f"/dashboard/clinics/{clinic_id}/edit"),
        ("POST", f"/dashboard/clinics/{clinic_id}/submit"),
        ("GET", f"/dashboard/clinics/{clinic_id}/history"),
        ("GET", f"/dashboard/clinics/{clinic_id}/revisions/1"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(app, browser, staff):
    clinic = make_clinic(manager=staff.user)
    clinics_before = db.session.scalar(select(func.count()).select_from(Clinic))
    for method, url in dashboard_routes(clinic.id):
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.post(
                url, form_data(clean_profile(name="Sneaky")), token_from="/account/login"
            )
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/account/login?next="), url
    assert db.session.scalar(select(func.count()).select_from(Clinic)) == clinics_before


def test_other_clinics_staff_get_404_everywhere(staff, other_staff):
    clinic = make_clinic(clean_profile(name="Not Yours Clinic"), manager=staff.user)
    draft_before = stored_draft(clinic.id)
    other_staff.login()
    for method, url in dashboard_routes(clinic.id)[3:] + [
        ("GET", "/dashboard/clinics/999999/edit"),
        ("POST", "/dashboard/clinics/999999/submit"),
        ("GET", "/dashboard/clinics/999999/history"),
    ]:
        if method == "GET":
            response = other_staff.client.get(url)
        else:
            data = form_data(clean_profile(name="Hijacked"), version="1")
            response = other_staff.post(url, data, token_from="/dashboard/clinics/new")
        assert response.status_code == 404, url
        assert "Not Yours Clinic" not in html_of(response)
    assert "Not Yours Clinic" not in html_of(other_staff.client.get("/dashboard"))
    assert stored_draft(clinic.id) == draft_before
    assert len(revisions_of(clinic.id)) == 1


def test_moderators_are_refused_on_every_dashboard_route(moderator, staff):
    clinic = make_clinic(manager=staff.user)
    moderator.login()
    for method, url in dashboard_routes(clinic.id):
        if method == "GET":
            response = moderator.client.get(url)
        else:
            data = form_data(clean_profile(name="Moderator Made"), version="1")
            response = moderator.post(url, data, token_from="/account/password")
        assert response.status_code == 403, url
    assert db.session.scalar(select(Clinic).where(Clinic.name == "Moderator Made")) is None


@pytest.mark.parametrize("route", ["new", "edit", "submit"])
def test_dashboard_posts_without_csrf_token_are_refused(staff, route):
    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    url = {
        "new": "/dashboard/clinics/new",
        "edit": edit_url(clinic),
        "submit": f"/dashboard/clinics/{clinic.id}/submit",
    }[route]
    version = open_form(staff, edit_url(clinic))[1]
    data = form_data(clean_profile(name="No Token Clinic"), version=version, action="submit")
    response = staff.client.post(url, data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(Clinic).where(Clinic.name == "No Token Clinic")) is None
    assert stored_draft(clinic.id).name != "No Token Clinic"
    assert revisions_of(clinic.id) == []


def test_no_get_changes_anything(staff):
    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for url in ("/dashboard", "/dashboard/clinics/new", edit_url(clinic),
                f"/dashboard/clinics/{clinic.id}/history",
                f"/dashboard/clinics/{clinic.id}/submit?version=1",
                f"/dashboard/clinics/{clinic.id}/edit?name=Changed&action=submit"):  # fmt: skip
        assert staff.client.get(url).status_code in (200, 405)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert revisions_of(clinic.id) == []
    assert stored_draft(clinic.id).name == clinic.name


def test_privileged_fields_in_a_staff_post_change_nothing(staff, other_staff):
    clinic = make_clinic(clean_profile(name="Plain Clinic"), status="pending", manager=staff.user)
    before = (clinic.status, clinic.slug, clinic.verified_at, clinic.verification_expires,
              clinic.published_revision_id, clinic.is_sample, clinic.lat, clinic.lng)  # fmt: skip
    staff.login()
    privileged = {
        "status": "published",
        "verified_at": "2026-01-01",
        "verification_expires": "2099-01-01",
        "slug": "taken-over",
        "managers": str(other_staff.user.id),
        "manager_ids": str(other_staff.user.id),
        "published_revision_id": "1",
        "is_sample": "y",
        "lat": "1",
        "lng": "1",
        "id": "999",
        "clinic_id": "999",
        "role": "moderator",
    }
    edited = replace(listings.working_profile(clinic), description="Only this may change.")
    response = send(staff, edit_url(clinic), form_data(edited, **privileged), action="submit")
    assert response.status_code == 303, re.findall(r'class="error">[^<]*', html_of(response))
    db.session.expire_all()
    clinic = db.session.get(Clinic, clinic.id)
    after = (clinic.status, clinic.slug, clinic.verified_at, clinic.verification_expires,
             clinic.published_revision_id, clinic.is_sample, clinic.lat, clinic.lng)  # fmt: skip
    assert after == before
    assert [m.id for m in clinic.managers] == [staff.user.id]
    assert db.session.get(User, staff.user.id).role == "clinic_staff"
    assert stored_draft(clinic.id) == edited

    # Creating a clinic with the same extras: a plain draft managed by its creator only.
    response = send(
        staff, "/dashboard/clinics/new", form_data(Profile(name="Fresh Clinic"), **privileged)
    )
    assert response.status_code == 303
    fresh = db.session.scalar(select(Clinic).where(Clinic.name == "Fresh Clinic"))
    assert (fresh.status, fresh.verified_at, fresh.published_revision_id) == ("draft", None, None)
    assert is_provisional(fresh.slug)  # the public address waits for the approved name
    assert [m.id for m in fresh.managers] == [staff.user.id]
    assert db.session.scalar(
        select(func.count()).select_from(ClinicManager).where(
            ClinicManager.user_id == other_staff.user.id
        )
    ) == 0  # fmt: skip


# --- nothing is lost ----------------------------------------------------------------------


def test_five_edits_make_five_revisions_with_their_exact_content(staff):
    clinic = make_clinic(
        clean_profile(name="Five Times Clinic"), status="draft", manager=staff.user
    )
    staff.login()
    sent = []
    for number in range(1, 6):
        profile = clean_profile(
            name="Five Times Clinic",
            description=f"Version {number}: première visite\nsecond line — “quoted” & <b>bold</b>",
            treatments_administered=1000 + number,
            price_min=400 + number,
            price_max=800 + number,
            routes=("iv",) if number % 2 else ("iv", "im", "oral"),
            monitors_ecg=number % 2 == 0,
            therapy_notes="" if number == 3 else f"Integration session {number}",
        )
        assert save(staff, clinic, profile).status_code == 303
        assert submit_saved(staff, clinic).status_code == 303
        sent.append(profile)

    revisions = revisions_of(clinic.id)
    assert [r.number for r in revisions] == [1, 2, 3, 4, 5]
    for revision, profile in zip(revisions, sent, strict=True):
        assert revision.data == profile.to_dict()
        assert revision.submitted_by_id == staff.user.id

    history = html_of(staff.client.get(f"/dashboard/clinics/{clinic.id}/history"))
    for number in range(1, 6):
        assert f"Version {number}</a>" in history
    assert history.count("Replaced by a newer submission before review") == 4
    assert history.count("Waiting for review") == 1
    for number, profile in enumerate(sent, start=1):
        page = html_of(staff.client.get(f"/dashboard/clinics/{clinic.id}/revisions/{number}"))
        assert str(escape(profile.description)) in page
        assert "<b>bold</b>" not in page
        assert f"{profile.treatments_administered:,}" in page


def test_a_stale_second_tab_is_refused_and_changes_nothing(staff):
    clinic = make_clinic(clean_profile(name="Two Tabs Clinic"), status="draft", manager=staff.user)
    staff.login()
    first_tab = open_form(staff, edit_url(clinic))
    second_tab = open_form(staff, edit_url(clinic))
    assert first_tab[1] == second_tab[1] != ""

    saved = clean_profile(name="Two Tabs Clinic", description="Saved from the first tab.")
    response = send(staff, edit_url(clinic), form_data(saved), tab=first_tab)
    assert response.status_code == 303

    late = clean_profile(name="Two Tabs Clinic", description="Typed in the second tab.")
    response = send(
        staff, edit_url(clinic), form_data(late, phone="(212) 555-0199"), tab=second_tab
    )
    assert response.status_code == 409
    page = html_of(response)
    assert "changed in another window or by a colleague" in page
    assert "Typed in the second tab." in page
    assert 'value="(212) 555-0199"' in page
    assert f'name="version" type="hidden" value="{second_tab[1]}"' in page  # still refused
    assert stored_draft(clinic.id) == saved

    # The same tab sent again is still refused; a form without a version is refused too.
    assert send(staff, edit_url(clinic), form_data(late), tab=second_tab).status_code == 409
    no_version = form_data(late, version="")
    assert send(staff, edit_url(clinic), no_version).status_code in (409,)
    assert stored_draft(clinic.id) == saved


def test_submitting_a_draft_that_changed_since_it_was_shown_is_refused(staff):
    clinic = make_clinic(clean_profile(name="Shown Clinic"), status="draft", manager=staff.user)
    staff.login()
    dashboard = html_of(staff.client.get("/dashboard"))
    shown_version = re.search(r'name="version" value="(\d+)"', dashboard).group(1)
    token = csrf_token_from(dashboard)
    assert (
        save(staff, clinic, clean_profile(name="Shown Clinic", city="La Jolla")).status_code == 303
    )
    response = staff.client.post(
        f"/dashboard/clinics/{clinic.id}/submit",
        data={"csrf_token": token, "version": shown_version},
    )
    assert response.status_code == 409
    assert "did not submit it" in html_of(response)
    assert revisions_of(clinic.id) == []


def assert_names_missing(page: str, missing: list[str]) -> None:
    assert "Still needed before review" in page
    for name in missing:
        assert f'<a href="#{name}">{escape(FIELD_LABELS[name])}</a>' in page
    assert page.count("Needed before you can submit for review.") == len(missing)


def test_submitting_an_incomplete_profile_names_what_is_missing(staff):
    staff.login()
    half = Profile(name="Half Done Clinic", city="San Diego", phone="6195550100")
    response = send(staff, "/dashboard/clinics/new", form_data(half), action="submit")
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == "Half Done Clinic"))
    # A new clinic is saved, then shown by a redirect: reloading cannot make a second one.
    assert response.status_code == 303
    assert response.headers["Location"] == edit_url(clinic) + "?check=1"
    page = html_of(staff.client.get(response.headers["Location"]))
    missing = Profile(name="x", city="x", phone="x").missing_for_submission()
    assert_names_missing(page, missing)
    assert "Your changes are saved as a draft" in page
    assert stored_draft(clinic.id).city == "San Diego"
    assert revisions_of(clinic.id) == []

    # The same from the edit page: 422, with everything typed still in the form.
    typed = form_data(replace(half, city="La Mesa"), phone="619 555 0100")
    response = send(staff, edit_url(clinic), typed, action="submit")
    assert response.status_code == 422
    page = html_of(response)
    assert_names_missing(page, missing)
    assert 'value="619 555 0100"' in page and 'value="La Mesa"' in page
    assert stored_draft(clinic.id).city == "La Mesa"  # saved even though not submitted
    assert revisions_of(clinic.id) == []
    # The form carries the new version, so the next save is not refused as stale.
    assert (
        send(
            staff,
            edit_url(clinic),
            typed,
            tab=(csrf_token_from(page), VERSION_PATTERN.search(page).group(1)),
        ).status_code
        == 303
    )

    # The dashboard's submit button names the gaps too.
    response = submit_saved(staff, clinic)
    assert response.status_code == 422
    assert_names_missing(html_of(response), missing)
    assert revisions_of(clinic.id) == []


def test_the_same_version_is_not_sent_twice(staff):
    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    assert submit_saved(staff, clinic).status_code == 303
    response = submit_saved(staff, clinic)
    assert response.status_code == 409
    assert "already waiting for review" in html_of(response)
    assert len(revisions_of(clinic.id)) == 1


# --- dashboard and history ----------------------------------------------------------------


def test_dashboard_shows_each_clinic_with_status_decision_and_message(staff, other_staff):
    draft = make_clinic(clean_profile(name="Alpha Draft"), status="draft", manager=staff.user)
    pending = make_clinic(clean_profile(name="Bravo Pending"), status="pending", manager=staff.user)
    published = make_clinic(clean_profile(name="Charlie Live"), manager=staff.user)
    asked = make_clinic(clean_profile(name="Delta Asked"), status="pending", manager=staff.user)
    decide(asked, "request_changes", "Please state your recovery time in minutes.")
    refused = make_clinic(clean_profile(name="Echo Refused"), status="pending", manager=staff.user)
    decide(refused, "reject", "We could not confirm this clinic exists.")
    make_clinic(clean_profile(name="Foxtrot Not Mine"), manager=other_staff.user)

    staff.login()
    page = html_of(staff.client.get("/dashboard"))
    assert "Foxtrot Not Mine" not in page
    cards = {
        clinic.name: page[page.index(f'id="clinic-{clinic.id}"') :].split("</li>")[0]
        for clinic in (draft, pending, published, asked, refused)
    }
    assert 'class="status status-draft">Draft<' in cards["Alpha Draft"]
    assert 'status-pending">Pending review<' in cards["Bravo Pending"]
    assert 'status-published">Published<' in cards["Charlie Live"]
    assert 'status-changes_requested">Changes requested<' in cards["Delta Asked"]
    assert 'status-rejected">Rejected<' in cards["Echo Refused"]
    today = date.today()
    when = f"{today:%B} {today.day}, {today.year}"
    assert f"Changes requested on {when}" in cards["Delta Asked"]
    assert "Please state your recovery time in minutes." in cards["Delta Asked"]
    assert f"Rejected on {when}" in cards["Echo Refused"]
    assert "We could not confirm this clinic exists." in cards["Echo Refused"]
    assert f"Approved on {when}" in cards["Charlie Live"]
    assert "No decision yet." in cards["Alpha Draft"]
    assert "No decision yet." in cards["Bravo Pending"]
    assert f'href="/clinics/{published.slug}"' in cards["Charlie Live"]
    assert 'href="/clinics/' not in cards["Bravo Pending"]


def test_workflow_status_follows_the_newest_submission(staff):
    clinic = make_clinic(status="draft", manager=staff.user)
    status = listings.workflow_status(clinic)
    assert (status.code, status.is_public, status.unsubmitted_changes) == ("draft", False, True)

    listings.submit_revision(clinic, user=staff.user)
    db.session.commit()
    status = listings.workflow_status(clinic)
    assert (status.code, status.unsubmitted_changes, status.last_decision) == (
        "pending", False, None
    )  # fmt: skip

    decide(clinic, "request_changes", "Add your NPI.")
    status = listings.workflow_status(clinic)
    assert status.code == "changes_requested"
    assert status.last_decision.reason == "Add your NPI."

    listings.save_draft(
        clinic, replace(clinic.draft.profile, npi="1234567893", city="Chula Vista"),
        expected_version=clinic.draft.version, user=staff.user,
    )  # fmt: skip
    assert listings.workflow_status(clinic).unsubmitted_changes is True
    listings.submit_revision(clinic, user=staff.user)
    db.session.commit()
    status = listings.workflow_status(clinic)
    assert status.code == "pending"
    assert status.last_decision.reason == "Add your NPI."  # the last decision stays visible

    approve(clinic)
    status = listings.workflow_status(clinic)
    assert (status.code, status.is_public) == ("published", True)
    assert status.last_decision.outcome == "approve"

    clinic.status = "suspended"
    db.session.commit()
    status = listings.workflow_status(clinic)
    assert (status.code, status.is_public) == ("suspended", False)


def test_history_lists_every_revision_and_shows_each_frozen(staff):
    clinic = make_clinic(clean_profile(name="History Clinic"), manager=staff.user)  # rev 1 approved
    staff.login()
    save(staff, clinic, replace(clinic.profile, price_min=500))
    submit_saved(staff, clinic)  # rev 2
    decide(clinic, "reject", "The price does not match your website.")
    save(staff, clinic, replace(clinic.profile, price_min=520))
    submit_saved(staff, clinic)  # rev 3, waiting

    page = html_of(staff.client.get(f"/dashboard/clinics/{clinic.id}/history"))
    rows = {n: page[page.index(f'id="version-{n}"') :].split("</tr>")[0] for n in (1, 2, 3)}
    assert "New listing" in rows[1] and "Approved" in rows[1] and "What patients see" in rows[1]
    assert "Update to the listing" in rows[2] and "Rejected" in rows[2]
    assert "The price does not match your website." in rows[2]
    assert "Waiting for review" in rows[3] and "What patients see" not in rows[3]
    today = date.today()
    for row in rows.values():
        assert f"{today:%B} {today.day}, {today.year}" in row

    second = html_of(staff.client.get(f"/dashboard/clinics/{clinic.id}/revisions/2"))
    assert "$500" in second and "$520" not in second
    assert "The price does not match your website." in second
    third = html_of(staff.client.get(f"/dashboard/clinics/{clinic.id}/revisions/3"))
    assert "$520" in third
    assert staff.client.get(f"/dashboard/clinics/{clinic.id}/revisions/4").status_code == 404


@pytest.mark.skipif(
    "postgresql" not in (__import__("os").environ.get("TEST_DATABASE_URL") or ""),
    reason="row locks are a PostgreSQL feature; SQLite serialises writers with BEGIN IMMEDIATE",
)
def test_saving_a_draft_locks_its_row_before_reading_it(app, staff):
    """Another transaction holds FOR KEY SHARE on the draft: a plain UPDATE would not wait
    for it, but SELECT ... FOR UPDATE does, so the save times out only if it locks first."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    clinic = make_clinic(status="draft", manager=staff.user)
    version = clinic.draft.version
    other = db.engine.connect()
    held = other.begin()
    other.execute(
        text("SELECT id FROM clinic_drafts WHERE clinic_id = :id FOR KEY SHARE"), {"id": clinic.id}
    )
    try:
        db.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock"):
            listings.save_draft(
                clinic, clean_profile(name="Blocked"), expected_version=version, user=staff.user
            )
        db.session.rollback()
    finally:
        held.rollback()
        other.close()
    assert stored_draft(clinic.id).name != "Blocked"


def test_a_new_staff_member_sees_only_their_own_clinics(staff):
    mine = make_clinic(clean_profile(name="Mine Clinic"), manager=staff.user)
    stranger = make_user(email="stranger@clinic.example")
    make_clinic(clean_profile(name="Stranger Clinic"), manager=stranger)
    staff.login()
    page = html_of(staff.client.get("/dashboard"))
    assert "Mine Clinic" in page and "Stranger Clinic" not in page
    assert f'href="{edit_url(mine)}"' in page


def test_renaming_a_new_clinic_under_review_shows_the_new_name_on_the_dashboard(staff):
    """Before its first approval a clinic's name is the staff's latest; afterwards it waits."""
    waiting = make_clinic(clean_profile(name="Alpha Pending"), status="pending", manager=staff.user)
    live = make_clinic(clean_profile(name="Bravo Live"), manager=staff.user)
    staff.login()
    assert save(staff, waiting, clean_profile(name="Alpha Renamed")).status_code == 303
    assert save(staff, live, clean_profile(name="Bravo Renamed")).status_code == 303
    page = html_of(staff.client.get("/dashboard"))
    assert "Alpha Renamed" in page
    assert "Alpha Pending" not in page
    db.session.expire_all()
    assert db.session.get(Clinic, live.id).name == "Bravo Live"  # public name waits for review


def test_a_form_left_open_too_long_comes_back_with_everything_typed(app, staff):
    """An expired CSRF token on the profile form: 400, nothing saved, the typed text shown again
    with a fresh token, so one more click saves it."""
    from tests.helpers import expired_token

    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    token, version = open_form(staff, edit_url(clinic))
    typed = clean_profile(name="Typed For An Hour", safety_notes="Two nurses, every minute.")
    expired = expired_token(app, staff.client)
    payload = {"version": version, **form_data(typed), "csrf_token": expired, "action": "save"}
    response = staff.client.post(edit_url(clinic), data=payload)
    page = html_of(response)
    assert response.status_code == 400
    assert "its security check ran out and nothing was saved" in page
    assert 'value="Typed For An Hour"' in page
    assert "Two nurses, every minute." in page
    assert stored_draft(clinic.id).name != "Typed For An Hour"
    fresh_token = csrf_token_from(page)
    assert fresh_token != expired
    again = staff.client.post(edit_url(clinic), data={**payload, "csrf_token": fresh_token})
    assert again.status_code == 303
    assert stored_draft(clinic.id).safety_notes == "Two nurses, every minute."


def test_a_forged_profile_post_still_gets_the_plain_refusal(app, staff):
    """A token from another session, or a post from another site, is not shown back."""
    from tests.helpers import anon_token, expired_token

    clinic = make_clinic(status="draft", manager=staff.user)
    staff.login()
    _token, version = open_form(staff, edit_url(clinic))
    data = {"version": version, **form_data(clean_profile(name="Planted")), "action": "save"}
    other = anon_token(app.test_client())
    page = html_of(staff.client.post(edit_url(clinic), data={**data, "csrf_token": other}))
    assert "Planted" not in page
    expired = expired_token(app, staff.client)
    cross_site = staff.client.post(
        edit_url(clinic),
        data={**data, "csrf_token": expired},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 400
    assert "Planted" not in html_of(cross_site)
