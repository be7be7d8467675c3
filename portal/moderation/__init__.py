"""Moderators review submissions, verify, decide and suspend: /moderation."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
