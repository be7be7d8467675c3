"""HTTP handlers of the search blueprint."""

from portal.search import bp  # noqa: F401
