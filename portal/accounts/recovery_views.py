"""HTTP handlers for links sent by email: verify an address, change it, reset a password.

A link opened by GET only shows a page with a button: mail scanners that fetch
every link cannot use it up. Bad links (expired, used, forged) get a page that
says which, with the way to ask for a new one, never a 500.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from portal import limits, security
from portal.accounts import bp, recovery, service, tokens
from portal.accounts.forms import EmailChangeForm, ForgotForm, ResetForm
from portal.extensions import db
from portal.models import utcnow

# What a bad link's page says, by kind of link and what is wrong with it.
LINK_PROBLEMS = {
    "expired": "This link is too old to use.",
    "used": "This link was already used.",
    "invalid": "This link is not complete or not one of ours. Check that you copied all of it.",
}
LINK_STATUS = {"expired": 410, "used": 410, "invalid": 400}


def link_problem(purpose: str, problem: tokens.TokenProblem | str):
    kind = problem.kind if isinstance(problem, tokens.TokenProblem) else "invalid"
    return render_template(
        "accounts/link_problem.html",
        purpose=purpose,
        kind=kind,
        message=LINK_PROBLEMS[kind] if isinstance(problem, tokens.TokenProblem) else problem,
    ), LINK_STATUS[kind]


@bp.get("/account/verify/<token>")
def verify(token: str):
    try:
        tokens.read_verify_token(token)
    except tokens.TokenProblem as problem:
        return link_problem("verify", problem)
    return render_template("accounts/verify.html", token=token)


@bp.post("/account/verify/<token>")
def verify_confirm(token: str):
    try:
        user = recovery.verify_email(token, utcnow())
    except tokens.TokenProblem as problem:
        db.session.rollback()
        return link_problem("verify", problem)
    except recovery.AddressTaken as taken:
        db.session.rollback()
        return link_problem("verify", str(taken))
    db.session.commit()
    security.event("email_verified", actor=f"user:{user.id}")
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(
        url_for("dashboard.index" if current_user.is_authenticated else "accounts.login"), code=303
    )


@bp.post("/account/verify/resend")
@login_required
@limits.account_mail_by_user
def resend_verification():
    user = current_user._get_current_object()
    if user.email_verified and not user.pending_email:
        flash("Your address is already confirmed.", "info")
    else:
        address = recovery.send_verification(user)
        db.session.commit()
        flash(f"We sent a new link to {address}. It works for 48 hours.", "success")
    return redirect(url_for("dashboard.index"), code=303)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limits.account_mail_by_user
def change_email():
    """The new address must confirm itself before the account uses it."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/email.html", form=form), status
    try:
        recovery.request_email_change(current_user, form.password.data, form.new_email.data)
    except service.WrongPassword as error:
        db.session.rollback()
        form.password.errors.append(str(error))
        return render_template("accounts/email.html", form=form), 422
    except service.AccountError as error:
        db.session.rollback()
        form.new_email.errors.append(str(error))
        return render_template("accounts/email.html", form=form), 422
    db.session.commit()
    flash(
        f"We sent a link to {form.new_email.data}. Your account keeps its current address "
        "until you open it.",
        "success",
    )
    return redirect(url_for("dashboard.index"), code=303)


@bp.route("/account/forgot", methods=["GET", "POST"])
@limits.account_mail_by_address
@limits.account_mail_by_target
def forgot():
    """Same answer whether or not the address has an account; mail goes only to a real one."""
    form = ForgotForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/forgot.html", form=form), status
    recovery.request_password_reset(form.email.data)
    db.session.commit()
    security.event("password_reset_requested")
    return render_template("accounts/forgot_sent.html", email=form.email.data)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@limits.password_reset
def reset(token: str):
    try:
        recovery.user_for_reset(token)
    except tokens.TokenProblem as problem:
        return link_problem("reset", problem)
    form = ResetForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset.html", form=form, token=token), status
    try:
        user = recovery.reset_password(token, form.new_password.data, utcnow())
    except tokens.TokenProblem as problem:
        db.session.rollback()
        return link_problem("reset", problem)
    except service.AccountError as error:
        db.session.rollback()
        form.new_password.errors.append(str(error))
        return render_template("accounts/reset.html", form=form, token=token), 422
    db.session.commit()
    security.event("password_reset", actor=f"user:{user.id}")
    if current_user.is_authenticated:
        logout_user()
    flash(
        "Your password is changed and every device was signed out. Sign in with the new password.",
        "success",
    )
    return redirect(url_for("accounts.login"), code=303)
