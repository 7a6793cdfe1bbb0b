"""Browsing for people: a page per kind of thing, and every event on a timeline.

Pages only (HTML): the same lists are a SPARQL query away for programs, and each page
links the query that gives its rows.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..browse import BROWSE_KINDS, count_kinds, get_kind, list_kind, timeline
from ..errors import BadRequest
from ..timeline import axis_svg, precision_words, strip_svg, swatch_svg
from . import get_state
from .linked_data import get_ld

bp = Blueprint("browse", __name__)


@bp.get("/browse/")
def index() -> str:
    """Every kind of thing the graph holds, with how many of each."""
    return render_template("browse_index.html", kinds=BROWSE_KINDS, counts=count_kinds(get_ld()))


@bp.get("/browse/<slug>")
def kind(slug: str) -> str:
    """Every item of one kind (events, people…), by label, with its type, a page at a time."""
    chosen = get_kind(slug)
    page = _page_number()
    size = get_state().settings.max_html_rows
    total, items = list_kind(get_ld(), chosen, offset=(page - 1) * size, limit=size)
    return render_template("browse.html", kind=chosen, kinds=BROWSE_KINDS, total=total, items=items,
                           page=page, pages=max(1, -(-total // size)), size=size)


def _page_number() -> int:
    text = request.args.get("page", "1")
    if not text.isdigit() or int(text) < 1:
        raise BadRequest(f"page={text!r} is not a page number", hint="Use page=1, page=2, …")
    return int(text)


@bp.get("/timeline")
def timeline_page() -> str:
    """Every event at the precision its sources give, drawn on one axis, grouped by year."""
    line = timeline(get_ld())
    return render_template("timeline.html", line=line, axis=axis_svg(line.axis), strip=strip_svg,
                           swatch=swatch_svg, precision=precision_words)
