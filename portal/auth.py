"""Who is signed in, and what their role lets them reach.

Flask-Login keeps the user's `session_token` in the cookie, not their id, so
replacing the token (logout, password change, suspension) ends every session
at once, including copied cookies (FIELD-NOTES.md).
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g
from flask_login import LoginManager, current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models import User


def configure(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        user = db.session.scalar(select(User).where(User.session_token == session_token))
        if user is None or user.is_suspended:
            return None
        return user


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased, so one person cannot hold two accounts by case."""
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(user: User | None, password: str) -> bool:
    """Check a password; spends the same time when there is no such user."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("portal.dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash("not-a-real-password", method=method)
    return cache[method]


def role_required(role: str, *, hide: bool = True):
    """Allow only signed-in users with `role`; others get 404 (hide) or 403.

    Anonymous visitors are sent to the login page.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                g.portal_access_denied = True  # logged as a security event
                return current_app.login_manager.unauthorized()
            if current_user.role != role:
                g.portal_access_denied = True
                abort(404 if hide else 403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


moderator_required = role_required("moderator")
staff_required = role_required("clinic_staff", hide=False)
