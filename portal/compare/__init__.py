"""Side-by-side comparison of up to four clinics: /compare."""

from flask import Blueprint

bp = Blueprint("compare", __name__)
