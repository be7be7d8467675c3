"""HTTP handlers of the accounts blueprint: register, sign in, sign out, change password.

Sign-in attempts are limited per address and per account (portal.limits), so
neither one address trying many accounts nor many addresses trying one
account gets far; registration is limited per address.
"""

from __future__ import annotations

import contextlib

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal import limits, security
from portal.accounts import bp, service
from portal.accounts.forms import LoginForm, PasswordForm, RegisterForm
from portal.extensions import db
from portal.models import User

# One message for every failed sign-in, so it never tells whether an email is registered.
SIGN_IN_FAILED = (
    "We could not sign you in with that email address and password. Check both and try again."
)
# One message after every registration, new email or not (see `register`).
REGISTERED = (
    "Thank you. Please sign in with the email address and password you just entered. "
    "If this address already had an account, use that account's password."
)
SUSPENDED = (
    "This account is on hold, so it cannot sign in. "
    "If you think this is a mistake, please contact the moderators."
)


def home_for(user: User) -> str:
    return "/moderation" if user.is_moderator else url_for("dashboard.index")


def _start_session(user: User, *, remember: bool) -> None:
    """A fresh session for a signed-in user: nothing from before survives (no fixation)."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # the old session's
    login_user(user, remember=remember)


def _remember_days() -> int:
    return current_app.config["REMEMBER_COOKIE_DURATION"].days


@bp.route("/account/register", methods=["GET", "POST"])
@limits.registration
def register():
    """Create a clinic staff account.

    A new and an already registered email get the same answer (a redirect to
    sign in, with the same message), so the form cannot be used to find out
    who has an account. Without email delivery there is no way to tell the
    owner of an existing address anything more.
    """
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/register.html", form=form), status
    with contextlib.suppress(service.EmailTaken):  # answered exactly like a new account
        service.register_staff(form.email.data, form.password.data)
    db.session.commit()
    flash(REGISTERED, "success")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/account/login", methods=["GET", "POST"])
@limits.login_by_address
@limits.login_by_account
def login():
    form = LoginForm()
    form.remember.label.text = f"Keep me signed in on this device for {_remember_days()} days"
    if not form.is_submitted():
        form.next.data = service.safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or home_for(current_user))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/login.html", form=form), status
    user = service.authenticate(form.email.data, form.password.data)
    if user is None:
        security.event("login_failed", account=security.account_hint(form.email.data))
        return render_template("accounts/login.html", form=form, problem=SIGN_IN_FAILED), 401
    if user.is_suspended:
        security.event("login_refused_suspended", actor=f"user:{user.id}")
        return render_template("accounts/login.html", form=form, problem=SUSPENDED), 403
    _start_session(user, remember=form.remember.data)
    service.record_login(user)
    db.session.commit()
    limits.remember_address(form.email.data)
    security.event("login", actor=f"user:{user.id}", role=user.role)
    return redirect(service.safe_next(form.next.data) or home_for(user), code=303)


@bp.post("/account/logout")
def logout():
    """Sign out here and everywhere: the session token changes, so copied cookies stop working."""
    if current_user.is_authenticated:
        service.end_sessions(current_user._get_current_object())
        db.session.commit()
        security.event("logout")
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion
    flash("You are signed out. Cookies from before no longer sign anyone in.", "success")
    return redirect("/", code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limits.password_checks
def change_password():
    """A new password ends every other session; this browser stays signed in."""
    form = PasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/password.html", form=form), status
    user = current_user._get_current_object()
    try:
        service.change_password(user, form.current_password.data, form.new_password.data)
    except service.WrongPassword as error:
        form.current_password.errors.append(str(error))
        return render_template("accounts/password.html", form=form), 422
    except service.AccountError as error:
        form.new_password.errors.append(str(error))
        return render_template("accounts/password.html", form=form), 422
    db.session.commit()
    security.event("password_changed")
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    _start_session(user, remember=remembered)
    flash(
        "Your password is changed. Any other device that was signed in is now signed out.",
        "success",
    )
    return redirect(home_for(user), code=303)
