"""System routes: health and the settings table."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from ..negotiation import HTML, PLAIN_JSON, negotiate
from . import get_state

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Answer without touching the store, so it answers even while every query thread is busy."""
    response = Response("ok\n", content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/-/settings")
def settings() -> Response | str:
    """The settings table: name (with its unit), value, default, flag, environment variable, help."""
    rows = get_state().settings.as_rows()
    fmt = negotiate(request.headers.get("Accept"), (PLAIN_JSON, HTML), request.args.get("format"))
    if fmt is HTML:
        return render_template("settings.html", rows=rows)
    response = jsonify(rows)
    response.headers["Vary"] = "Accept"
    return response
