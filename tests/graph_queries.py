"""Running SPARQL over the shipped graph in tests: rows as dicts of plain Python values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from nkd.namespaces import BASE, NKD, XSD, prefix_lines, prefixes  # noqa: F401 - NKD for the tests

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
_NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "nonNegativeInteger", "long", "int")}


def plain(term):
    """A term as a plain value: IRIs and strings as str, numbers as Decimal, booleans as bool."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            return Decimal(term.value)
        if datatype == XSD + "boolean":
            return term.value == "true"
        return term.value
    return term.value


def select(store: ox.Store, query: str) -> list[dict]:
    """Run a SELECT over the union of all graphs; each row maps variable names to plain values."""
    results = store.query(query, use_default_graph_as_union=True)
    names = [variable.value for variable in results.variables]
    return [{name: plain(row[name]) for name in names} for row in results]


def ask(store: ox.Store, query: str) -> bool:
    """Run an ASK over the union of all graphs."""
    return bool(store.query(query, use_default_graph_as_union=True))


def run_query_file(store: ox.Store, name: str) -> list[dict]:
    """Run ``graph/queries/{name}.rq``."""
    return select(store, (QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


# The vocabularies of the namespace table, and short names for the kinds of instance.
ID = BASE + "id/"
PREFIXES = "\n" + prefix_lines(prefixes()) + prefix_lines({name: f"{ID}{kind}/" for name, kind in (
    ("src", "source"), ("ev", "event"), ("obs", "observation"), ("var", "variable"), ("place", "place"),
    ("cohort", "cohort"), ("person", "person"), ("nkdorg", "org"), ("population", "population"))})

ARTICLE = ID + "source/sharp-increase-in-defections-2023"
BLOG = ID + "source/number-of-defectors-declines"
