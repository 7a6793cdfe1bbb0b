"""The query page and the Service Description at /sparql.

Queries from programs never get here: :class:`~nkd.web.protocol.SparqlProtocol`
answers them ahead of Flask and decides, once, which requests are pages. What comes
here is a bare GET (the Service Description as RDF, or the empty query page for a
browser) and a query whose answer is the page: the page runs it server-side, so that
it works with JavaScript off, and shows its result or its error in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from ..errors import NkdError, NotFound, QuerySyntaxError
from ..examples import examples
from ..namespaces import NAMESPACES, RDFS, SD, prefix_lines
from ..negotiation import HTML, QUERY_FORMATS, RDF_SYNTAXES, negotiate
from ..result_table import (ResultView, common_prefixes, declared_prefixes, labels_of, missing_prefixes,
                            sparql_json, starter_query, with_prefixes)
from ..sparql import Dataset, Query, base_iri, check_query, offered_formats
from . import get_state
from .delivery import content_security_policy
from .protocol import explicit_format, format_tokens, is_bare, no_query, read_query

bp = Blueprint("sparql", __name__)

SERVICE_DESCRIPTION = Path(__file__).parent / "rdf" / "service-description.ttl"
DESCRIPTION_FORMATS = RDF_SYNTAXES
DESCRIPTION_PREFIXES = {name: NAMESPACES[name] for name in ("sd", "formats", "ent", "rdfs", "dcterms")}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | tuple[str, int, dict[str, str]]:
    """The Service Description or the query page (programs' queries are answered ahead of Flask)."""
    if is_bare(request):
        return _bare_get()
    text, dataset = read_query(request)
    try:
        if text is None or not text.strip():
            raise no_query()
        query = check_query(text, get_state().settings)
    except NkdError as err:
        return _page(text or "", dataset, error=err)
    return _page(text, dataset, query=query)


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    """Every answer of /sparql (page, description, error) depends on Accept."""
    response.vary.add("Accept")
    return response


@bp.after_app_request
def allow_any_origin(response: Response) -> Response:
    """Let pages on any origin read every answer: the data is public and nothing uses cookies."""
    if get_state().settings.cors:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


# --------------------------------------------------------------------------- service description


def _bare_get() -> Response | tuple[str, int, dict[str, str]]:
    offered = (*DESCRIPTION_FORMATS, HTML)
    fmt = negotiate(request.headers.get("Accept"), offered, explicit_format(format_tokens(request), offered))
    if fmt is HTML:
        return _page(_initial_text(request.args.get("example")), Dataset())
    endpoint_iri = request.base_url
    body = ox.serialize(_description(endpoint_iri), format=fmt.ox, prefixes=DESCRIPTION_PREFIXES)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _description(endpoint_iri: str) -> list[ox.Quad]:
    """The Service Description's triples, with the endpoint's IRI and the store's named graphs."""
    quads = list(ox.parse(path=str(SERVICE_DESCRIPTION), format=ox.RdfFormat.TURTLE, base_iri=endpoint_iri))
    endpoint = ox.NamedNode(endpoint_iri)
    dataset = ox.NamedNode(endpoint_iri + "#dataset")
    quads += [ox.Quad(endpoint, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(fmt.iri))
              for fmt in QUERY_FORMATS if fmt.iri]
    # The base of a query's relative IRIs is a setting's, so it is stated here, not in the file.
    quads.append(ox.Quad(endpoint, ox.NamedNode(RDFS + "comment"),
                         ox.Literal(base_iri_note(get_state().settings), language="en")))
    for name in _named_graphs():
        node = ox.BlankNode()
        quads += [ox.Quad(dataset, ox.NamedNode(SD + "namedGraph"), node),
                  ox.Quad(node, ox.NamedNode(SD + "name"), ox.NamedNode(name))]
    return quads


def base_iri_note(settings: Any) -> str:
    """The sentence of the Service Description that gives the base IRI of queries."""
    return (f"Relative IRIs in a query resolve against {base_iri(settings)}, the endpoint's public "
            "address; a BASE declaration in the query sets another.")


def _named_graphs() -> list[str]:
    # The data does not change while the app serves, so ask the store once per app.
    cached = current_app.extensions.get("nkd.named_graphs")
    if cached is None:
        state = get_state()
        query = check_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g", state.settings)
        table = state.engine.table(query, max_rows=10_000)
        cached = [row[0].value for row in table.rows if row[0] is not None and row[0].kind == "iri"]
        current_app.extensions["nkd.named_graphs"] = cached
    return cached


# --------------------------------------------------------------------------- the query page


def _example_named_by(text: str) -> str | None:
    # Browsers send a text area's line breaks as CRLF.
    text = text.replace("\r\n", "\n").strip()
    return next((e.name for e in examples() if e.text.replace("\r\n", "\n").strip() == text), None)


def _initial_text(name: str | None) -> str:
    if name:
        for example in examples():
            if example.name == name:
                return example.text
        raise NotFound(f"there is no example query named {name!r}",
                       hint="Pick one from the list on /sparql.")
    return starter_query(get_state().settings)


# The result viewer's column resizer (static/vendor/yasr) adds two fixed <style> texts of
# its own: its layout rules, and a cursor while a column is dragged. The page's policy
# lets exactly those texts in, by their hashes, and no other inline style. Another YASR
# version may change them: the browser tests fail on any policy violation, and
# Chromium's message names the hash to put here.
YASR_STYLE_HASHES = ("sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
                     "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=")
PAGE_POLICY = content_security_policy(YASR_STYLE_HASHES)


def _page(text: str, dataset: Dataset, *, query: Query | None = None,
          error: NkdError | None = None) -> tuple[str, int, dict[str, str]]:
    """Render the query page; run ``query`` (bounded by max_html_rows) unless there is an error."""
    state = get_state()
    known = common_prefixes(state.settings)
    result: dict[str, Any] | None = None
    if query is not None and error is None:
        try:
            result = _run_for_page(query, dataset, {**known, **declared_prefixes(text)})
        except NkdError as err:
            error = err
    missing = missing_prefixes(text, known) if isinstance(error, QuerySyntaxError) else {}
    html = render_template(
        "query.html",
        text=text,
        query=query,
        result=result,
        error=error.to_dict() if error is not None else None,
        fix_prefixes=_fix_prefixes_link(text, missing, dataset) if missing else None,
        downloads=_downloads(text, query, dataset) if query is not None and error is None else [],
        examples=examples(),
        selected_example=_example_named_by(text),
        dataset=dataset,
        settings=state.settings,
        prefixes=known,
        prefix_lines=prefix_lines(known),
    )
    return html, error.status if error is not None else 200, {"Content-Security-Policy": PAGE_POLICY}


def _run_for_page(query: Query, dataset: Dataset, declared: dict[str, str]) -> dict[str, Any]:
    """The result for the page: an ASK's answer, or a table cut at max_html_rows.

    A table's cells show labels and prefixed names, and the same rows go to the page's
    result viewer as SPARQL JSON, with the labels.
    """
    state = get_state()
    limit = state.settings.max_html_rows
    if query.returns_graph:
        # One triple more than shown tells whether there are more.
        triples = state.engine.triples(query, dataset, max_rows=limit + 1)
        head, rows, truncated = ["subject", "predicate", "object"], [list(t) for t in triples[:limit]], len(triples) > limit
    else:
        table = state.engine.table(query, limit, dataset)
        if table.boolean is not None:
            return {"boolean": table.boolean}
        head, rows, truncated = table.variables, table.rows, table.truncated
    labels = labels_of(state.engine, state.settings,
                       (t.value for row in rows for t in row if t is not None and t.kind == "iri"))
    view = ResultView(state.settings.public_base, declared, labels)
    return {"boolean": None, "head": head, "rows": [[view.cell(t) for t in row] for row in rows],
            "truncated": truncated,
            "data": {"results": sparql_json(head, rows), "iris": view.shown_iris(rows)}}


def _fix_prefixes_link(text: str, missing: dict[str, str], dataset: Dataset) -> dict[str, Any]:
    """A link that runs the query again with the PREFIX lines it lacks (a plain GET)."""
    href = "/sparql?" + urlencode(_query_params(with_prefixes(text, missing), dataset))
    return {"names": list(missing), "lines": prefix_lines(missing), "href": href}


def _query_params(text: str, dataset: Dataset) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = [("query", text)]
    params += [("default-graph-uri", g) for g in dataset.default_graphs]
    params += [("named-graph-uri", g) for g in dataset.named_graphs]
    return params


def _downloads(text: str, query: Query, dataset: Dataset) -> list[dict[str, str]]:
    params = _query_params(text, dataset)
    return [{"label": fmt.label, "name": fmt.name, "extension": fmt.extension, "media_type": fmt.media_type,
             "href": "/sparql?" + urlencode(params + [("format", fmt.name)])}
            for fmt in offered_formats(query) if fmt is not HTML]
