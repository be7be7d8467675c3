"""Patients report a problem with a listing."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
