"""Search for people: the graph's labels, its quotes and the source texts (see :mod:`nkd.search`)."""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template, request

from ..search import SearchIndex
from .linked_data import get_ld, vary_on_accept

bp = Blueprint("search", __name__)
_BUILDING = threading.Lock()
bp.after_request(vary_on_accept)  # errors here are negotiated too


def get_index() -> SearchIndex:
    """The app's search index, built on the first search of the process and kept."""
    index = current_app.extensions.get("nkd-search")
    if index is None:
        with _BUILDING:  # one build, however many requests arrive at once
            index = current_app.extensions.get("nkd-search")
            if index is None:
                index = current_app.extensions["nkd-search"] = SearchIndex.build(get_ld())
    return index


@bp.get("/search")
def search() -> str:
    """Entities and facts whose labels, quotes or notes hold every word asked for, and source texts."""
    text = request.args.get("q", "")
    results = get_index().search(text) if text.strip() else None
    # A fact that states a figure shows it in its source's words beside its name.
    figures = get_ld().figures([hit.iri for hit in results.hits]) if results is not None else {}
    return render_template("search.html", q=text, results=results, figures=figures)
