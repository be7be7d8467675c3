"""Response headers, security event logging and deployment checks."""

from flask import Flask


def register(app: Flask) -> None:
    """Hook security behaviour into the app (headers, logging)."""
