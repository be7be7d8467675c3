"""Pages about the site itself: about, privacy, the API guide, robots.txt and the sitemap."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
