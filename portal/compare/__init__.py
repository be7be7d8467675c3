"""Side-by-side comparison of up to four clinics: /compare."""

from flask import Blueprint

bp = Blueprint("compare", __name__)

from portal.compare import views  # noqa: E402, F401
