"""Clinic teams: invitations, roles, removing and leaving."""

from flask import Blueprint

bp = Blueprint("teams", __name__)
