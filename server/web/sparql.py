"""The SPARQL 1.1 Protocol endpoint at /sparql, its Service Description and its query page.

One URL serves three audiences, told apart by the request: a query (``query=`` by GET
or form POST, or an ``application/sparql-query`` body) is answered in the negotiated
result format; a bare GET from a program gets the Service Description as RDF; a
browser gets the query page, which runs queries server-side so that it works with
JavaScript off.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from ..data import query_files
from ..errors import BadRequest, NkdError, NotFound, QueryRefused, UnsupportedMediaType
from ..http_cache import NO_STORE, Validators, not_modified_headers
from ..negotiation import (DATASET_FORMATS, GRAPH_FORMATS, HTML, Format, find_format, negotiate,
                           prefers_html)
from ..settings import Settings
from ..sparql import (Dataset, Example, Query, ResultStream, Term, check_query, offered_formats,
                      read_example)
from . import caching, get_state
from .errors import error_response, from_http

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
METHODS = ("GET", "HEAD", "POST", "OPTIONS")
# Request headers a cross-origin query page (YASGUI and the like) sends.
CORS_HEADERS = "Accept, Content-Type, Cache-Control, X-Requested-With"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
SERVICE_DESCRIPTION = Path(__file__).parent / "rdf" / "service-description.ttl"
DESCRIPTION_FORMATS = (*GRAPH_FORMATS, *DATASET_FORMATS)
DESCRIPTION_PREFIXES = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
    "ent": "http://www.w3.org/ns/entailment/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
}


# --------------------------------------------------------------------------- reading the request


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


def _update_refused() -> QueryRefused:
    return QueryRefused("SPARQL Update is not accepted: this endpoint is read-only",
                        hint="Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")


def read_query(req: Request) -> tuple[str | None, Dataset]:
    """The query text and dataset of a SPARQL Protocol request (§2.1), or None for no query."""
    if "update" in req.args:
        raise _update_refused()
    if req.method in ("GET", "HEAD"):
        params = req.args
        text = _single(params.getlist("query"), "query")
    else:
        mimetype = req.mimetype
        if mimetype == UPDATE:
            raise _update_refused()
        if mimetype == FORM:
            params = req.form
            if "update" in params:
                raise _update_refused()
            text = _single(params.getlist("query") + req.args.getlist("query"), "query")
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


def _is_bare(req: Request) -> bool:
    # A GET that asks no query: the Service Description, or the empty query page.
    return req.method in ("GET", "HEAD") and not any(
        name in req.args for name in ("query", *DATASET_PARAMS))


def explicit_format(req: Request, offered: tuple[Format, ...]) -> str | None:
    """The ``format`` parameter's choice among ``offered``, or its first value if none fits.

    Clients send it in several spellings, some repeated: SPARQLWrapper asks for RDF/XML
    with ``format=rdf+xml&format=application/rdf+xml``, and for JSON-LD with a
    comma-separated list. The first value that names an offered format wins.
    """
    values = [token.strip() for value in req.values.getlist("format") for token in value.split(",")]
    values = [token for token in values if token]
    for token in values:
        for spelling in (token, token.replace("-", "").replace("+", "")):
            if find_format(spelling, offered) is not None:
                return spelling
    return values[0] if values else None


def _page_wanted(req: Request) -> bool:
    token = explicit_format(req, (HTML,))
    if token is not None:
        return find_format(token, (HTML,)) is HTML
    return prefers_html(req.headers.get("Accept"))


# --------------------------------------------------------------------------- the endpoint


@bp.route("/sparql", methods=list(METHODS))
def endpoint() -> Response | tuple[str, int]:
    """Describe the service, show the query page, or answer a preflight.

    Queries from programs are answered by :class:`ProgramQueries` before Flask sees
    them; the few it passes on (a chunked body, say) are answered the same way here.
    """
    if request.method == "OPTIONS":
        return _preflight()
    if _is_bare(request):
        return _bare_get()
    if not _page_wanted(request):  # a program's query that the middleware passed on
        return answer_program(request._get_current_object(), get_state())
    text, dataset = read_query(request)
    try:
        if text is None or not text.strip():
            raise _no_query()
        query = check_query(text, get_state().settings)
    except NkdError as err:
        return _page(text or "", dataset, error=err)
    return _page(text, dataset, query=query)


def _no_query() -> BadRequest:
    return BadRequest("no query: pass the query text in the 'query' parameter",
                      hint="Example: /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2010")


# --------------------------------------------------------------------------- queries from programs


class _ProgramRequest(Request):
    """A werkzeug request, without Flask's request context (its cost is most of a lookup's)."""


class Prepared(NamedTuple):
    """A program's query read from its request, checked and negotiated: all but the answer."""

    query: Query
    fmt: Format
    dataset: Dataset


def prepare(req: Request, settings: Settings) -> Prepared:
    """Read, check and negotiate the query of a program's request (raises :class:`NkdError`)."""
    try:
        text, dataset = read_query(req)
    except HTTPException as exc:  # a malformed or too large form body
        raise from_http(exc, req.method, req.path) from None
    if text is None or not text.strip():
        raise _no_query()
    query = check_query(text, settings)
    offered = offered_formats(query)
    return Prepared(query, negotiate(req.headers.get("Accept"), offered, explicit_format(req, offered)), dataset)


# A GET's preparation depends on its query string and Accept header alone, so the last
# 256 are remembered. Query strings past this length (only other WSGI servers pass them:
# gunicorn caps the request line and each header at 8 KB) are prepared each time, so
# what is held stays under about 6 MB (query string, Accept and query text per entry).
REMEMBERED_QUERY_STRING_CHARS = 8192


@lru_cache(maxsize=256)
def _prepare_get_remembered(query_string: str, accept: str | None, settings: Settings) -> Prepared | None:
    return _prepare_get(query_string, accept, settings)  # a refusal raises, and is not remembered


def _prepare_get(query_string: str, accept: str | None, settings: Settings) -> Prepared | None:
    """:func:`prepare` for a GET, or None when the request is Flask's (a page, the description)."""
    # The environ holds all that a GET's preparation reads: werkzeug's parsing of the
    # query string and Accept costs more than evaluating a lookup.
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": query_string}
    if accept is not None:
        environ["HTTP_ACCEPT"] = accept
    req = _ProgramRequest(environ)
    if _is_bare(req) or _page_wanted(req):
        return None
    return prepare(req, settings)


class ProgramQueries:
    """WSGI middleware: the SPARQL Protocol for programs, ahead of Flask's request machinery.

    A query to /sparql by GET, HEAD or POST from a client that wants results rather
    than the query page (no HTML in its Accept, no ``format=html``) is answered here,
    results and errors alike; everything else — the page, the Service Description,
    preflights, other paths — goes on to the Flask app. Flask's request context,
    routing and hooks cost about 0.4 ms a request on a small machine, more than a
    lookup's whole evaluation, and a program's query needs none of them. A GET whose
    result comes back whole goes shorter still: its preparation is remembered and its
    headers go straight to the server, without werkzeug's request and response objects
    (another 0.3 ms a lookup at 1M triples).
    """

    def __init__(self, wsgi_app: Any, state: Any) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "HEAD", "POST"):
            return self.wsgi_app(environ, start_response)
        if method == "GET":
            return self._get(environ, start_response)
        if method == "POST":
            # Read the body once, so that Flask can read it again if the request is its.
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                length = -1
            if not 0 <= length <= self.state.settings.max_request_bytes:
                return self.wsgi_app(environ, start_response)  # chunked or too large: Flask's 400/413
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        req = _ProgramRequest(environ)
        req.max_content_length = self.state.settings.max_request_bytes
        if _is_bare(req) or _page_wanted(req):
            if method == "POST":
                environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        return answer_program(req, self.state)(environ, start_response)

    def _get(self, environ: dict[str, Any], start_response: Any) -> Any:
        settings = self.state.settings
        query_string, accept = environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT")
        prepare_get = (_prepare_get_remembered if len(query_string) <= REMEMBERED_QUERY_STRING_CHARS
                       else _prepare_get)
        try:
            prepared = prepare_get(query_string, accept, settings)
            if prepared is None:
                return self.wsgi_app(environ, start_response)
            cache = caching.query_validators(self.state, "GET", query_string, prepared.fmt.media_type)
            if cache is not None and cache.fresh_for(environ):
                start_response("304 Not Modified", not_modified_headers(cache, result_headers(prepared, None, settings)))
                return []
            body = run(prepared, self.state)
        except NkdError as err:
            return error_answer(err, accept, settings)(environ, start_response)
        if isinstance(body, bytes):
            start_response("200 OK", result_headers(prepared, len(body), settings, cache))
            return [body]
        return result_response(prepared, body, settings, cache)(environ, start_response)


def answer_program(req: Request, state: Any) -> Response:
    """The response to a program's query: the result in the negotiated format, or an error."""
    try:
        prepared = prepare(req, state.settings)
        cache = caching.query_validators(state, req.method, req.query_string.decode("latin-1"),
                                         prepared.fmt.media_type)
        body = run(prepared, state)
    except NkdError as err:
        return error_answer(err, req.headers.get("Accept"), state.settings)
    return result_response(prepared, body, state.settings, cache)


def run(prepared: Prepared, state: Any) -> bytes | ResultStream:
    """Evaluate a prepared query: its whole result, or a stream of a large one."""
    serialize = getattr(state.engine, "serialize_stream", state.engine.serialize)
    return serialize(prepared.query, prepared.fmt, prepared.dataset)


def result_headers(prepared: Prepared, length: int | None, settings: Settings,
                   cache: Validators | None = None) -> list[tuple[str, str]]:
    """The headers of a query's result (``length`` None: it is streamed, chunked).

    ``cache``: the validators of a GET's result; without them (POST) it is not stored.
    """
    headers = [("Content-Type", prepared.fmt.content_type)]
    if length is not None:
        headers.append(("Content-Length", str(length)))
    headers += [("X-Query-Hash", prepared.query.digest), ("Vary", "Accept")]
    if settings.cors:
        headers.append(("Access-Control-Allow-Origin", "*"))
    headers += cache.headers() if cache is not None else [("Cache-Control", NO_STORE)]
    return headers


def result_response(prepared: Prepared, body: bytes | ResultStream, settings: Settings,
                    cache: Validators | None = None) -> Response:
    """A query's result as a werkzeug response (it answers HEAD, and streams)."""
    if isinstance(body, ResultStream):
        # No Content-Length: the server sends it chunked (HTTP/1.1) and, should the
        # stream be cut off, closes the connection without the final chunk.
        return Response(body, headers=result_headers(prepared, None, settings, cache), direct_passthrough=True)
    return Response(body, headers=result_headers(prepared, len(body), settings, cache))


def error_answer(err: NkdError, accept: str | None, settings: Settings) -> Response:
    """An error of /sparql in the shape ``accept`` calls for, with its CORS header when on."""
    response = error_response(err, accept or "")
    if settings.cors:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Allow"] = ", ".join(METHODS)
    if get_state().settings.cors:
        response.headers["Access-Control-Allow-Methods"] = ", ".join(METHODS)
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = str(get_state().settings.cors_max_age_s)
    return response


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    """Every answer of /sparql (results, page, description, error) depends on Accept."""
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
    fmt = negotiate(request.headers.get("Accept"), offered, explicit_format(request, offered))
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
    for name in _named_graphs():
        node = ox.BlankNode()
        quads += [ox.Quad(dataset, ox.NamedNode(sd + "namedGraph"), node),
                  ox.Quad(node, ox.NamedNode(sd + "name"), ox.NamedNode(name))]
    return quads


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
