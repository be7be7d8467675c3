"""Public pages: home, a clinic's listing, the guide."""

from flask import Blueprint

bp = Blueprint("clinics", __name__)
