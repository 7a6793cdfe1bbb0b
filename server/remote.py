"""An external SPARQL 1.1 store behind nkd's HTTP interface (`nkd serve --endpoint URL`).

:class:`RemoteEngine` has the public methods of :class:`~server.sparql.EmbeddedEngine`,
so every view works unchanged. Each query has passed :func:`~server.sparql.check_query`
before it gets here (no updates, no ``SERVICE``, bounded size and nesting) and is sent
with the SPARQL 1.1 Protocol (a form POST, §2.1.2), together with the request's
``default-graph-uri`` / ``named-graph-uri``. Which graph is the default one when the
query names none is the store's business: start Oxigraph server with
``--union-default-graph`` to get the embedded store's union default graph.

The store's answer is fetched in one format every store speaks (SPARQL JSON results,
N-Triples) and re-serialized here with pyoxigraph, so the response bytes, formats and
limits are the same as with the embedded store whatever the store behind it. The time
limit holds through HTTP timeouts plus a deadline checked while the body streams in,
and the size limit through a capped read. Failures become typed errors: the store
unreachable → :class:`UpstreamError` (502), too slow → :class:`UpstreamTimeout` (504).
Connections are pooled by urllib3, which drops a connection that failed and checks
an idle one before reusing it, so the engine recovers by itself when the store comes
back; nothing here remembers that the store was down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import (ConnectTimeoutError, HTTPError, MaxRetryError, NewConnectionError,
                                ProtocolError, ReadTimeoutError)

from .errors import InputError, PayloadTooLarge, UpstreamError, UpstreamTimeout
from .negotiation import GRAPH_FORMATS, DATASET_FORMATS, RESULTS_FORMATS, Format
from .settings import Settings
from .sparql import Dataset, Query, Table, Term, check_query, result_too_large, syntax_error

log = logging.getLogger("nkd")

# How long to wait for a TCP connection (capped by the query time limit): a store that
# does not accept within this is as good as down.
CONNECT_TIMEOUT_S = 5.0
READ_CHUNK_BYTES = 64 * 1024

# What we ask the store for, best first. Every SPARQL store writes SPARQL JSON and
# N-Triples; the others are parsed too in case a store insists on them.
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, " \
                  "text/tab-separated-values;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, " \
                "application/ld+json;q=0.7"
_PARSEABLE_RESULTS = tuple(f for f in RESULTS_FORMATS if f.name != "csv")  # CSV is lossy


def check_url(url: str, what: str = "--endpoint") -> str:
    """Return ``url`` if it is an absolute http(s) URL; :class:`InputError` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} {url!r} is not an http(s) URL",
                         hint=f"Pass the store's full URL, e.g. {what} http://127.0.0.1:7878/query")
    return url


def without_credentials(url: str) -> str:
    """``url`` with any user:password removed, for messages and logs."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def auth_headers(url: str) -> dict[str, str]:
    """HTTP Basic credentials from the URL's user:password, if it has them."""
    parts = urlsplit(url)
    if parts.username is None:
        return {}
    return urllib3.util.make_headers(basic_auth=f"{parts.username}:{parts.password or ''}")


def make_pool(connections: int) -> urllib3.PoolManager:
    """A thread-safe connection pool; no automatic retries (callers decide)."""
    return urllib3.PoolManager(maxsize=max(1, connections), block=False, retries=False,
                               headers={"User-Agent": "nkd"})


def connection_error(exc: Exception, target: str) -> UpstreamError:
    """The typed error for a failure to reach or hear from the store."""
    reason = exc.reason if isinstance(exc, MaxRetryError) and exc.reason else exc
    if isinstance(reason, ReadTimeoutError):
        return UpstreamTimeout(f"the store {target} did not answer in time")
    if isinstance(reason, NewConnectionError):  # a subclass of ConnectTimeoutError: test it first
        return UpstreamError(f"the store {target} could not be reached (connection refused or host down)")
    if isinstance(reason, ConnectTimeoutError):
        return UpstreamError(f"the store {target} did not accept a connection in time")
    if isinstance(reason, ProtocolError):
        return UpstreamError(f"the store {target} closed the connection without a complete answer")
    return UpstreamError(f"the store {target} could not be reached ({type(reason).__name__})")


@dataclass
class RemoteEngine:
    """Answers checked queries by forwarding them to an external SPARQL 1.1 endpoint."""

    endpoint: str
    settings: Settings
    pool: urllib3.PoolManager = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        check_url(self.endpoint)
        if self.pool is None:
            self.pool = make_pool(self.settings.threads)
        self._headers = auth_headers(self.endpoint)
        self._url = without_credentials(self.endpoint)

    # ------------------------------------------------------------------ HTTP

    def _fetch(self, query: Query, dataset: Dataset) -> tuple[bytes, str]:
        """POST the query; return the body (capped, within the deadline) and its media type."""
        timeout_s = self.settings.query_timeout_s
        deadline = time.monotonic() + timeout_s
        fields = [("query", query.text)]
        fields += [("default-graph-uri", iri) for iri in dataset.default_graphs]
        fields += [("named-graph-uri", iri) for iri in dataset.named_graphs]
        headers = {**self._headers, "Accept": _GRAPH_ACCEPT if query.returns_graph else _RESULTS_ACCEPT}
        for attempt in (1, 2):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise UpstreamTimeout("the store behind this server did not answer in time")
            try:
                response = self.pool.request(
                    "POST", self.endpoint, fields=fields, encode_multipart=False, headers=headers,
                    preload_content=False, redirect=False,
                    timeout=urllib3.Timeout(connect=min(CONNECT_TIMEOUT_S, remaining), read=remaining))
            except ProtocolError as exc:
                # A pooled keep-alive connection the store closed just as we reused it:
                # nothing was answered, so sending again once is safe (queries are reads).
                if attempt == 1:
                    log.info("the store at %s dropped a pooled connection (%s); retrying", self._url, exc)
                    continue
                raise self._failed(exc) from None
            except HTTPError as exc:
                raise self._failed(exc) from None
            try:
                body = self._read_body(response, deadline)
            except BaseException:
                # Unread bytes must not reach the next request on this connection: close
                # it, and the pool opens a fresh one when it next hands it out.
                response.close()
                raise
            finally:
                response.release_conn()
            media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if response.status >= 300:
                raise self._refused(query, response.status, body)
            return body, media_type
        raise AssertionError("unreachable")

    def _read_body(self, response: Any, deadline: float) -> bytes:
        limit = self.settings.max_result_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = response.read(READ_CHUNK_BYTES)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > limit:
                    raise result_too_large(limit)
                if time.monotonic() > deadline:
                    raise UpstreamTimeout(
                        f"the store did not finish its answer within the "
                        f"{self.settings.query_timeout_s:g} s limit")
                chunks.append(chunk)
        except HTTPError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: Exception) -> UpstreamError:
        log.warning("SPARQL store %s: %s", self._url, exc)
        return connection_error(exc, "behind this server")

    def _refused(self, query: Query, status: int, body: bytes) -> Exception:
        text = body.decode("utf-8", "replace").strip()
        if status == 400:
            # The store's parser disagrees with the query: hand its message on, with
            # line and column when it gives them (Oxigraph does).
            return syntax_error(query.text, SyntaxError(text[:1000]))
        if status == 413:
            return PayloadTooLarge("the store refused the query as too large",
                                   hint="Shorten the query.")
        # Other statuses say something about the store, not the query: keep the
        # details (which may name the store's internals) in the log.
        log.warning("SPARQL store %s answered HTTP %s: %s", self._url, status, text[:500])
        if status in (503, 504):
            return UpstreamTimeout(f"the store behind this server is busy or timed out (HTTP {status})")
        return UpstreamError(f"the store behind this server failed to answer (HTTP {status})")

    # ------------------------------------------------------------------ parsing

    def _solutions(self, query: Query, dataset: Dataset) -> Any:
        body, media_type = self._fetch(query, dataset)
        fmt = _find(media_type, _PARSEABLE_RESULTS)
        try:
            return ox.parse_query_results(body, fmt.ox)
        except SyntaxError as exc:
            raise self._malformed(media_type, exc) from None

    def _graph(self, query: Query, dataset: Dataset) -> list[ox.Triple]:
        body, media_type = self._fetch(query, dataset)
        fmt = _find(media_type, (*GRAPH_FORMATS, *DATASET_FORMATS))
        try:
            return [quad.triple for quad in ox.parse(body, fmt.ox)]
        except SyntaxError as exc:
            raise self._malformed(media_type, exc) from None

    def _malformed(self, media_type: str, exc: SyntaxError) -> UpstreamError:
        # Oxigraph server, for one, cuts a result short this way when its own timeout fires.
        log.warning("SPARQL store %s sent an unreadable %s result: %s", self._url, media_type, exc)
        return UpstreamError("the store behind this server sent an invalid or incomplete result")

    # ------------------------------------------------------------------ engine API

    def serialize(self, query: Query, fmt: Format, dataset: Dataset = Dataset()) -> bytes:
        """Run ``query`` on the store and return its result serialized in ``fmt``."""
        if query.returns_graph:
            body = ox.serialize(self._graph(query, dataset), format=fmt.ox)
        else:
            body = self._solutions(query, dataset).serialize(format=fmt.ox)
        return self._capped(body)

    def _capped(self, body: bytes) -> bytes:
        # The store's answer was capped as it came in; the same data in another format
        # is of the same order of size, so checking after serializing is enough.
        if len(body) > self.settings.max_result_bytes:
            raise result_too_large(self.settings.max_result_bytes)
        return body

    def table(self, query: Query, max_rows: int, dataset: Dataset = Dataset()) -> Table:
        """Run a SELECT or ASK query and return at most ``max_rows`` rows as a :class:`Table`."""
        result = self._solutions(query, dataset)
        if isinstance(result, ox.QueryBoolean):
            return Table(variables=[], rows=[], boolean=bool(result))
        variables = [v.value for v in result.variables]
        rows: list[list[Term | None]] = []
        for solution in result:
            if len(rows) == max_rows:
                return Table(variables=variables, rows=rows, truncated=True)
            rows.append([None if solution[v] is None else Term.from_ox(solution[v]) for v in variables])
        return Table(variables=variables, rows=rows)

    def triples(self, query: Query, dataset: Dataset = Dataset(),
                max_rows: int | None = None) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples (the first ``max_rows``, if given)."""
        graph = self._graph(query, dataset)[:max_rows]
        return [(Term.from_ox(t.subject), Term.from_ox(t.predicate), Term.from_ox(t.object)) for t in graph]

    def dump(self, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
        """Every named graph of the store serialized in ``fmt``, for the dataset dumps.

        Quad formats keep the graphs; triple formats get their union, each triple once
        (as :meth:`EmbeddedEngine.dump <server.sparql.EmbeddedEngine.dump>`). Asked with
        ``GRAPH ?g``, so the answer does not depend on the store's default graph setting;
        a store loaded by `nkd push` keeps everything in named graphs.
        """
        if fmt in DATASET_FORMATS:
            rows = self._solutions(check_query(_ALL_QUADS, self.settings), Dataset())
            quads = [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]
            return self._capped(ox.serialize(quads, format=fmt.ox, prefixes=prefixes))
        triples = dict.fromkeys(self._graph(check_query(_ALL_TRIPLES, self.settings), Dataset()))
        return self._capped(ox.serialize(triples, format=fmt.ox, prefixes=prefixes))


_ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _find(media_type: str, formats: Iterable[Format]) -> Format:
    for fmt in formats:
        if media_type in fmt.media_types:
            return fmt
    log.warning("the SPARQL store answered in an unexpected format (%s)", media_type or "none")
    raise UpstreamError(f"the store behind this server answered in an unexpected format ({media_type or 'none'})")


__all__ = ["RemoteEngine", "auth_headers", "check_url", "connection_error", "make_pool",
           "without_credentials"]
