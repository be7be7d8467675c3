"""HTTP handlers of the accounts blueprint."""

from portal.accounts import bp  # noqa: F401
