"""System routes: health and the settings table."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup, escape

from ..negotiation import HTML, PLAIN_JSON, negotiate
from . import get_state

bp = Blueprint("system", __name__)

# The help texts of the settings use one piece of Markdown, code spans; a Markdown
# library would bring the rest of the language (and its raw HTML) for nothing.
_CODE_SPAN = re.compile(r"`([^`]+)`")


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


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """Markdown code spans (`` `x` ``) as ``<code>x</code>``; everything else escaped."""
    return Markup(_CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))
