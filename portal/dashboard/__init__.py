"""Clinic staff write, submit and maintain their profiles: /dashboard."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
