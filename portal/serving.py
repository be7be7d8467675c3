"""What gunicorn needs from us (gunicorn.conf.py): a logger that keeps searches out of logs.

A search URL names a place and a condition, so no request line or query
string may reach a log: not on the access log (off), and not in gunicorn's own
messages about malformed requests or failed requests, which quote the line.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

# gunicorn's messages that quote what a client sent, and what we write instead.
WITHHELD = {
    "Invalid request from ip=": "Invalid request refused (request line and address withheld)",
    "Error handling request": "Error handling request (request line withheld)",
}


def redact(message: object) -> str | None:
    """The text to log instead of a gunicorn message that would quote a request, else None."""
    text = str(message)
    for start, replacement in WITHHELD.items():
        if text.startswith(start):
            return replacement
    return None


class RedactingLogger(Logger):
    """gunicorn's logger without the access log and without quoted request lines."""

    def _write(self, level: str, msg, *args, **kwargs) -> None:
        if (replacement := redact(msg)) is not None:
            msg, args = replacement, ()
        getattr(self.error_log, level)(msg, *args, **kwargs)

    def critical(self, msg, *args, **kwargs):
        self._write("critical", msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        self._write("error", msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self._write("warning", msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self._write("info", msg, *args, **kwargs)

    def debug(self, msg, *args, **kwargs):
        self._write("debug", msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        self._write("exception", msg, *args, **kwargs)

    def log(self, lvl, msg, *args, **kwargs):
        if (replacement := redact(msg)) is not None:
            msg, args = replacement, ()
        super().log(lvl, msg, *args, **kwargs)

    def access(self, resp, req, environ, request_time) -> None:
        """Never written: every line would hold the request's path and query string."""
