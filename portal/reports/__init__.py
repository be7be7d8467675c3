"""Patients report a problem with a listing."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from portal.reports import views  # noqa: E402, F401
