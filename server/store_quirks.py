"""What nkd knows of an external SPARQL store, and the quirks of each kind that it works around.

A store's kind comes from its ``Server`` header (Oxigraph server, Virtuoso, any other).
By kind: which formats the store is asked for as they are (:data:`PASSED_THROUGH`);
Virtuoso's row cap, read from its configuration (:data:`VIRTUOSO_CAP`), which makes a
capped result an error (:func:`capped_error`); its answer to ASK as a one-row table
(:func:`virtuoso_boolean`); its refusal of a sorted ``LIMIT`` past MaxSortedTopRows
(:data:`LIMITED_ROWS`, :func:`with_limit`). :class:`StoreState` is what was read of the
store: nkd's graphs, their sizes, the store's kind and cap, and the data's version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .errors import ResultCapped, UpstreamError
from .guards import TOKEN
from .http_cache import DataVersion
from .negotiation import (CSV, DATASET_FORMATS, GRAPH_FORMATS, JSON, JSONLD, NTRIPLES, RDFXML, RESULTS_FORMATS,
                          TURTLE, XML)

# Formats a store is asked for as they are. Virtuoso 7's TSV writes IRIs as quoted strings
# and it has no N-Quads or TriG; Oxigraph writes every format; of any other store only the
# formats every SPARQL store has are trusted.
PASSED_THROUGH = {
    "oxigraph": (*RESULTS_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS),
    "virtuoso": (JSON, XML, CSV, TURTLE, NTRIPLES, RDFXML, JSONLD),
    "other": (JSON, XML, TURTLE, NTRIPLES, RDFXML),
}
# Virtuoso's row cap, from its configuration (a built-in function any user may call).
VIRTUOSO_CAP = ("SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') "
                "AS ?cap) WHERE {}")
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class StoreState:
    """What nkd knows of the store: its graphs that are nkd's, their sizes, and its quirks."""

    graphs: tuple[tuple[str, int], ...]  # nkd's graphs and their sizes, by name
    restrict: bool  # the store holds other graphs: give queries nkd's as their dataset
    kind: str  # "oxigraph", "virtuoso" or "other", from its Server header
    max_rows: int | None  # the most rows (or triples) the store returns, if it caps them
    version: DataVersion
    checked: float = field(default=0.0, compare=False)  # time.monotonic() of the reading

    @property
    def graph_names(self) -> tuple[str, ...]:
        """The names of nkd's graphs."""
        return tuple(name for name, _ in self.graphs)


# A page's rows are asked for with a LIMIT only up to this many: Virtuoso refuses a sorted
# query whose LIMIT passes its MaxSortedTopRows (10,000 by default), and sorts it whole
# without one.
LIMITED_ROWS = 10_000


def store_kind(server: str) -> str:
    """The kind of a store, from its ``Server`` header: ``oxigraph``, ``virtuoso`` or ``other``."""
    lowered = server.lower()
    if lowered.startswith("oxigraph"):
        return "oxigraph"
    if lowered.startswith("virtuoso"):
        return "virtuoso"
    return "other"


def capped_error(cap: int | str) -> ResultCapped:
    """The error for a result that reached the store's row cap: part of it would pass for the whole."""
    return ResultCapped(f"the store behind this server returns at most {int(cap):,} rows, and this "
                        f"result reached that cap: what it sent may be only part of the answer",
                        hint=f"Add LIMIT (below {int(cap):,}) and page through the result with OFFSET; "
                             f"or have the store's row cap raised (Virtuoso: ResultSetMaxRows).")


def virtuoso_boolean(result: Any) -> Any:
    """The answer of an ASK that Virtuoso 7 wrote as a table: one variable, __ASK_RETVAL, 1 or 0."""
    if [v.value for v in result.variables] != ["__ASK_RETVAL"]:
        raise UpstreamError("the store answered an ASK query with a table")
    row = next(iter(result), None)
    value = row is not None and row["__ASK_RETVAL"] is not None and row["__ASK_RETVAL"].value not in ("0", "false")
    # pyoxigraph makes booleans only by parsing: this one parses the answer in its own words.
    return ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                                  ox.QueryResultsFormat.JSON)


def with_limit(text: str, rows: int) -> str:
    """``text`` (a SELECT query) asking for at most ``rows`` solutions: a LIMIT added or lowered.

    A ``LIMIT`` or ``VALUES`` outside every bracket belongs to the query itself (those of
    subqueries and groups are inside braces): an existing LIMIT is lowered to ``rows``,
    otherwise one is added before the trailing VALUES, or at the end.
    """
    depth = 0
    limit_at: tuple[int, int] | None = None
    values_at: int | None = None
    expecting_limit = False
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)  # without the white space the token takes along
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = value.upper()
            if expecting_limit and value.isdigit():
                limit_at = (match.start(kind), match.end(kind))
            elif word == "VALUES" and values_at is None:
                values_at = match.start(kind)
            expecting_limit = word == "LIMIT"
            continue
        if kind != "comment":
            expecting_limit = False
    if limit_at is not None:
        start, end = limit_at
        return text[:start] + str(min(int(text[start:end]), rows)) + text[end:]
    if values_at is not None:
        return f"{text[:values_at]}LIMIT {rows}\n{text[values_at:]}"
    return f"{text}\nLIMIT {rows}\n"


__all__ = ["GRAPH_SIZES", "LIMITED_ROWS", "PASSED_THROUGH", "StoreState", "VIRTUOSO_CAP", "capped_error",
           "store_kind", "virtuoso_boolean", "with_limit"]
