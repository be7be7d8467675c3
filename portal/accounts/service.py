"""Account rules and actions: passwords, registration, sign-in checks, ending sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from zxcvbn import zxcvbn

from portal.auth import hash_password, normalise_email, password_matches
from portal.extensions import db
from portal.models import AuditEvent, User, utcnow

MIN_PASSWORD_LENGTH = 12

# zxcvbn's estimate of guesses an attacker needs: 10^10 is its "very unguessable" (score 4).
# "Summer2024!!" (10^8.4) and "abcdabcdabcd" (10^1.7) fall short; four common words pass.
MIN_GUESSES_LOG10 = 10
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; characters past it only add strength
TOO_EASY = "That password is too easy to guess."
LEAKED = (
    "That password is too easy to guess: it is in lists of passwords leaked from other "
    "sites, which attackers try first. A few unrelated words together are easy to remember "
    "and hard to guess."
)
OWN_EMAIL = "Do not use your email address, or its name part, in your password."


class AccountError(Exception):
    """An account rule was broken; the message is safe to show."""


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is not acceptable, or None when it is.

    Checked offline against zxcvbn's lists (leaked passwords, words, names, keyboard
    patterns, dates) and against the account's own e-mail address.
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    email = normalise_email(email)
    name_part = email.split("@")[0]
    lowered = password.lower()
    if email and (email in lowered or (len(name_part) >= 4 and name_part in lowered)):
        return OWN_EMAIL
    estimate = zxcvbn(
        password[:ZXCVBN_MAX_LENGTH],
        user_inputs=[part for part in (email, name_part, "ketamine", "clinic") if part],
    )
    sequence = estimate["sequence"]
    if len(sequence) == 1 and sequence[0].get("dictionary_name") == "passwords":
        return LEAKED
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        feedback = estimate["feedback"]
        hints = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
        return " ".join([TOO_EASY, *[hint for hint in hints if hint]])
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
    if problem := password_problem(new_password, user.email):
        raise AccountError(problem)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    db.session.flush()


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie issued so far stops working."""
    user.rotate_session_token()
    db.session.flush()


def staff_accounts() -> list[User]:
    """Clinic staff accounts, suspended first (what moderators manage on /moderation/accounts)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "clinic_staff")
            .order_by(User.is_suspended.desc(), User.email)
        )
    )


def suspend_account(user: User, *, moderator: User | None, reason: str) -> None:
    """Block an account and end its sessions at once (the user loader refuses it too)."""
    if user.role != "clinic_staff":
        raise AccountError("Only clinic staff accounts are suspended here.")
    if user.is_suspended:
        raise AccountError("This account is already suspended.")
    if not (reason or "").strip():
        raise AccountError("Say why the account is suspended: it is kept in the audit log.")
    user.is_suspended = True
    user.rotate_session_token()
    _audit("account_suspended", moderator, f"Account {user.id} suspended: {reason.strip()}")


def restore_account(user: User, *, moderator: User | None, reason: str) -> None:
    """Let a suspended account sign in again (its old sessions stay ended)."""
    if not user.is_suspended:
        raise AccountError("This account is not suspended.")
    if not (reason or "").strip():
        raise AccountError("Say why the account may sign in again: it is kept in the audit log.")
    user.is_suspended = False
    user.rotate_session_token()
    _audit("account_restored", moderator, f"Account {user.id} restored: {reason.strip()}")


def _audit(action: str, moderator: User | None, detail: str) -> None:
    db.session.add(
        AuditEvent(action=action, actor_id=moderator.id if moderator else None, detail=detail)
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
