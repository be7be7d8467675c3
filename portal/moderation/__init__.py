"""Moderators review submissions, verify, decide and suspend: /moderation."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from portal.moderation import staff, views  # noqa: E402, F401
