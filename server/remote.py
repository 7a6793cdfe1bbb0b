"""An external SPARQL 1.1 store behind nkd's HTTP interface (`nkd serve --endpoint URL`).

:class:`RemoteEngine` implements the engine protocol (:class:`nkd.engine.Engine`) as
:class:`~nkd.sparql.EmbeddedEngine` does, so every view works unchanged. Each query has passed :func:`~nkd.sparql.check_query`
before it gets here (no updates, no ``SERVICE``, bounded size and nesting) and is sent
with the SPARQL 1.1 Protocol (a form POST, §2.1.2), together with the request's
``default-graph-uri`` / ``named-graph-uri``.

**Streaming.** The store is asked for the format the client wants when it gives that
format faithfully, and its bytes pass through as they come; otherwise it is asked for
SPARQL JSON or N-Triples, which a thread parses and serializes in the client's format
(:mod:`nkd.remote_results`). Nothing holds a whole result: the query page asks the
store for the rows it shows (a ``LIMIT``), and Linked Data reads only what it keeps.

**The store's state** (:class:`~nkd.store_quirks.StoreState`): which graphs are nkd's
(those ``nkd push`` wrote, or those ``store_graphs`` names), their sizes, and quirks
learned from the store (:mod:`nkd.store_quirks`: Virtuoso's row cap and blank node labels). It is read again every ``store_check_s``;
its digest makes the ETags, and VoID and dumps follow it. When the store holds other
graphs too (Virtuoso's own), queries that name no dataset get nkd's graphs as their
dataset, so answers, pages, VoID and dumps show nkd's data only.

**Failures** are typed (:mod:`nkd.upstream`): unreachable → 502, too slow (nkd's limit
or the store's) → 504, refused → 400, failed → 500, with the store's own message. A
result the store capped (Virtuoso's ``ResultSetMaxRows``) is an error, never a shorter
200. A request is sent again only when it provably never left (see :func:`make_pool`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Iterator

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import HTTPError

from .errors import NkdError, UpstreamError, UpstreamTimeout
from .http_cache import DataVersion, digest_files
from .negotiation import DATASET_FORMATS, GRAPH_FORMATS, JSON, NTRIPLES, XML, Format
from .query_errors import located
from .remote_results import (ChunkReader, Pipe, RemoteStream, Upstream, at_most_lines, capped, check_complete,
                             convert_in_thread, hand_on, virtuoso_labels)
from .settings import Settings
from .sparql import Dataset, EmbeddedEngine, Query, Table, Term, base_iri, check_query
from .store_quirks import (GRAPH_SIZES, LIMITED_ROWS, PASSED_THROUGH, VIRTUOSO_CAP, StoreState, capped_error,
                           store_kind, virtuoso_boolean, with_limit)
from .upstream import (CONNECT_TIMEOUT_S, ERROR_BODY_BYTES, auth_headers, check_url, connection_error,
                       header, make_pool, query_error, store_message, without_credentials)

log = logging.getLogger("nkd")


class RemoteEngine:
    """Answers checked queries by forwarding them to an external SPARQL 1.1 endpoint.

    Implements :class:`nkd.engine.Engine`; open one with :func:`nkd.engine.open_engine`.
    """

    def __init__(self, endpoint: str, settings: Settings, pool: urllib3.PoolManager | None = None) -> None:
        check_url(endpoint)
        self.endpoint = endpoint
        self.settings = settings
        self.pool = pool or make_pool(settings.threads + 1)
        self._headers = auth_headers(endpoint)
        self._url = without_credentials(endpoint)
        self._state: StoreState | None = None
        self._state_lock = threading.Lock()

    # ------------------------------------------------------------------ the store's state

    def store_state(self) -> StoreState:
        """The store's state, read again when older than ``store_check_s``."""
        state = self._state
        if state is not None and time.monotonic() - state.checked < self.settings.store_check_s:
            return state
        with self._state_lock:
            state = self._state
            if state is not None and time.monotonic() - state.checked < self.settings.store_check_s:
                return state  # another thread read it meanwhile
            fresh = self._read_state()
            if state is not None and fresh.version.digest == state.version.digest:
                # Unchanged: it was last modified when it was first seen so.
                fresh = StoreState(fresh.graphs, fresh.restrict, fresh.kind, fresh.max_rows,
                                   state.version, fresh.checked)
            self._state = fresh
            return fresh

    def data_version(self) -> DataVersion:
        """The version of the data behind this engine, for ETags and Last-Modified."""
        return self.store_state().version

    def close(self) -> None:
        """Close the connections to the store (a result being converted ends with its reader)."""
        self.pool.clear()

    def _read_state(self) -> StoreState:
        deadline = time.monotonic() + self.settings.query_timeout_s
        upstream = self._send(GRAPH_SIZES, Dataset(), JSON.media_type, deadline)
        kind = store_kind(header(upstream.response.headers, "Server") or "")
        rows = self._rows(upstream, kind)
        sizes = {row["g"].value: int(row["n"].value) for row in rows if isinstance(row["g"], ox.NamedNode)}
        named = self.settings.store_graphs.split()
        nkd = sorted((g, n) for g, n in sizes.items()
                     if (g in named if named else g.startswith(self.settings.public_base + "data/")))
        # A store that holds none of nkd's graphs is served whole: the operator pointed
        # nkd at data of their own.
        restrict = bool(nkd) and len(nkd) < len(sizes)
        max_rows = self._virtuoso_cap(deadline) if kind == "virtuoso" else None
        digest = digest_files([("store", None)] + [(g, str(n).encode()) for g, n in (nkd or sorted(sizes.items()))])
        return StoreState(tuple(nkd), restrict, kind, max_rows,
                          DataVersion(digest, time.time()).with_settings(self.settings), time.monotonic())

    def _virtuoso_cap(self, deadline: float) -> int | None:
        try:
            rows = self._rows(self._send(VIRTUOSO_CAP, Dataset(), JSON.media_type, deadline), "virtuoso")
            cap = int(rows[0]["cap"].value) if rows and rows[0]["cap"] is not None else 0
        except (NkdError, ValueError) as exc:
            # Not allowed, or not a number: capped SELECTs still say so (X-SPARQL-MaxRows),
            # capped CONSTRUCTs then cannot be told from whole ones.
            log.warning("could not read the store's ResultSetMaxRows: %s", exc)
            return None
        return cap if cap > 0 else None

    def _rows(self, upstream: Upstream, kind: str) -> list[Any]:
        try:
            return list(self._solutions(upstream, kind))
        finally:
            upstream.close()

    # ------------------------------------------------------------------ HTTP

    def _send(self, text: str, dataset: Dataset, accept: str, deadline: float) -> Upstream:
        """POST a query; return the store's answer once its status and headers are in."""
        fields = [("query", text)]
        fields += [("default-graph-uri", iri) for iri in dataset.default_graphs]
        fields += [("named-graph-uri", iri) for iri in dataset.named_graphs]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UpstreamTimeout("the store behind this server did not answer in time")
        try:
            response = self.pool.request(
                "POST", self._url, fields=fields, encode_multipart=False,
                headers={**self._headers, "Accept": accept}, preload_content=False, redirect=False,
                timeout=urllib3.Timeout(connect=min(CONNECT_TIMEOUT_S, remaining), read=remaining))
        except HTTPError as exc:
            log.warning("SPARQL store %s: %s", self._url, exc)
            raise connection_error(exc, "behind this server") from None
        media_type = (header(response.headers, "Content-Type") or "").split(";")[0].strip().lower()
        upstream = Upstream(response, media_type, self.settings.query_timeout_s)
        try:
            self._check_answer(upstream, text)
        except BaseException:
            upstream.close()
            raise
        return upstream

    def _check_answer(self, upstream: Upstream, text: str) -> None:
        response = upstream.response
        if response.status >= 300:
            try:
                body = response.read(ERROR_BODY_BYTES)
            except HTTPError:
                body = b""
            message = store_message(body, header(response.headers, "Content-Type"))
            log.warning("SPARQL store %s answered HTTP %s: %s", self._url, response.status, message[:300])
            error = query_error(response.status, message)
            raise located(error, text, base_iri(self.settings)) if response.status == 400 else error
        # Virtuoso's "anytime" answers: a 200 with what it found before its time ran out.
        if (header(response.headers, "X-SQL-State") or "").upper() == "S1TAT":
            raise UpstreamTimeout("the store stopped the query and sent a partial result: "
                                  + (header(response.headers, "X-SQL-Message") or "").split("  Activity:")[0])
        cap = header(response.headers, "X-SPARQL-MaxRows")
        if cap:
            raise capped_error(cap)

    def _query(self, query: Query, dataset: Dataset, accept: str, text: str | None = None) -> tuple[Upstream, StoreState]:
        state = self.store_state()
        if state.restrict and not (dataset.default_graphs or dataset.named_graphs) and not query.has_dataset_clause:
            # nkd's graphs, not the store's own: the default graph is their union, as in
            # the embedded store, and GRAPH ?g ranges over them.
            dataset = Dataset(default_graphs=state.graph_names, named_graphs=state.graph_names)
        deadline = time.monotonic() + self.settings.query_timeout_s
        return self._send(text or query.text, dataset, accept, deadline), state

    def _labels(self, upstream: Upstream, kind: str, fmt: Format) -> Iterator[bytes]:
        chunks = upstream.chunks()
        return virtuoso_labels(chunks, fmt) if kind == "virtuoso" else chunks

    def _invalid(self, upstream: Upstream, exc: Exception) -> UpstreamError:
        # Oxigraph server, for one, cuts a result short this way when its own timeout fires.
        log.warning("SPARQL store %s sent an unreadable %s result: %s", self._url, upstream.media_type, exc)
        if isinstance(exc, NkdError):
            return exc  # type: ignore[return-value]
        return UpstreamError(f"the store sent an invalid or incomplete {upstream.media_type or 'untyped'} "
                             f"result: {str(exc)[:300]}")

    # ------------------------------------------------------------------ reading results

    def _solutions(self, upstream: Upstream, kind: str, ask: bool = False) -> Any:
        """The store's SELECT or ASK answer, parsed as it is read."""
        fmt = _format_of(upstream.media_type, (JSON, XML))
        try:
            result = ox.parse_query_results(ChunkReader(self._labels(upstream, kind, fmt)), fmt.ox)
            if ask and isinstance(result, ox.QuerySolutions):
                return virtuoso_boolean(result)
            return result
        except SyntaxError as exc:
            raise self._invalid(upstream, exc) from None

    def _triples(self, upstream: Upstream, state: StoreState) -> Iterator[ox.Triple]:
        """The triples of a graph answer as they are parsed; :class:`ResultCapped` at the store's cap."""
        fmt = _format_of(upstream.media_type, GRAPH_FORMATS)
        count = 0
        try:
            for quad in ox.parse(ChunkReader(upstream.chunks()), fmt.ox):
                count += 1
                if state.max_rows is not None and count >= state.max_rows:
                    raise capped_error(state.max_rows)
                yield quad.triple
        except SyntaxError as exc:
            raise self._invalid(upstream, exc) from None

    # ------------------------------------------------------------------ engine API

    def serialize_stream(self, query: Query, fmt: Format, dataset: Dataset = Dataset()) -> bytes | RemoteStream:
        """Run ``query`` on the store; its result in ``fmt``, whole if small, else as a stream.

        The store's own bytes pass through when it writes ``fmt`` faithfully; otherwise
        its JSON results or N-Triples are converted on a thread of their own.
        """
        state = self.store_state()
        # A store that caps results says so for SELECT, not for CONSTRUCT: its triples are
        # counted, which needs N-Triples (a triple a line).
        counted = query.returns_graph and state.max_rows is not None
        direct = fmt in PASSED_THROUGH[state.kind] and not (counted and fmt is not NTRIPLES)
        # Virtuoso 7 answers ASK with a one-row table (__ASK_RETVAL): it must be read.
        direct = direct and not (query.form == "ASK" and state.kind == "virtuoso")
        fallback = NTRIPLES if query.returns_graph else JSON
        upstream, state = self._query(query, dataset, (fmt if direct else fallback).media_type)
        limit = self.settings.max_result_bytes
        if direct and upstream.media_type in fmt.media_types:
            chunks: Iterator[bytes] = self._labels(upstream, state.kind, fmt)
            if counted:
                chunks = at_most_lines(chunks, state.max_rows, lambda: capped_error(state.max_rows))
            return hand_on(capped(check_complete(chunks, fmt, upstream.media_type), limit), upstream.close,
                           upstream.head_bytes)
        return self._convert(upstream, state, query, fmt, limit)

    def _convert(self, upstream: Upstream, state: StoreState, query: Query, fmt: Format, limit: int
                 ) -> bytes | RemoteStream:
        pipe = Pipe(limit)

        def convert(sink: Pipe) -> None:
            if query.returns_graph:
                ox.serialize(self._triples(upstream, state), sink, fmt.ox)
            else:
                self._solutions(upstream, state.kind, query.form == "ASK").serialize(sink, fmt.ox)

        def close() -> None:
            pipe.close()
            upstream.close()

        convert_in_thread(pipe, convert, lambda exc: self._invalid(upstream, exc))
        return hand_on(iter(pipe), close, upstream.head_bytes)

    # The whole result, read from serialize_stream as the embedded engine reads its own.
    serialize = EmbeddedEngine.serialize

    def table(self, query: Query, max_rows: int, dataset: Dataset = Dataset()) -> Table:
        """Run a SELECT or ASK query; return at most ``max_rows`` rows as a :class:`Table`.

        The store is asked for one row more than that (a ``LIMIT``), which tells whether
        there are more, and no more; past :data:`LIMITED_ROWS`, reading stops there instead.
        """
        limited = query.form == "SELECT" and max_rows < LIMITED_ROWS
        text = with_limit(query.text, max_rows + 1) if limited else query.text
        upstream, state = self._query(query, dataset, f"{JSON.media_type}, {XML.media_type};q=0.9", text)
        try:
            result = self._solutions(upstream, state.kind, query.form == "ASK")
            if isinstance(result, ox.QueryBoolean):
                return Table(variables=[], rows=[], boolean=bool(result))
            variables = [v.value for v in result.variables]
            rows: list[list[Term | None]] = []
            for solution in result:
                if len(rows) == max_rows:
                    return Table(variables=variables, rows=rows, truncated=True)
                rows.append([None if solution[v] is None else Term.from_ox(solution[v]) for v in variables])
            return Table(variables=variables, rows=rows)
        except SyntaxError as exc:
            raise self._invalid(upstream, exc) from None
        finally:
            upstream.close()

    def triples(self, query: Query, dataset: Dataset = Dataset(),
                max_rows: int | None = None) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples (the first ``max_rows``, if given)."""
        upstream, state = self._query(query, dataset, NTRIPLES.media_type)
        found: list[tuple[Term, Term, Term]] = []
        try:
            for triple in self._triples(upstream, state):
                if max_rows is not None and len(found) == max_rows:
                    break  # the rest is not read: closing drops the connection
                found.append((Term.from_ox(triple.subject), Term.from_ox(triple.predicate),
                              Term.from_ox(triple.object)))
        finally:
            upstream.close()
        return found

    def dump(self, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
        """nkd's graphs in the store serialized in ``fmt``, for the dataset dumps.

        Read a graph at a time (as N-Triples, so a store's row cap applies per graph);
        quad formats keep the graphs, triple formats get their union, each triple once.
        Blank nodes are renamed per graph, since each answer's labels are its own.
        """
        state = self.store_state()
        names = state.graph_names or self._all_graphs()
        quads: dict[ox.Quad, None] = {}
        for number, name in enumerate(names):
            graph = ox.NamedNode(name)
            query = check_query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", self.settings)
            upstream, _ = self._query(query, Dataset(), NTRIPLES.media_type)
            try:
                for triple in self._triples(upstream, state):
                    s, o = (_renamed(t, number) for t in (triple.subject, triple.object))
                    quads[ox.Quad(s, triple.predicate, o, graph)] = None
            finally:
                upstream.close()
        if fmt in DATASET_FORMATS:
            body = ox.serialize(quads, format=fmt.ox, prefixes=prefixes)
        else:
            body = ox.serialize(dict.fromkeys(q.triple for q in quads), format=fmt.ox, prefixes=prefixes)
        if len(body) > self.settings.max_result_bytes:
            from .sparql import result_too_large

            raise result_too_large(self.settings.max_result_bytes)
        return body

    def _all_graphs(self) -> tuple[str, ...]:
        query = check_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", self.settings)
        table = self.table(query, max_rows=100_000)
        return tuple(row[0].value for row in table.rows if row[0] is not None and row[0].kind == "iri")


def _renamed(term: Any, graph_number: int) -> Any:
    return ox.BlankNode(f"g{graph_number}x{term.value}") if isinstance(term, ox.BlankNode) else term


def _format_of(media_type: str, formats: tuple[Format, ...]) -> Format:
    for fmt in formats:
        if media_type in fmt.media_types:
            return fmt
    log.warning("the SPARQL store answered in an unexpected format (%s)", media_type or "none")
    raise UpstreamError(f"the store behind this server answered in an unexpected format ({media_type or 'none'})")


__all__ = ["RemoteEngine", "StoreState", "check_url"]
