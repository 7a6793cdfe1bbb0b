"""The SPARQL 1.1 Protocol at /sparql: one handler for every request that is not a page.

:class:`SparqlProtocol` sits in front of the Flask app and owns ``/sparql``: a query by
GET, HEAD or either POST (a form, or an ``application/sparql-query`` body, chunked or
not), a CORS preflight, any other method. It reads the request, checks the query and
negotiates once (:func:`decide`); only two kinds of request go on to Flask, the query
page and a bare GET (the page or the Service Description, see :mod:`nkd.web.sparql`).
Everything else — results and errors alike — is answered here, without Flask's request
machinery: its request context, routing and hooks cost about 0.4 ms a request on a
small machine, more than a lookup's whole evaluation. Errors take the one shape
(:func:`nkd.web.errors.render_error`), as JSON, HTML or text, whatever went wrong:
the request, the guards, the parser, the engine or the negotiation.

A GET's decision depends on its query string and Accept header alone, so the last 256
are remembered, and a result that comes back whole goes out with a plain header list.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from ..errors import (BadRequest, MethodNotAllowed, NkdError, NotAcceptable, PayloadTooLarge, QueryRefused,
                      UnsupportedMediaType)
from ..http_cache import NO_STORE, REMEMBERED_QUERY_STRING_CHARS, Validators, not_modified_headers, validators
from ..negotiation import HTML, Format, find_format, negotiate, prefers_html
from ..settings import Settings
from ..query_errors import parse_error
from ..sparql import Dataset, Query, base_iri, check_query, offered_formats
from .errors import from_http, render_error

if TYPE_CHECKING:
    from . import State

log = logging.getLogger("nkd")

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
METHODS = ("GET", "HEAD", "POST", "OPTIONS")
# Request headers a cross-origin query page (YASGUI and the like) sends.
CORS_HEADERS = "Accept, Content-Type, Cache-Control, X-Requested-With"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
# The decisions of this many GETs are remembered, of query strings up to
# REMEMBERED_QUERY_STRING_CHARS: under about 6 MB (query string, Accept and query text).
REMEMBERED_GETS = 256


# --------------------------------------------------------------------------- reading the request


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"the {name!r} parameter is given {len(values)} times; send it once")
    return values[0] if values else None


def _graphs(req: Request, params: Any, name: str) -> tuple[str, ...]:
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


def is_bare(req: Request) -> bool:
    """A GET that asks no query: the Service Description, or the empty query page."""
    return req.method in ("GET", "HEAD") and not any(
        name in req.args for name in ("query", *DATASET_PARAMS))


def format_tokens(req: Request) -> list[str]:
    """The values of the ``format`` parameter, in the URL or a form body, split on commas.

    Clients send it in several spellings, some repeated: SPARQLWrapper asks for RDF/XML
    with ``format=rdf+xml&format=application/rdf+xml``, and for JSON-LD with a
    comma-separated list.
    """
    tokens = [token.strip() for value in req.values.getlist("format") for token in value.split(",")]
    return [token for token in tokens if token]


def explicit_format(tokens: list[str], offered: tuple[Format, ...]) -> str | None:
    """The first ``format`` token that names one of ``offered``, or the first token if none does."""
    for token in tokens:
        for spelling in (token, token.replace("-", "").replace("+", "")):
            if find_format(spelling, offered) is not None:
                return spelling
    return tokens[0] if tokens else None


def no_query() -> BadRequest:
    """The error for a request to /sparql that carries no query text."""
    return BadRequest("no query: pass the query text in the 'query' parameter",
                      hint="Example: /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2010")


# --------------------------------------------------------------------------- page or program?


class Prepared(NamedTuple):
    """A program's query read from its request, checked and negotiated: all but the answer."""

    query: Query
    fmt: Format
    dataset: Dataset


class _Page:
    """The decision that a request is Flask's: the query page, or a bare GET."""

    def __repr__(self) -> str:
        return "PAGE"


PAGE = _Page()


def decide(req: Request, settings: Settings) -> Prepared | _Page:
    """Page or program? Read, check and negotiate a request to /sparql, once.

    A request goes to the page when the format it gets is HTML: named by ``format``, or
    chosen by Accept among the formats its query can take (a browser's Accept puts HTML
    first). A query the guards refuse, or no query at all, goes to the page when the
    client names HTML (the page then shows the error in place). Anything else is a
    program's, answered with the result or an error (:class:`NkdError`) in its shape.
    The format is negotiated before the query is parsed (the engine parses it as it runs
    it), except that a query asking for a format its form cannot take is parsed first: a
    syntax error is the one to report.
    """
    if is_bare(req):
        return PAGE
    text, dataset = read_query(req)
    tokens = format_tokens(req)
    accept = req.headers.get("Accept")
    try:
        if text is None or not text.strip():
            raise no_query()
        query = check_query(text, settings)
    except NkdError:
        token = explicit_format(tokens, (HTML,))
        if (find_format(token, (HTML,)) is HTML) if token is not None else prefers_html(accept):
            return PAGE
        raise
    offered = offered_formats(query)
    try:
        fmt = negotiate(accept, offered, explicit_format(tokens, offered))
    except NotAcceptable:
        # A malformed query is the first thing to fix: with only the 406, its author would
        # change the format and then learn that the query never parsed.
        error = parse_error(query.text, base_iri(settings))
        if error is None:
            raise
        raise error from None
    if fmt is HTML:
        return PAGE
    return Prepared(query, fmt, dataset)


# --------------------------------------------------------------------------- the handler


def result_headers(prepared: Prepared, length: int | None, settings: Settings,
                   cache: Validators | None = None) -> list[tuple[str, str]]:
    """The headers of a query's result (``length`` None: it is streamed, chunked).

    The one place where the headers of a /sparql result are built. ``cache``: the
    validators of a GET's result; without them (a POST, or caching off) it is not stored.
    """
    headers = [("Content-Type", prepared.fmt.content_type)]
    if length is not None:
        headers.append(("Content-Length", str(length)))
    headers += [("X-Query-Hash", prepared.query.digest), ("Vary", "Accept")]
    if settings.cors:
        headers.append(("Access-Control-Allow-Origin", "*"))
    headers += cache.headers() if cache is not None else [("Cache-Control", NO_STORE)]
    return headers


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class SparqlProtocol:
    """WSGI middleware: every request to /sparql that is not a page, results and errors alike.

    ``wsgi_app`` is the Flask app's, which gets the pages and every other path;
    ``render_html`` renders a template (``error.html``) without a request context.
    """

    def __init__(self, wsgi_app: Any, state: State, render_html: Callable[..., str]) -> None:
        self.wsgi_app = wsgi_app
        self.state = state
        self.settings: Settings = state.settings
        self.render_html = render_html
        # Keyed by query string and Accept: the settings are the handler's own.
        self._decide_get = lru_cache(maxsize=REMEMBERED_GETS)(self._decide_get_uncached)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.wsgi_app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        accept = environ.get("HTTP_ACCEPT")
        try:
            if method == "GET" or method == "HEAD":
                query_string = environ.get("QUERY_STRING", "")
                decided = (self._decide_get(query_string, accept)
                           if len(query_string) <= REMEMBERED_QUERY_STRING_CHARS
                           else self._decide_get_uncached(query_string, accept))
            elif method == "POST":
                decided = self._decide_post(environ)
            elif method == "OPTIONS":
                return self._preflight(start_response)
            else:
                raise MethodNotAllowed(f"{method} is not allowed on {PATH}", allowed=list(METHODS))
            if decided is PAGE:
                return self.wsgi_app(environ, start_response)
            cache = self._validators(method, environ, decided)
            if cache is not None and cache.fresh_for(environ):
                start_response("304 Not Modified",
                               not_modified_headers(cache, result_headers(decided, None, self.settings)))
                return []
            body = self.state.engine.serialize_stream(decided.query, decided.fmt, decided.dataset)
        except NkdError as err:
            return self._error(err, environ, start_response)
        except Exception:  # a bug in nkd: still the error shape, never the server's bare page
            log.exception("unhandled error on %s %s", method, PATH)
            return self._error(NkdError("the server failed to answer this request"), environ, start_response)
        whole = isinstance(body, bytes)
        start_response("200 OK", result_headers(decided, len(body) if whole else None, self.settings, cache))
        if method == "HEAD":
            if not whole:
                body.close()  # stop the query thread at its next write
            return []
        # A stream has no Content-Length: the server sends it chunked (HTTP/1.1) and,
        # should it be cut off, closes the connection without the final chunk.
        return [body] if whole else body

    def _validators(self, method: str | None, environ: dict[str, Any], decided: Prepared) -> Validators | None:
        """A GET's (or HEAD's) result is cacheable, validated by the data's version; a POST's is not."""
        if method not in ("GET", "HEAD"):
            return None
        return validators(self.state.data_version(), self.settings, PATH, environ.get("QUERY_STRING", ""),
                          decided.fmt.media_type)

    # -- deciding

    def _decide_get_uncached(self, query_string: str, accept: str | None) -> Prepared | _Page:
        # The environ holds all that a GET's decision reads.
        environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": query_string}
        if accept is not None:
            environ["HTTP_ACCEPT"] = accept
        return decide(Request(environ), self.settings)  # a refusal raises, and is not remembered

    def _decide_post(self, environ: dict[str, Any]) -> Prepared | _Page:
        body = self._read_body(environ)
        # Whoever reads the body next (werkzeug here, Flask for a page) finds it whole.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        req = Request(environ)
        req.max_content_length = req.max_form_memory_size = self.settings.max_request_bytes
        try:
            decided = decide(req, self.settings)
        except HTTPException as exc:  # a malformed form body
            raise from_http(exc, "POST", PATH) from None
        environ["wsgi.input"] = io.BytesIO(body)
        return decided

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        """The request body, with or without Content-Length (chunked), up to max_request_bytes."""
        limit = self.settings.max_request_bytes
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                raise BadRequest(f"the Content-Length header {length!r} is not a number") from None
            if size < 0:
                raise BadRequest(f"the Content-Length header {length!r} is negative")
            if size > limit:
                raise self._body_too_large(limit)
            return stream.read(size) if stream is not None and size else b""
        # No length: a chunked body, which the server must have framed for us (gunicorn
        # does, and says so with wsgi.input_terminated); otherwise there is no body.
        if stream is None or not environ.get("wsgi.input_terminated"):
            return b""
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise self._body_too_large(limit)
        return body

    @staticmethod
    def _body_too_large(limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is larger than {limit:,} bytes (max_request_bytes)",
                               hint="Send a smaller request body (see max_request_bytes at /-/settings).")

    # -- answering

    def _preflight(self, start_response: Any) -> list[bytes]:
        headers = [("Allow", ", ".join(METHODS)), ("Vary", "Accept"), ("Content-Length", "0")]
        if self.settings.cors:
            headers += [("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Methods", ", ".join(METHODS)),
                        ("Access-Control-Allow-Headers", CORS_HEADERS),
                        ("Access-Control-Max-Age", str(self.settings.cors_max_age_s))]
        start_response("204 No Content", headers)
        return []

    def _error(self, err: NkdError, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        script_name = environ.get("SCRIPT_NAME", "")
        status, headers, body = render_error(
            err, environ.get("HTTP_ACCEPT"),
            lambda name, **context: self.render_html(name, script_name=script_name, **context))
        if self.settings.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        start_response(_STATUS_LINES.get(status, str(status)), headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


__all__ = ["PAGE", "Prepared", "SparqlProtocol", "decide", "explicit_format", "format_tokens", "is_bare",
           "no_query", "read_query", "result_headers"]
