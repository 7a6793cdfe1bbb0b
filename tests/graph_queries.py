"""Running SPARQL over the shipped graph in tests: rows as dicts of plain Python values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
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


PREFIXES = """
PREFIX nkd: <https://w3id.org/nkd/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX src: <https://w3id.org/nkd/id/source/>
PREFIX ev: <https://w3id.org/nkd/id/event/>
PREFIX obs: <https://w3id.org/nkd/id/observation/>
PREFIX var: <https://w3id.org/nkd/id/variable/>
PREFIX place: <https://w3id.org/nkd/id/place/>
PREFIX cohort: <https://w3id.org/nkd/id/cohort/>
PREFIX person: <https://w3id.org/nkd/id/person/>
PREFIX nkdorg: <https://w3id.org/nkd/id/org/>
PREFIX population: <https://w3id.org/nkd/id/population/>
"""

ID = "https://w3id.org/nkd/id/"
NKD = "https://w3id.org/nkd/ontology#"
ARTICLE = ID + "source/sharp-increase-in-defections-2023"
BLOG = ID + "source/number-of-defectors-declines"
