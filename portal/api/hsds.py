"""Open Referral HSDS 3 endpoints."""

from portal.api import bp  # noqa: F401
