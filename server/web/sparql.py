"""The query page and the Service Description at /sparql.

Queries from programs never get here: :class:`~server.web.protocol.SparqlProtocol`
answers them ahead of Flask and decides, once, which requests are pages. What comes
here is a bare GET (the Service Description as RDF, or the empty query page for a
browser) and a query whose answer is the page: the page runs it server-side, so that
it works with JavaScript off, and shows its result or its error in place.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from ..data import query_files
from ..errors import NkdError, NotFound
from ..negotiation import DATASET_FORMATS, GRAPH_FORMATS, HTML, negotiate
from ..sparql import Dataset, Example, Query, Term, base_iri, check_query, offered_formats, read_example
from . import get_state
from .protocol import explicit_format, format_tokens, is_bare, no_query, read_query

bp = Blueprint("sparql", __name__)

SERVICE_DESCRIPTION = Path(__file__).parent / "rdf" / "service-description.ttl"
DESCRIPTION_FORMATS = (*GRAPH_FORMATS, *DATASET_FORMATS)
DESCRIPTION_PREFIXES = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
    "ent": "http://www.w3.org/ns/entailment/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | tuple[str, int]:
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


def _bare_get() -> Response | tuple[str, int]:
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
    sd = "http://www.w3.org/ns/sparql-service-description#"
    dataset = ox.NamedNode(endpoint_iri + "#dataset")
    # The base of a query's relative IRIs is a setting's, so it is stated here, not in the file.
    quads.append(ox.Quad(ox.NamedNode(endpoint_iri), ox.NamedNode(DESCRIPTION_PREFIXES["rdfs"] + "comment"),
                         ox.Literal(base_iri_note(get_state().settings), language="en")))
    for name in _named_graphs():
        node = ox.BlankNode()
        quads += [ox.Quad(dataset, ox.NamedNode(sd + "namedGraph"), node),
                  ox.Quad(node, ox.NamedNode(sd + "name"), ox.NamedNode(name))]
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


DEFAULT_QUERY = "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 25\n"


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """The shipped example queries (``graph/queries/*.rq``), read once."""
    try:
        return tuple(read_example(path) for path in query_files())
    except (FileNotFoundError, OSError, UnicodeDecodeError):
        return ()


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
    return examples()[0].text if examples() else DEFAULT_QUERY


def _page(text: str, dataset: Dataset, *, query: Query | None = None,
          error: NkdError | None = None) -> tuple[str, int]:
    """Render the query page; run ``query`` (bounded by max_html_rows) unless there is an error."""
    state = get_state()
    table: dict[str, Any] | None = None
    boolean: bool | None = None
    if query is not None and error is None:
        try:
            table, boolean = _run_for_page(query, dataset)
        except NkdError as err:
            error = err
    html = render_template(
        "query.html",
        text=text,
        query=query,
        table=table,
        boolean=boolean,
        error=error.to_dict() if error is not None else None,
        downloads=_downloads(text, query, dataset) if query is not None and error is None else [],
        examples=examples(),
        selected_example=_example_named_by(text),
        dataset=dataset,
        settings=state.settings,
    )
    return html, error.status if error is not None else 200


def _run_for_page(query: Query, dataset: Dataset) -> tuple[dict[str, Any] | None, bool | None]:
    """The result as an HTML table's header and cells (or an ASK's answer), cut at max_html_rows."""
    state = get_state()
    limit, base = state.settings.max_html_rows, state.settings.public_base
    if query.returns_graph:
        # One triple more than shown tells whether there are more.
        triples = state.engine.triples(query, dataset, max_rows=limit + 1)
        return {"head": ["subject", "predicate", "object"],
                "rows": [[_cell(t, base) for t in triple] for triple in triples[:limit]],
                "truncated": len(triples) > limit}, None
    result = state.engine.table(query, limit, dataset)
    if result.boolean is not None:
        return None, result.boolean
    return {"head": result.variables,
            "rows": [[_cell(t, base) for t in row] for row in result.rows],
            "truncated": result.truncated}, None


def _downloads(text: str, query: Query, dataset: Dataset) -> list[dict[str, str]]:
    params: list[tuple[str, str]] = [("query", text)]
    params += [("default-graph-uri", g) for g in dataset.default_graphs]
    params += [("named-graph-uri", g) for g in dataset.named_graphs]
    return [{"label": fmt.label, "name": fmt.name, "extension": fmt.extension, "media_type": fmt.media_type,
             "href": "/sparql?" + urlencode(params + [("format", fmt.name)])}
            for fmt in offered_formats(query) if fmt is not HTML]


def _cell(term: Term | None, base: str) -> dict[str, Any]:
    if term is None:
        return {"text": "", "kind": "unbound"}
    if term.kind == "iri":
        # IRIs of this dataset dereference on this server, wherever it runs.
        href = "/" + term.value[len(base):] if term.value.startswith(base) else term.value
        return {"text": term.value, "kind": "iri", "href": href}
    if term.kind == "literal":
        note = f"@{term.language}" if term.language else _short_datatype(term.datatype)
        return {"text": term.value, "kind": "literal", "note": note}
    if term.kind == "bnode":
        return {"text": f"_:{term.value}", "kind": "bnode"}
    return {"text": term.value, "kind": term.kind}


def _short_datatype(datatype: str | None) -> str:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    if not datatype or datatype in (xsd + "string",):
        return ""
    return "xsd:" + datatype[len(xsd):] if datatype.startswith(xsd) else datatype
