"""Email ownership and recovery: verify an address, change it, reset a forgotten password.

Plain functions like portal.accounts.service: they flush, never commit, and
raise `TokenProblem` or `AccountError` with a message safe to show. Every
message they send goes through the outbox, in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.accounts import tokens
from portal.accounts.service import (
    AccountError,
    WrongPassword,
    find_user,
    normalise_email,
    password_problem,
)
from portal.auth import hash_password, password_matches
from portal.extensions import db
from portal.mail.outbox import enqueue, public_url
from portal.models import User


class AddressTaken(AccountError):
    """The new address belongs to another account by now."""


def send_verification(user: User) -> str:
    """Mail a link to the address waiting to be verified (the new one, else the account's)."""
    address = user.pending_email or user.email
    link = public_url("accounts.verify", token=tokens.verify_token(user.id, address))
    enqueue(
        address,
        "Confirm your email address",
        "verify_email",
        kind="verify",
        sensitive=True,
        link=link,
        hours=tokens.VERIFY_HOURS,
    )
    return address


def tell_existing_owner(email: str) -> None:
    """Registration hit an existing account: its owner learns of it (the page says nothing)."""
    enqueue(
        normalise_email(email),
        "Someone tried to register with your address",
        "already_registered",
        kind="account",
        login_url=public_url("accounts.login"),
        forgot_url=public_url("accounts.forgot"),
    )


def verify_email(token: str, now: datetime) -> User:
    """Mark the address in the link as verified; a link works once (then `used`)."""
    user_id, address = tokens.read_verify_token(token)
    user = db.session.get(User, user_id)
    if user is None:
        raise tokens.TokenProblem("invalid")
    if user.pending_email and address == user.pending_email:
        owner = db.session.scalar(select(User.id).where(User.email == address, User.id != user.id))
        if owner is not None:
            raise AddressTaken(
                "Another account uses that address now, so yours keeps its current address."
            )
        user.email = address
        user.pending_email = None
        user.email_verified_at = now
    elif address == user.email and user.email_verified_at is None:
        user.email_verified_at = now
    else:
        raise tokens.TokenProblem("used")
    db.session.flush()
    return user


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Keep the new address pending and send it a link; the old address is told."""
    if not password_matches(user, password):
        raise WrongPassword("That is not your current password.")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your account's address.")
    user.pending_email = new_email
    db.session.flush()
    send_verification(user)
    enqueue(
        user.email,
        "Your account's address is about to change",
        "email_change_notice",
        kind="account",
        new_email=new_email,
    )


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address has an active account; otherwise send nothing."""
    user = find_user(email)
    if user is None or user.is_suspended:
        return
    link = public_url("accounts.reset", token=tokens.reset_token(user.id, user.password_hash))
    enqueue(
        user.email, "Reset your password", "reset_password", kind="reset", sensitive=True, link=link
    )


def user_for_reset(token: str) -> User:
    """The account a reset link belongs to, if the link is still good."""
    user_id, fingerprint = tokens.read_reset_token(token)
    user = db.session.get(User, user_id)
    if user is None or user.is_suspended:
        raise tokens.TokenProblem("invalid")
    if not tokens.same_fingerprint(fingerprint, tokens.password_fingerprint(user.password_hash)):
        raise tokens.TokenProblem("used")
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set the new password and end every session; the link then stops working.

    Following the link proves the address, so an unverified account becomes verified.
    """
    user = user_for_reset(token)
    if problem := password_problem(new_password):
        raise AccountError(problem)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    if user.email_verified_at is None:
        user.email_verified_at = now
    db.session.flush()
    enqueue(user.email, "Your password was changed", "password_reset_done", kind="account")
    return user
