"""Patients search for clinics near a place: /search."""

from flask import Blueprint

bp = Blueprint("search", __name__)
