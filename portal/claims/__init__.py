"""Claims on listings that have no staff: "Is this your clinic?"."""

from flask import Blueprint

bp = Blueprint("claims", __name__)
