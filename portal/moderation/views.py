"""HTTP handlers of the moderation blueprint."""

from portal.moderation import bp  # noqa: F401
