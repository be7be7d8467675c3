"""Moderators suspend and restore clinic staff accounts: /moderation/accounts.

Suspension ends the account's sessions at once (its session token changes) and
each decision is kept in the audit log with the moderator and the reason. The
blueprint's guard (portal.moderation.views) lets moderators only.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import security
from portal.accounts import service as accounts
from portal.extensions import db
from portal.models import User
from portal.moderation import bp
from portal.moderation.forms import AccountForm


@bp.get("/moderation/accounts")
def accounts_list():
    return render_template("moderation/accounts.html", accounts=accounts.staff_accounts())


@bp.get("/moderation/accounts/<int:user_id>")
def account(user_id: int):
    return _render(_staff_or_404(user_id), AccountForm(formdata=None))


@bp.post("/moderation/accounts/<int:user_id>/suspend")
def suspend_account(user_id: int):
    return _change(_staff_or_404(user_id), accounts.suspend_account, "is suspended")


@bp.post("/moderation/accounts/<int:user_id>/restore")
def restore_account(user_id: int):
    return _change(_staff_or_404(user_id), accounts.restore_account, "can sign in again")


def _staff_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role != "clinic_staff":
        abort(404)
    return user


def _render(user: User, form: AccountForm, *, problem: str = "", status: int = 200):
    return render_template(
        "moderation/account.html", account=user, form=form, problem=problem
    ), status


def _change(user: User, action, done: str):
    form = AccountForm()
    if not form.validate():
        return _render(user, form, status=422)
    try:
        action(user, moderator=current_user._get_current_object(), reason=form.reason.data)
    except accounts.AccountError as error:
        db.session.rollback()
        return _render(user, form, problem=str(error), status=409)
    db.session.commit()
    security.event(f"account_{action.__name__.split('_')[0]}", account=f"user:{user.id}")
    flash(f"{user.email} {done}.", "success")
    return redirect(url_for("moderation.account", user_id=user.id), code=303)
