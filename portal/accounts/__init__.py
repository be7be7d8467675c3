"""Clinic staff and moderator accounts: register, sign in, sign out."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from portal.accounts import recovery_views, views  # noqa: E402, F401
