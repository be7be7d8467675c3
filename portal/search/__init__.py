"""Patients search for clinics near a place: /search."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from portal.search import views  # noqa: E402, F401
