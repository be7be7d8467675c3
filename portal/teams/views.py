"""HTTP handlers of the team pages and the invitation link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import limits, security
from portal.accounts.recovery_views import link_problem
from portal.accounts.service import find_user
from portal.accounts.tokens import TokenProblem
from portal.auth import staff_required
from portal.extensions import db
from portal.models import Clinic, utcnow
from portal.teams import bp, service
from portal.teams.forms import InviteForm, JoinWithNewAccountForm, RoleForm


def _team_clinic(clinic_id: int) -> Clinic:
    """The clinic, only for its own team; others' clinics look like missing ones."""
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None or service.membership(clinic_id, current_user) is None:
        abort(404)
    return clinic


def _render_team(clinic: Clinic, form: InviteForm | None = None, *, problem: str = "", status=200):
    me = service.membership(clinic.id, current_user)
    return render_template(
        "teams/team.html",
        clinic=clinic,
        me=me,
        members=service.members(clinic),
        invitations=service.open_invitations(clinic, utcnow()),
        form=form or InviteForm(formdata=None),
        role_form=RoleForm(formdata=None),
        problem=problem,
    ), status


def _done(clinic: Clinic, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("teams.team", clinic_id=clinic.id), code=303)


def _refused(clinic: Clinic, error: service.TeamError, form: InviteForm | None = None):
    db.session.rollback()
    return _render_team(clinic, form, problem=str(error), status=error.status)


@bp.get("/dashboard/clinics/<int:clinic_id>/team")
@staff_required
def team(clinic_id: int):
    return _render_team(_team_clinic(clinic_id))


@bp.post("/dashboard/clinics/<int:clinic_id>/team/invite")
@staff_required
@limits.profile_writes
def invite(clinic_id: int):
    clinic = _team_clinic(clinic_id)
    form = InviteForm()
    if not form.validate():
        return _render_team(clinic, form, status=422)
    try:
        service.invite(clinic, current_user, form.email.data, form.role.data, utcnow())
    except service.TeamError as error:
        return _refused(clinic, error, form)
    security.event("team_invited", clinic=clinic.id)
    return _done(clinic, f"We sent an invitation to {form.email.data}. It works for 7 days.")


@bp.post("/dashboard/clinics/<int:clinic_id>/team/invitations/<int:invitation_id>/revoke")
@staff_required
def revoke(clinic_id: int, invitation_id: int):
    clinic = _team_clinic(clinic_id)
    try:
        service.revoke(clinic, current_user, invitation_id, utcnow())
    except service.TeamError as error:
        return _refused(clinic, error)
    return _done(clinic, "The invitation is withdrawn; its link no longer works.")


@bp.post("/dashboard/clinics/<int:clinic_id>/team/members/<int:user_id>/remove")
@staff_required
def remove(clinic_id: int, user_id: int):
    clinic = _team_clinic(clinic_id)
    try:
        service.remove(clinic, current_user, user_id)
    except service.TeamError as error:
        return _refused(clinic, error)
    return _done(clinic, "Removed from the team.")


@bp.post("/dashboard/clinics/<int:clinic_id>/team/members/<int:user_id>/role")
@staff_required
def change_role(clinic_id: int, user_id: int):
    clinic = _team_clinic(clinic_id)
    form = RoleForm()
    if not form.validate():
        return _render_team(clinic, problem="Choose owner or editor.", status=422)
    try:
        service.change_role(clinic, current_user, user_id, form.role.data)
    except service.TeamError as error:
        return _refused(clinic, error)
    return _done(clinic, "The role is changed.")


@bp.post("/dashboard/clinics/<int:clinic_id>/team/leave")
@staff_required
def leave(clinic_id: int):
    clinic = _team_clinic(clinic_id)
    try:
        service.leave(clinic, current_user)
    except service.TeamError as error:
        return _refused(clinic, error)
    db.session.commit()
    flash(f"You left the team of {clinic.name}.", "success")
    return redirect(url_for("dashboard.index"), code=303)


@bp.route("/team/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Signed in: join with this account. Not signed in: sign in, or create the invited account."""
    now = utcnow()
    try:
        invitation = service.find_invitation(token, now)
    except TokenProblem as problem:
        return link_problem("invite", problem)
    has_account = find_user(invitation.email) is not None
    form = JoinWithNewAccountForm()
    page = {"invitation": invitation, "token": token, "has_account": has_account, "form": form}
    if not form.is_submitted():
        return render_template("teams/join.html", **page)
    try:
        if current_user.is_authenticated:
            service.accept(token, current_user, now)
            message = f"You are now on the team of {invitation.clinic.name}."
            target = url_for("dashboard.index")
        else:
            if has_account or not form.validate():
                return render_template("teams/join.html", **page), 422
            service.accept_with_new_account(token, form.password.data, now)
            message = (
                f"Your account is ready and on the team of {invitation.clinic.name}. "
                "Sign in with your address and the password you chose."
            )
            target = url_for("accounts.login")
    except TokenProblem as problem:
        db.session.rollback()
        return link_problem("invite", problem)
    except service.TeamError as error:
        db.session.rollback()
        return render_template("teams/join.html", **page, problem=str(error)), error.status
    db.session.commit()
    security.event("team_joined", clinic=invitation.clinic_id)
    flash(message, "success")
    return redirect(target, code=303)
