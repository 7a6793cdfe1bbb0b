"""Every error response in one shape, chosen by the same negotiator as everything else.

JSON (``{"ok": false, "status", "title", "error", "hint"}``) for programs, an HTML page
for browsers, plain text for curl. No traceback or file path ever reaches a client.
"""

from __future__ import annotations

import json
import logging
from typing import Callable

from flask import Flask, Response, render_template, request
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


def render_error(err: core.NkdError, accept: str | None,
                 render_html: Callable[..., str]) -> tuple[int, list[tuple[str, str]], bytes]:
    """``err`` in the shape ``accept`` calls for: its status, headers and body.

    ``render_html`` renders a template (``error.html``); nothing else here needs Flask,
    so the SPARQL Protocol handler, which answers ahead of Flask, renders its errors
    with the same function as every view.
    """
    fmt = error_format(accept)
    body = err.to_dict()
    if fmt is HTML:
        text = render_html("error.html", error=body)
    elif fmt is PLAIN_JSON:
        text = json.dumps(body) + "\n"
    else:
        text = _as_text(body)
    data = text.encode("utf-8")
    headers = [("Content-Type", fmt.content_type), ("Content-Length", str(len(data))),
               ("Vary", "Accept"), ("Cache-Control", "no-store")]
    if isinstance(err, core.MethodNotAllowed):
        headers.append(("Allow", ", ".join(err.allowed)))
    return err.status, headers, data


def template_renderer(app: Flask, extra: Callable[[], dict[str, object]] | None = None) -> Callable[..., str]:
    """A function that renders one of ``app``'s templates without a request or app context.

    For answers given ahead of Flask: ``url_for`` builds paths from the app's URL map
    (under ``script_name``, where the app is mounted), ``extra`` gives what the app's
    context processors give its own pages (the footer's dataset description), and the
    templates get nothing else from Flask.
    """

    def render(name: str, script_name: str = "", **context: object) -> str:
        urls = app.url_map.bind("localhost", script_name=script_name or "/")

        def url_for(endpoint: str, **values: object) -> str:
            return urls.build(endpoint, values)

        return app.jinja_env.get_template(name).render(url_for=url_for, **(extra() if extra else {}), **context)

    return render


def error_response(err: core.NkdError, accept: str | None = None) -> Response:
    """Render ``err`` as a Flask response in the shape the client's Accept calls for.

    Without ``accept`` it reads the current Flask request's.
    """
    status, headers, data = render_error(err, request.headers.get("Accept") if accept is None else accept,
                                         render_template)
    return Response(data, status=status, headers=headers)


def _as_text(body: dict) -> str:
    lines = [f"{body['status']} {body['title']}: {body['error']}"]
    if body.get("excerpt"):
        lines += ["", body["excerpt"], ""]
    if body.get("offered"):
        lines.append("Offered: " + ", ".join(body["offered"]))
    lines.append(f"How to fix: {body['hint']}")
    return "\n".join(lines) + "\n"


def from_http(exc: HTTPException, method: str, path: str) -> core.NkdError:
    """The :class:`~nkd.errors.NkdError` for an exception werkzeug raised on ``method path``."""
    if exc.code == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        return core.MethodNotAllowed(f"{method} is not allowed on {path}", allowed=allowed)
    cls, hint = _HTTP_HINTS.get(exc.code or 500, (None, None))
    if cls is None:
        err = core.NkdError(exc.description or exc.name)
        err.status, err.title = exc.code or 500, exc.name
        return err
    if exc.code == 404:
        return cls(f"nothing is published at {path}", hint=hint)
    return cls(exc.description or exc.name, hint=hint)


def register(app: Flask) -> None:
    """Install the handlers that give every error the one shape."""

    @app.errorhandler(core.NkdError)
    def handle_nkd(err: core.NkdError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Response:
        return error_response(from_http(exc, request.method, request.path))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(core.NkdError("the server failed to answer this request"))
