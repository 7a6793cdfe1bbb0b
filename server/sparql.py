"""Running checked SPARQL queries on an embedded pyoxigraph store, behind the endpoint's guards.

A query passes :func:`~nkd.guards.check_query` first (no updates, no ``SERVICE``,
no construct past its limit). :class:`EmbeddedEngine` then runs it on a pyoxigraph
store. pyoxigraph cannot cancel a query, so every query runs on a thread of a
:class:`~nkd.runner.QueryRunner`; the caller waits at most ``query_timeout_s`` and
then gets :class:`QueryTimeout`, while the runner reports the overrun so that the
process hosting it can be replaced (see ``server/web/serve.py``). The query is parsed,
evaluated and serialized on the same thread: pyoxigraph's result objects crash the
process when touched from another one. Whatever pyoxigraph raises becomes a typed
error (:mod:`nkd.query_errors`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import pyoxigraph as ox

from .errors import BadRequest, NkdError, QuerySyntaxError
from .guards import Query, check_query
from .http_cache import DataVersion
from .negotiation import DATASET_FORMATS, FORMATS_BY_FORM, QUERY_FORMATS, Format, find_format
from .query_errors import evaluation_error, syntax_error
from .runner import QueryRunner, resident_bytes, without_frames
from .settings import Settings
from .store import store_version
from .streaming import STREAM_BYTES, ResultCutOff, ResultStream, _Abandoned, _ResultSink, result_too_large

# The relative IRIs of a query resolve against the endpoint's public address (the
# SPARQL Protocol leaves the base to the service; without one pyoxigraph refuses them).
ENDPOINT_PATH = "sparql"


def base_iri(settings: Settings) -> str:
    """The base IRI of every query: the endpoint's public address under ``public_base``."""
    return settings.public_base + ENDPOINT_PATH


def offered_formats(query: Query) -> tuple[Format, ...]:
    """The response formats a query's form can take, the default first (HTML last)."""
    return FORMATS_BY_FORM[query.form]


def format_for(query: Query, name: str) -> Format:
    """The format ``name`` (``json``, ``turtle``…) for the answer of ``query``, outside HTTP.

    Raises :class:`BadRequest` naming the formats of each kind of query when the name is
    unknown or its format cannot hold this query's answer (CSV for a CONSTRUCT…).
    """
    fmt = find_format(name, QUERY_FORMATS)
    if fmt is None or fmt not in offered_formats(query):
        tables = ", ".join(f.name for f in QUERY_FORMATS if "SELECT" in f.forms)
        graphs = ", ".join(f.name for f in QUERY_FORMATS if "CONSTRUCT" in f.forms)
        fits = "is not a result format" if fmt is None else f"does not fit a {query.form} query"
        raise BadRequest(f"format {name!r} {fits}",
                         hint=f"Use {tables} for SELECT/ASK; {graphs} for CONSTRUCT/DESCRIBE.")
    return fmt


# --------------------------------------------------------------------------- running

# A query answered whole in under QUICK_S (and under a thousandth of query_timeout_s),
# whose text is short and shallow enough for any thread's stack, is remembered, and run
# on the caller's thread when asked again: the hand-off to a query thread and back costs
# a lookup about 0.1 ms, a tenth of its round trip. The data an engine answers from does
# not change, so the same query does the same work again; what it gives up, a time limit
# on a query that took a few milliseconds, it would never have needed.
QUICK_S = 0.01
QUICK_TEXT_CHARS = 2048
QUICK_NESTING = 32  # bracket levels plus operators in a row: a few frames of the parser each
QUICK_REMEMBERED = 4096


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a request (SPARQL Protocol ``default-graph-uri``/``named-graph-uri``).

    Empty lists mean "as the query says", and with no FROM either, the default graph
    is the union of every graph.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class Table:
    """The first rows of a SELECT or ASK result, as Python values, for HTML pages and the CLI."""

    variables: list[str]
    rows: list[list[Term | None]]
    truncated: bool = False
    boolean: bool | None = None


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: kind (iri, bnode, literal, triple), value, datatype, language."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    @classmethod
    def from_ox(cls, term: Any) -> "Term":
        """Convert a pyoxigraph term."""
        if isinstance(term, ox.NamedNode):
            return cls("iri", term.value)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        if isinstance(term, ox.Literal):
            return cls("literal", term.value, term.datatype.value, term.language)
        return cls("triple", str(term))

    def __str__(self) -> str:
        """The value alone, as rdflib prints a term: the IRI, the lexical form, the blank node's label."""
        return self.value



def _graph_nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    nodes = []
    for iri in iris:
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError:
            raise QuerySyntaxError(f"{iri!r} is not a valid graph IRI",
                                   hint="Pass absolute IRIs in default-graph-uri and named-graph-uri.") from None
    return nodes


@dataclass
class EmbeddedEngine:
    """Runs checked queries on an in-process pyoxigraph store, with a time and size limit.

    Every pyoxigraph object of a query (its result, its solutions, its terms) is
    created and consumed inside one function run on a query thread: pyoxigraph's
    result objects crash the process when touched from another thread. Implements
    :class:`nkd.engine.Engine`; open one with :func:`nkd.engine.open_engine`.

    ``runner`` defaults to one with the settings' threads and memory limit; its threads
    start with the first query. ``version`` is the data's version (for ETags) when
    known; by default it is computed from the store's content when first asked for.
    """

    store: ox.Store
    settings: Settings
    runner: QueryRunner = field(default=None)  # type: ignore[assignment]
    version: DataVersion | None = None

    def __post_init__(self) -> None:
        if self.runner is None:
            self.runner = QueryRunner.for_settings(self.settings)
        self._base_iri = base_iri(self.settings)
        self._version: DataVersion | None = None
        self._version_lock = threading.Lock()
        self._quick: dict[tuple[str, Dataset, Format], None] = {}
        self._quick_s = min(QUICK_S, self.settings.query_timeout_s / 1000)

    def data_version(self) -> DataVersion:
        """The version of the data, as served with these settings (for ETags and Last-Modified)."""
        if self._version is None:
            with self._version_lock:
                if self._version is None:
                    version = self.version or store_version(self.store, time.time())
                    self._version = version.with_settings(self.settings)
        return self._version

    def close(self) -> None:
        """Stop the query threads (see :meth:`QueryRunner.close`); the store is left to the collector.

        Queries after this raise :class:`Unavailable`, remembered quick ones too.
        """
        self._quick_s = 0.0  # nothing is remembered from now on
        self._quick.clear()
        self.runner.close()

    def _evaluate(self, query: Query, dataset: Dataset) -> Any:
        options: dict[str, Any] = {"base_iri": self._base_iri}
        if dataset.default_graphs or dataset.named_graphs:
            # The protocol's dataset replaces the query's FROM / FROM NAMED (§2.1.4): the
            # graphs it names and no others (an empty list is an empty set).
            options["default_graph"] = _graph_nodes(dataset.default_graphs)
            options["named_graphs"] = _graph_nodes(dataset.named_graphs)
        elif not query.has_dataset_clause:
            # pyoxigraph ignores FROM when the union flag is set, so set it only without FROM.
            options["use_default_graph_as_union"] = True
        try:
            return self.store.query(query.text, **options)
        except SyntaxError as exc:
            raise syntax_error(query.text, exc) from None
        except Exception as exc:  # pyoxigraph's RuntimeError, ValueError, OSError…
            raise evaluation_error(exc) from None

    def _run(self, work: Callable[[], Any]) -> Any:
        return self.runner.run(work, self.settings.query_timeout_s)

    def serialize_stream(self, query: Query, fmt: Format,
                         dataset: Dataset = Dataset()) -> bytes | ResultStream:
        """Run ``query``; return its result serialized natively in ``fmt``.

        A result of up to :data:`STREAM_BYTES` comes back whole, as bytes; a larger one
        as a :class:`ResultStream` that its query thread goes on filling while the
        caller sends what has come so far. A query remembered as quick (see
        :data:`QUICK_S`) runs on the caller's thread.
        """
        key = (query.text, dataset, fmt)
        if key in self._quick:
            return self._serialize_here(query, fmt, dataset)
        started = time.perf_counter()
        result = self._serialize_on_query_thread(query, fmt, dataset)
        if (isinstance(result, bytes) and time.perf_counter() - started < self._quick_s
                and query.nesting is not None and query.nesting <= QUICK_NESTING
                and len(query.text) <= QUICK_TEXT_CHARS):
            if len(self._quick) >= QUICK_REMEMBERED:
                self._quick.clear()
            self._quick[key] = None
        return result

    def _serialize_here(self, query: Query, fmt: Format, dataset: Dataset) -> bytes:
        # Its result is no larger than the first time, which came back whole.
        sink = _ResultSink(self.settings.max_result_bytes)
        try:
            self._evaluate(query, dataset).serialize(sink, fmt.ox)
        except Exception as exc:
            raise evaluation_error(exc) from None
        return bytes(sink.buffer)

    def _serialize_on_query_thread(self, query: Query, fmt: Format, dataset: Dataset) -> bytes | ResultStream:
        limit = self.settings.max_result_bytes
        deadline = time.monotonic() + self.settings.query_timeout_s
        runner = self.runner

        def start_stream() -> ResultStream:
            stream = ResultStream(deadline, runner.stuck)
            if not runner.hand_over(stream):
                raise _Abandoned()  # the caller timed out in the meantime
            return stream

        def work() -> bytes | None:
            result = self._evaluate(query, dataset)
            sink = _ResultSink(limit, start_stream)
            try:
                result.serialize(sink, fmt.ox)
                if sink.stream is None:
                    return bytes(sink.buffer)
                if sink.buffer:
                    sink.stream.put(bytes(sink.buffer))
                sink.stream.end()
            except _Abandoned:
                pass
            except BaseException as exc:
                error = evaluation_error(exc) if isinstance(exc, Exception) else exc
                if sink.stream is None:
                    raise error from None
                # Past the hand-over nobody catches what this thread raises: the reader
                # learns of any failure through the stream, at once.
                sink.stream.fail(without_frames(error) if isinstance(error, NkdError)
                                 else NkdError("the query failed while its result was being sent"))
            finally:
                if sink.stream is not None:
                    sink.stream.producer_done.set()
            return None

        return self._run(work)

    def serialize(self, query: Query, fmt: Format, dataset: Dataset = Dataset()) -> bytes:
        """Run ``query`` and return its whole result serialized natively in ``fmt``."""
        result = self.serialize_stream(query, fmt, dataset)
        if isinstance(result, ResultStream):
            try:
                return result.read_all()
            except ResultCutOff as cut:
                raise cut.error from None
        return result

    def table(self, query: Query, max_rows: int, dataset: Dataset = Dataset()) -> Table:
        """Run a SELECT or ASK query and return at most ``max_rows`` rows as a :class:`Table`."""

        def work() -> Table:
            result = self._evaluate(query, dataset)
            if isinstance(result, ox.QueryBoolean):
                return Table(variables=[], rows=[], boolean=bool(result))
            variables = [v.value for v in result.variables]
            rows: list[list[Term | None]] = []
            truncated = False
            try:
                for solution in result:  # evaluation goes on as the rows are read
                    if len(rows) == max_rows:
                        truncated = True
                        break
                    rows.append([None if solution[v] is None else Term.from_ox(solution[v])
                                 for v in variables])
            except Exception as exc:
                raise evaluation_error(exc) from None
            return Table(variables=variables, rows=rows, truncated=truncated)

        return self._run(work)

    def triples(self, query: Query, dataset: Dataset = Dataset(),
                max_rows: int | None = None) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples (the first ``max_rows``, if given)."""

        def work() -> list[tuple[Term, Term, Term]]:
            found: list[tuple[Term, Term, Term]] = []
            result = self._evaluate(query, dataset)
            try:
                for triple in result:  # evaluation goes on as the triples are read
                    if max_rows is not None and len(found) == max_rows:
                        break
                    found.append((Term.from_ox(triple.subject), Term.from_ox(triple.predicate),
                                  Term.from_ox(triple.object)))
            except Exception as exc:
                raise evaluation_error(exc) from None
            return found

        return self._run(work)

    def dump(self, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
        """The whole store serialized in ``fmt``, for the dataset dumps.

        Quad formats (N-Quads, TriG) keep every named graph; triple formats get the
        union of all graphs, each triple once. Limited by ``max_result_bytes`` and
        ``query_timeout_s`` like any query.
        """
        limit = self.settings.max_result_bytes
        rdf_format = fmt.ox

        def work() -> bytes:
            sink = _ResultSink(limit)
            if fmt in DATASET_FORMATS:
                self.store.dump(sink, rdf_format, prefixes=prefixes)
            else:
                # store.dump writes one graph at a time; the union needs the quads merged.
                triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object)
                                        for q in self.store.quads_for_pattern(None, None, None, None))
                ox.serialize(triples, sink, rdf_format, prefixes=prefixes)
            return bytes(sink.buffer)
        return self._run(work)


__all__: Sequence[str] = (
    "Dataset", "EmbeddedEngine", "Query", "QueryRunner", "ResultCutOff",
    "ResultStream", "STREAM_BYTES", "Table", "Term", "base_iri",
    "check_query", "format_for", "offered_formats", "resident_bytes", "result_too_large", "syntax_error",
)
