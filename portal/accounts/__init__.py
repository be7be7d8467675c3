"""Clinic staff and moderator accounts: register, sign in, sign out."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
