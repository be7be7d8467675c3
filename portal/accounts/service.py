"""Account rules and actions: passwords, registration, sign-in checks, ending sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth import hash_password, normalise_email, password_matches
from portal.extensions import db
from portal.models import AuditEvent, User, utcnow

MIN_PASSWORD_LENGTH = 12

# The most common passwords of 12+ characters in public breach lists.
COMMON_PASSWORDS: frozenset[str] = frozenset({
    "123456789012", "1234567890123", "12345678901234", "password1234", "password12345",
    "passwordpassword", "qwertyuiopas", "qwerty123456", "qwertyuiop123", "123456123456",
    "111111111111", "000000000000", "abcdefghijkl", "abc123abc123", "iloveyou1234",
    "letmein12345", "welcome12345", "administrator", "adminadmin12", "changeme1234",
    "football1234", "baseball1234", "sunshine1234", "princess1234", "trustno1trustno1",
    "monkey123456", "dragon123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3",
    "aaaaaaaaaaaa", "asdfghjklasd", "p@ssw0rd1234", "passw0rd1234", "password123!",
    "ketamine1234", "clinic123456", "mypassword12", "superman1234", "starwars1234",
})  # fmt: skip


class AccountError(Exception):
    """An account rule was broken; the message is safe to show."""


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "That password is too easy to guess. Try a few unrelated words together."
    return None


class EmailTaken(AccountError):
    """Registration hit an existing email. Callers must answer exactly as for a new account."""


class WrongPassword(AccountError):
    """The current password given to change a password was not right."""


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_staff(email: str, password: str) -> User:
    """A new clinic staff account; raises EmailTaken after spending the same hashing time.

    Registration only ever creates clinic staff: moderators come from the CLI.
    """
    email = normalise_email(email)
    password_hash = hash_password(password)  # before the lookup: both outcomes cost the same
    if find_user(email) is not None:
        raise EmailTaken("An account with this email exists.")
    user = User(email=email, password_hash=password_hash, role="clinic_staff")
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # a twin request registered the same email a moment ago
        raise EmailTaken("An account with this email exists.") from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; unknown emails cost the same time."""
    user = find_user(email)
    if not password_matches(user, password):
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every session the user had, this one included.

    The caller signs the user in again with the new session token.
    """
    if not password_matches(user, current_password):
        raise WrongPassword("That is not your current password.")
    if problem := password_problem(new_password):
        raise AccountError(problem)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    db.session.flush()


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie issued so far stops working."""
    user.rotate_session_token()
    db.session.flush()


def suspend_account(user: User, *, moderator: User | None, reason: str) -> None:
    """Block an account and end its sessions at once (the user loader refuses it too)."""
    user.is_suspended = True
    user.rotate_session_token()
    db.session.add(
        AuditEvent(
            action="account_suspended",
            actor_id=moderator.id if moderator else None,
            detail=f"Account {user.id} suspended: {reason}".strip(),
        )
    )
    db.session.flush()


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None.

    Browsers treat a backslash like a slash and ignore tabs and newlines, so
    `/\\evil`, `//evil`, `/\\t/evil` and schemes such as `javascript:` are refused.
    """
    if not target or len(target) > 2000:
        return None
    if any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
