"""A clinic's team: owners invite colleagues by email, change roles, remove; anyone may leave.

Plain functions like portal.listings: they flush, never commit, take the acting
user, and raise `TeamError` with a message safe to show. Every change is in the
audit log. A clinic always keeps at least one owner: the last one can neither
leave, be removed nor become an editor. Changes lock the clinic row, so two
owners acting at once cannot both leave.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal import listings, vocab
from portal.accounts.service import find_user, normalise_email
from portal.accounts.tokens import TokenProblem
from portal.auth import hash_password
from portal.extensions import db
from portal.mail.outbox import enqueue, public_url
from portal.models import Clinic, ClinicManager, User
from portal.teams.models import TeamInvitation

INVITE_DAYS = 7


class TeamError(Exception):
    """A team rule was broken; the message is safe to show."""

    status = 422
    field: str | None = None


class NotOwner(TeamError):
    status = 403


class LastOwner(TeamError):
    status = 409


class WrongAccount(TeamError):
    status = 403


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def membership(clinic_id: int, user: User) -> ClinicManager | None:
    return db.session.get(ClinicManager, (user.id, clinic_id))


def members(clinic: Clinic) -> list[ClinicManager]:
    """Owners first, then editors, each by address."""
    return list(
        db.session.scalars(
            select(ClinicManager)
            .join(User, User.id == ClinicManager.user_id)
            .where(ClinicManager.clinic_id == clinic.id)
            .order_by(ClinicManager.role.desc(), User.email)
        )
    )


def open_invitations(clinic: Clinic, now: datetime) -> list[TeamInvitation]:
    return list(
        db.session.scalars(
            select(TeamInvitation)
            .where(
                TeamInvitation.clinic_id == clinic.id,
                TeamInvitation.accepted_at.is_(None),
                TeamInvitation.revoked_at.is_(None),
                TeamInvitation.expires_at > now,
            )
            .order_by(TeamInvitation.created_at)
        )
    )


def _lock(clinic: Clinic) -> None:
    db.session.scalar(select(Clinic.id).where(Clinic.id == clinic.id).with_for_update())


def _owners(clinic: Clinic) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ClinicManager)
        .where(ClinicManager.clinic_id == clinic.id, ClinicManager.role == "owner")
    )


def require_owner(clinic: Clinic, user: User) -> None:
    found = membership(clinic.id, user)
    if found is None or found.role != "owner":
        raise NotOwner("Only the clinic's owners can change its team.")


def invite(clinic: Clinic, inviter: User, email: str, role: str, now: datetime) -> TeamInvitation:
    """Email a single-use link valid for INVITE_DAYS; a newer invitation replaces an open one."""
    require_owner(clinic, inviter)
    if role not in vocab.TEAM_ROLES:
        raise TeamError("Choose owner or editor.")
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None and membership(clinic.id, existing) is not None:
        raise TeamError(f"{email} is already on this clinic's team.")
    for old in open_invitations(clinic, now):
        if old.email == email:
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation(
        clinic_id=clinic.id,
        email=email,
        role=role,
        token_digest=digest(token),
        invited_by_id=inviter.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    enqueue(
        email,
        f"Join {clinic.name} on Ketamine Clinic Finder",
        "team_invite",
        kind="invite",
        sensitive=True,
        clinic=clinic,
        inviter=inviter.email,
        role_label=vocab.TEAM_ROLES[role],
        link=public_url("teams.join", token=token),
        days=INVITE_DAYS,
        has_account=existing is not None,
    )
    listings.record(
        "team_invited", actor=inviter, clinic=clinic, detail=f"{email} invited as {role}."
    )
    return invitation


def find_invitation(token: str, now: datetime) -> TeamInvitation:
    """The invitation behind a link; TokenProblem says why it cannot be used."""
    invitation = db.session.scalar(
        select(TeamInvitation).where(TeamInvitation.token_digest == digest(token or ""))
    )
    if invitation is None:
        raise TokenProblem("invalid")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise TokenProblem("used")
    if invitation.expires_at <= now:
        raise TokenProblem("expired")
    return invitation


def accept(token: str, user: User, now: datetime) -> TeamInvitation:
    """Link the signed-in account to the clinic; it must be the invited address."""
    invitation = find_invitation(token, now)
    if user.email != invitation.email:
        raise WrongAccount(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out, then open the link again and sign in with the invited address."
        )
    if user.is_moderator:
        raise WrongAccount("A moderator account cannot join a clinic's team.")
    _lock(invitation.clinic)
    if membership(invitation.clinic_id, user) is None:
        db.session.add(
            ClinicManager(user_id=user.id, clinic_id=invitation.clinic_id, role=invitation.role)
        )
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link reached this address
    db.session.flush()
    listings.record(
        "team_joined",
        actor=user,
        clinic=invitation.clinic,
        detail=f"{user.email} joined as {invitation.role}.",
    )
    return invitation


def accept_with_new_account(token: str, password: str, now: datetime) -> User:
    """Create the invited address's account (already verified: the link reached it) and join."""
    invitation = find_invitation(token, now)
    if find_user(invitation.email) is not None:
        raise WrongAccount(f"{invitation.email} already has an account. Sign in with it to accept.")
    user = User(
        email=invitation.email,
        password_hash=hash_password(password),
        role="clinic_staff",
        email_verified_at=now,
    )
    db.session.add(user)
    db.session.flush()
    accept(token, user, now)
    return user


def revoke(clinic: Clinic, owner: User, invitation_id: int, now: datetime) -> None:
    require_owner(clinic, owner)
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.clinic_id != clinic.id or not invitation.is_open:
        raise TeamError("That invitation is no longer open.")
    invitation.revoked_at = now
    listings.record(
        "team_invitation_revoked",
        actor=owner,
        clinic=clinic,
        detail=f"Invitation for {invitation.email} withdrawn.",
    )
    db.session.flush()


def _member(clinic: Clinic, user_id: int) -> ClinicManager:
    found = db.session.get(ClinicManager, (user_id, clinic.id))
    if found is None:
        raise TeamError("That person is not on this clinic's team.")
    return found


def _keep_an_owner(clinic: Clinic, member: ClinicManager, message: str) -> None:
    if member.role == "owner" and _owners(clinic) <= 1:
        raise LastOwner(message)


def remove(clinic: Clinic, owner: User, user_id: int) -> None:
    require_owner(clinic, owner)
    _lock(clinic)
    member = _member(clinic, user_id)
    _keep_an_owner(
        clinic, member, "A clinic needs an owner: make someone else an owner before this."
    )
    email = member.user.email
    db.session.delete(member)
    db.session.flush()
    listings.record("team_removed", actor=owner, clinic=clinic, detail=f"{email} removed.")


def leave(clinic: Clinic, user: User) -> None:
    _lock(clinic)
    member = _member(clinic, user.id)
    _keep_an_owner(
        clinic,
        member,
        "You are the clinic's only owner, so you cannot leave: make a colleague an owner first "
        "(invite one if needed).",
    )
    db.session.delete(member)
    db.session.flush()
    listings.record("team_left", actor=user, clinic=clinic, detail=f"{user.email} left the team.")


def change_role(clinic: Clinic, owner: User, user_id: int, role: str) -> None:
    require_owner(clinic, owner)
    if role not in vocab.TEAM_ROLES:
        raise TeamError("Choose owner or editor.")
    _lock(clinic)
    member = _member(clinic, user_id)
    if role == member.role:
        return
    if role == "editor":
        _keep_an_owner(clinic, member, "A clinic needs an owner: make someone else an owner first.")
    member.role = role
    db.session.flush()
    listings.record(
        "team_role_changed",
        actor=owner,
        clinic=clinic,
        detail=f"{member.user.email} is now {role}.",
    )
