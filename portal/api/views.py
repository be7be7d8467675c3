"""HTTP handlers of the clinic search API."""

from portal.api import bp  # noqa: F401
