"""Error pages for people and JSON errors for the API; never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from portal import security
from portal.extensions import db
from portal.limits import STORAGE_ERRORS
from portal.listings.errors import IllegalTransition

MESSAGES: dict[int, tuple[str, str]] = {
    400: (
        "That request could not be understood",
        "Something in the request was missing or "
        "not in a form we understand. Go back, check what you entered and try again.",
    ),
    403: (
        "You cannot do that here",
        "Your account does not have access to this page. If you "
        "think it should, sign in with the right account.",
    ),
    404: (
        "Page not found",
        "We could not find that page. The clinic may no longer be listed, "
        "or the address may be mistyped.",
    ),
    405: (
        "That action is not allowed here",
        "This page cannot be used that way. Go back and use the buttons on the page.",
    ),
    409: (
        "That change is not possible now",
        "The listing is no longer in a state that allows this. Reload the page to see "
        "where it stands; nothing was changed.",
    ),
    413: (
        "That was too much to send",
        "What you sent is larger than we accept. Shorten the longest texts and try again.",
    ),
    429: (
        "Too many requests",
        "You have tried this too often in a short time. Please wait a minute and try again.",
    ),
    500: (
        "Something went wrong on our side",
        "We could not finish this request. If you were saving something, it may not have "
        "been saved: check before you try again in a moment.",
    ),
    503: (
        "The site is briefly unavailable",
        "We cannot answer requests at the moment. Please try again in a few minutes.",
    ),
}

CODES: dict[int, str] = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}

# When the database cannot write, the page says why, and that nothing was saved.
STORAGE_STATES: dict[str, tuple[str, str]] = {
    "read_only": (
        "The site is read-only at the moment",
        "We cannot save anything right now (our storage is read-only), so nothing you "
        "sent was saved. Searching and reading listings still work. Please try again later.",
    ),
    "full": (
        "We could not save this: our storage is full",
        "Our server has run out of space, so nothing you sent was saved. Please try again "
        "later; we have been told.",
    ),
}

LIMITS_DOWN = (
    "The site cannot check its request limits right now, so it is not answering. "
    "Please try again in a few minutes."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    field: str | None = None,
    description: str | None = None,
):
    """One error, as JSON for the API or as a page for people."""
    title, default_text = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if wants_json():
        body: dict = {
            "code": code or CODES.get(status, "server_error" if status >= 500 else "error"),
            "message": message or default_text,
        }
        if field:
            body["field"] = field
        return jsonify(error=body), status
    return render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message or description or default_text,
    ), status


def storage_state(error: BaseException) -> str | None:
    """ "read_only" or "full" when the database refused a write for want of a writable disk."""
    original = getattr(error, "orig", None) or error
    sqlstate = getattr(original, "sqlstate", None)
    text = str(original).lower()
    if sqlstate == "25006" or "readonly database" in text or "read-only" in text:
        return "read_only"
    if sqlstate == "53100" or "disk is full" in text or "no space left" in text:
        return "full"
    return None


def typed_fields() -> list[tuple[str, str]]:
    """What a person typed into the form they sent (no passwords, no token), to copy back."""
    if request.method != "POST":
        return []
    hidden = {"csrf_token", "version", "action", "next"}
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if value.strip() and name not in hidden and "password" not in name
    ]


def storage_refused(state: str):
    """503: the truth about an unwritable database, and the typed text kept on the page."""
    title, text = STORAGE_STATES[state]
    if wants_json():
        return jsonify(error={"code": "unavailable", "message": text}), 503
    return render_template(
        "errors/error.html", status=503, title=title, message=text, typed=typed_fields()
    ), 503


def csrf_refused(error: CSRFError):
    """A POST without a valid token: logged, refused with 400, nothing changed."""
    security.event("csrf_failed", reason=error.description)
    return error_response(
        400,
        "This form has expired or did not come from this site. "
        "Go back, reload the page and try again.",
        code="csrf_failed",
    )


def _roll_back() -> None:
    """Leave a failed transaction before the page is built.

    After a failed flush the session refuses every query until rolled back, and
    the error page reads the signed-in user: without this a real 500 turned into
    gunicorn's bare 500, without the site's page or its security headers.
    """
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (a lost connection: the page must still be built)
        db.session.remove()


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        _roll_back()
        response = app.make_response(error_response(error.code or 500))
        if allow := dict(error.get_headers()).get("Allow"):  # 405: the methods that work here
            response.headers["Allow"] = allow
        return response

    def handle_limits_down(error: Exception):
        """Rate-limit storage (Redis) is unreachable: refuse with 503 rather than go unlimited."""
        _roll_back()
        app.logger.error(
            "Rate-limit storage unreachable on %s %s: %s", request.method, request.url_rule, error
        )
        response = app.make_response(error_response(503, LIMITS_DOWN, code="unavailable"))
        response.headers["Retry-After"] = "60"
        return response

    for storage_error in STORAGE_ERRORS:
        app.register_error_handler(storage_error, handle_limits_down)

    @app.errorhandler(IllegalTransition)
    def handle_illegal_transition(error: IllegalTransition):
        """A move the transition table refuses, not caught by its view: 409, nothing changed
        (nothing was committed; the session is rolled back at the end of the request)."""
        return error_response(409, str(error), code="conflict")

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return csrf_refused(error)

    @app.errorhandler(SecurityError)
    def handle_untrusted_host(_error: SecurityError):
        # The Host header is not in TRUSTED_HOSTS: no page can be built (links use the host).
        return Response(
            "400 Bad Request: this site does not answer to that host name.\n",
            status=400,
            mimetype="text/plain",
        )

    @app.errorhandler(InternalServerError)
    def handle_500(error: InternalServerError):
        _roll_back()
        # An error after the view (the limiter's response headers) arrives wrapped in a 500.
        if isinstance(error.original_exception, STORAGE_ERRORS):
            return handle_limits_down(error.original_exception)
        return error_response(500)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        _roll_back()
        if state := storage_state(error):
            app.logger.error(
                "Database cannot write (%s) on %s %s", state, request.method, request.url_rule
            )
            return storage_refused(state)
        app.logger.exception("Unhandled error on %s %s", request.method, request.url_rule)
        return error_response(500)
