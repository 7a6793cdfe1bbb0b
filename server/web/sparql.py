"""The SPARQL 1.1 Protocol endpoint at /sparql."""

from __future__ import annotations

from flask import Blueprint, Request, Response, request

from ..errors import BadRequest, QueryRefused, UnsupportedMediaType
from ..negotiation import HTML, negotiate
from ..sparql import Dataset, check_query, offered_formats
from . import get_state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"the {name!r} parameter is given {len(values)} times; send it once")
    return values[0] if values else None


def _graphs(req: Request, params, name: str) -> tuple[str, ...]:
    # With a POST body, the graph parameters may be in the body or in the URL.
    values = params.getlist(name)
    if params is not req.args:
        values += req.args.getlist(name)
    return tuple(values)


def read_query(req: Request) -> tuple[str | None, Dataset]:
    """The query text and dataset of a SPARQL Protocol request (§2.1), or None for no query."""
    refused = QueryRefused("SPARQL Update is not accepted: this endpoint is read-only",
                           hint="Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")
    if req.method in ("GET", "HEAD"):
        params = req.args
        if "update" in params:
            raise refused
        text = _single(params.getlist("query"), "query")
    else:
        mimetype = req.mimetype
        if mimetype == UPDATE:
            raise refused
        if mimetype == FORM:
            params = req.form
            if "update" in params:
                raise refused
            text = _single(params.getlist("query"), "query")
        elif mimetype == DIRECT:
            params = req.args
            if "query" in params:
                raise BadRequest("a query sent as application/sparql-query must not also have a 'query' parameter")
            try:
                text = req.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the request body is not UTF-8",
                                 hint="Encode the query text as UTF-8.") from None
        else:
            raise UnsupportedMediaType(
                f"a POST to /sparql cannot have Content-Type {req.mimetype or '(none)'}",
                hint=f"Send {FORM} with a query= field, or the query itself as {DIRECT}.",
            )
    dataset = Dataset(default_graphs=_graphs(req, params, "default-graph-uri"),
                      named_graphs=_graphs(req, params, "named-graph-uri"))
    return text, dataset


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query in the negotiated format."""
    state = get_state()
    text, dataset = read_query(request)
    if text is None or not text.strip():
        raise BadRequest("no query: pass the query text in the 'query' parameter",
                         hint="Example: /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2010")
    query = check_query(text, state.settings)
    fmt = negotiate(request.headers.get("Accept"), offered_formats(query), request.values.get("format"))
    if fmt is HTML:
        raise BadRequest("the HTML view of results is not built yet", hint="Ask for JSON.")
    body = state.engine.serialize(query, fmt, dataset)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["X-Query-Hash"] = query.digest
    return response
