"""A clinic's team: invite by email -> join, roles, remove, leave, the last owner stays.

Invitations travel through a real SMTP server (aiosmtpd) in the test process.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, ClinicManager, User
from portal.teams.models import TeamInvitation
from tests.conftest import Actor
from tests.factories import make_clinic
from tests.mailbox import ClosingClient, link_in, text_of

NEW_PASSWORD = "seven quiet harbour lamps"


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.settings()}


@pytest.fixture
def app(app):
    app.test_client_class = ClosingClient
    return app


@pytest.fixture
def clinic(staff):
    return make_clinic(manager=staff.user)


def page(response) -> str:
    return response.get_data(as_text=True)


def team_url(clinic) -> str:
    return f"/dashboard/clinics/{clinic.id}/team"


def invite(owner, clinic, email: str, role: str = "editor"):
    return owner.submit(
        team_url(clinic), {"email": email, "role": role}, action=f"{team_url(clinic)}/invite"
    )


def roles(clinic) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(
        select(User.email, ClinicManager.role)
        .join(ClinicManager, ClinicManager.user_id == User.id)
        .where(ClinicManager.clinic_id == clinic.id)
    )
    return dict(rows.all())


def audit(clinic) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.clinic_id == clinic.id, AuditEvent.action.like("team_%"))
            .order_by(AuditEvent.id)
        )
    )


def test_invite_a_new_colleague_who_joins_with_a_new_account(app, staff, clinic, mail_server):
    staff.login()
    assert invite(staff, clinic, "Colleague@Harbor.example").status_code == 303
    message = mail_server.last_to("colleague@harbor.example")
    assert clinic.name in message["Subject"]
    assert "7 days" in text_of(message)
    link = link_in(message, "/team/join/")

    newcomer = Actor(app, None, NEW_PASSWORD)
    joined = newcomer.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert joined.status_code == 303
    assert roles(clinic) == {staff.user.email: "owner", "colleague@harbor.example": "editor"}
    account = db.session.scalar(select(User).where(User.email == "colleague@harbor.example"))
    assert account.email_verified  # the link reached the address

    newcomer.user = account
    newcomer.login()
    assert clinic.name in page(newcomer.get("/dashboard"))
    used = newcomer.get(link)
    assert used.status_code == 410
    assert "already used" in page(used)
    assert audit(clinic) == ["team_invited", "team_joined"]


def test_an_invitation_for_an_existing_account_links_it(
    app, staff, clinic, make_actor, mail_server
):
    colleague = make_actor(email="known@harbor.example")
    staff.login()
    invite(staff, clinic, "known@harbor.example", role="owner")
    message = mail_server.last_to("known@harbor.example")
    assert "Sign in with your existing account" in text_of(message)
    link = link_in(message, "/team/join/")

    anonymous = colleague.get(link)
    assert "already has an account" in page(anonymous)
    assert "Create my account" not in page(anonymous)
    colleague.login()
    assert colleague.submit(link).status_code == 303
    assert roles(clinic)["known@harbor.example"] == "owner"
    assert db.session.scalar(select(User.id).where(User.email == "known@harbor.example")) == (
        colleague.user.id
    )  # no second account


def test_an_invitation_opened_by_another_account_is_refused_clearly(
    staff, clinic, other_staff, mail_server
):
    staff.login()
    invite(staff, clinic, "someone@harbor.example")
    link = link_in(mail_server.last_to("someone@harbor.example"), "/team/join/")
    other_staff.login()
    response = other_staff.submit(link)
    assert response.status_code == 403
    assert "This invitation is for someone@harbor.example" in page(response)
    assert other_staff.user.email not in roles(clinic)


def test_expired_forged_and_withdrawn_invitations_get_a_clear_page(app, staff, clinic, mail_server):
    staff.login()
    invite(staff, clinic, "late@harbor.example")
    link = link_in(mail_server.last_to("late@harbor.example"), "/team/join/")
    invitation = db.session.scalar(select(TeamInvitation))
    invitation.expires_at = invitation.created_at  # a week has passed
    db.session.commit()
    expired = staff.client.get(link)
    assert expired.status_code == 410
    assert "too old" in page(expired)
    assert "Ask the colleague who invited you" in page(expired)
    assert staff.client.get("/team/join/forged").status_code == 400

    invite(staff, clinic, "late@harbor.example")
    fresh = link_in(mail_server.last_to("late@harbor.example"), "/team/join/")
    open_one = db.session.scalar(
        select(TeamInvitation)
        .where(TeamInvitation.revoked_at.is_(None))
        .order_by(TeamInvitation.id.desc())
    )
    url = f"{team_url(clinic)}/invitations/{open_one.id}/revoke"
    assert staff.submit(team_url(clinic), action=url).status_code == 303
    assert staff.client.get(fresh).status_code == 410


def test_the_last_owner_cannot_leave_or_become_editor(staff, clinic):
    staff.login()
    leave = staff.submit(team_url(clinic), action=f"{team_url(clinic)}/leave")
    assert leave.status_code == 409
    assert "only owner" in page(leave)
    assert roles(clinic) == {staff.user.email: "owner"}


def test_owners_change_roles_and_remove_editors_cannot(staff, clinic, make_actor):
    editor = make_actor()
    second = make_actor()
    db.session.add_all(
        [
            ClinicManager(user_id=editor.user.id, clinic_id=clinic.id, role="editor"),
            ClinicManager(user_id=second.user.id, clinic_id=clinic.id, role="editor"),
        ]
    )
    db.session.commit()

    editor.login()
    refused = editor.submit(
        team_url(clinic), action=f"{team_url(clinic)}/members/{second.user.id}/remove"
    )
    assert refused.status_code == 403
    assert "Only the clinic&#39;s owners can change its team." in page(refused)
    assert "Invite a colleague" not in page(editor.get(team_url(clinic)))

    staff.login()
    promote = staff.submit(
        team_url(clinic),
        {"role": "owner"},
        action=f"{team_url(clinic)}/members/{editor.user.id}/role",
    )
    assert promote.status_code == 303
    removed = staff.submit(
        team_url(clinic), action=f"{team_url(clinic)}/members/{second.user.id}/remove"
    )
    assert removed.status_code == 303
    assert roles(clinic) == {staff.user.email: "owner", editor.user.email: "owner"}
    # Now there are two owners, so one may leave.
    assert staff.submit(team_url(clinic), action=f"{team_url(clinic)}/leave").status_code == 303
    assert roles(clinic) == {editor.user.email: "owner"}
    assert staff.get(team_url(clinic)).status_code == 404  # no longer on the team
    assert audit(clinic) == ["team_role_changed", "team_removed", "team_left"]


def test_an_invitation_form_with_a_mistake_keeps_what_was_typed(staff, clinic, mail_server):
    staff.login()
    response = invite(staff, clinic, "not-an-address")
    assert response.status_code == 422
    assert 'value="not-an-address"' in page(response)
    assert db.session.scalar(select(TeamInvitation)) is None


def test_inviting_a_current_member_is_refused(staff, clinic):
    staff.login()
    response = invite(staff, clinic, staff.user.email)
    assert response.status_code == 422
    assert "already on this clinic&#39;s team" in page(response)


def test_other_clinics_teams_look_missing(staff, clinic, other_staff):
    other_staff.login()
    assert other_staff.get(team_url(clinic)).status_code == 404
    invited = invite(other_staff, clinic, "someone@harbor.example")
    assert invited.status_code == 404
    assert db.session.scalar(select(TeamInvitation)) is None
