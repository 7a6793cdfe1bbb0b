"""Every error response in one shape, chosen by the same negotiator as everything else.

JSON (``{"ok": false, "status", "title", "error", "hint"}``) for programs, an HTML page
for browsers, plain text for curl. No traceback or file path ever reaches a client.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from .. import errors as core
from ..negotiation import HTML, PLAIN_JSON, error_format

log = logging.getLogger("nkd")

# werkzeug raises these from routing and body parsing; they get our shape and a hint.
_HTTP_HINTS = {
    404: (core.NotFound, "No such page. The landing page / links to everything this server publishes."),
    405: (None, None),
    413: (core.PayloadTooLarge, "Send a smaller request body (see max_request_bytes at /-/settings)."),
}


def error_response(err: core.NkdError) -> Response:
    """Render ``err`` for the current request in the negotiated error shape."""
    fmt = error_format(request.headers.get("Accept"))
    body = err.to_dict()
    if fmt is HTML:
        text = render_template("error.html", error=body)
    elif fmt is PLAIN_JSON:
        text = json.dumps(body) + "\n"
    else:
        text = _as_text(body)
    response = Response(text, status=err.status, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    if isinstance(err, core.MethodNotAllowed):
        response.headers["Allow"] = ", ".join(err.allowed)
    return response


def _as_text(body: dict) -> str:
    lines = [f"{body['status']} {body['title']}: {body['error']}"]
    if body.get("excerpt"):
        lines += ["", body["excerpt"], ""]
    if body.get("offered"):
        lines.append("Offered: " + ", ".join(body["offered"]))
    lines.append(f"How to fix: {body['hint']}")
    return "\n".join(lines) + "\n"


def _from_http(exc: HTTPException) -> core.NkdError:
    if exc.code == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        return core.MethodNotAllowed(f"{request.method} is not allowed on {request.path}", allowed=allowed)
    cls, hint = _HTTP_HINTS.get(exc.code or 500, (None, None))
    if cls is None:
        err = core.NkdError(exc.description or exc.name)
        err.status, err.title = exc.code or 500, exc.name
        return err
    if exc.code == 404:
        return cls(f"nothing is published at {request.path}", hint=hint)
    return cls(exc.description or exc.name, hint=hint)


def register(app: Flask) -> None:
    """Install the handlers that give every error the one shape."""

    @app.errorhandler(core.NkdError)
    def handle_nkd(err: core.NkdError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Response:
        return error_response(_from_http(exc))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(core.NkdError("the server failed to answer this request"))
