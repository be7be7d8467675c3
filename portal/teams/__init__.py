"""Clinic teams: invitations, roles, removing and leaving."""

from flask import Blueprint

bp = Blueprint("teams", __name__)

from portal.teams import views  # noqa: E402, F401
