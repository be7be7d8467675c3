"""HTTP handlers of the compare blueprint."""

from portal.compare import bp  # noqa: F401
