"""HTTP handlers of the dashboard blueprint."""

from portal.dashboard import bp  # noqa: F401
