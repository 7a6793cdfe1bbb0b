"""The W3C SPARQL 1.1 test suite under tests/w3c-sparql11/: its manifests, its data, and how results compare.

The suite's tests and files are named by IRIs under :data:`BASE`, which map onto the
copy's folder. :func:`read_tests` reads every manifest the two top-level manifests
include. :func:`write_dataset` puts every data file the evaluation tests use into one
N-Quads file, each as the named graph of its IRI (blank nodes renamed per file, so that
two files never share one), for a server or a store to load; a test then chooses its
dataset by those IRIs. Results compare as the suite prescribes: solutions as multisets,
blank nodes up to a consistent renaming, in order only under a top-level ORDER BY;
graphs by isomorphism (rdflib).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

SUITE = Path(__file__).resolve().parent / "w3c-sparql11"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
TOP_MANIFESTS = ("manifest-sparql11-query.ttl", "manifest-sparql11-results.ttl")
KNOWN_FAILURES = Path(__file__).resolve().parent / "w3c_known_failures.txt"
# A graph no test names: the default graph of a test that has no data.
EMPTY_GRAPH = "urn:x-nkd:w3c:no-data"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
KINDS = {
    MF + "PositiveSyntaxTest11": "positive-syntax",
    MF + "NegativeSyntaxTest11": "negative-syntax",
    MF + "QueryEvaluationTest": "evaluation",
    MF + "CSVResultFormatTest": "evaluation",
}
# The media type a result file of each suffix asks the server for (RDF files: see expected_result).
RESULT_MEDIA_TYPES = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
}
_RESULTS_READERS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
_RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class W3CTest:
    """One test of the suite: its id (``folder/name``), kind, query file, dataset and expected result."""

    id: str
    kind: str
    query: Path
    data: tuple[str, ...] = ()
    graph_data: tuple[str, ...] = ()
    result: Path | None = None

    @property
    def text(self) -> str:
        """The query text."""
        return self.query.read_text(encoding="utf-8")

    @property
    def query_iri(self) -> str:
        """Where the suite places the query: the base of its relative IRIs."""
        return BASE + self.query.relative_to(SUITE).as_posix()

    @property
    def ordered(self) -> bool:
        """True when the query orders its results (an ORDER BY outside every group)."""
        return has_top_level_order_by(self.text)


def local(iri: str) -> Path:
    """The file of the copy that the suite's ``iri`` names."""
    return SUITE / iri.removeprefix(BASE)


def _objects(quads: Iterable[ox.Quad]) -> dict[tuple[Any, str], list[Any]]:
    found: dict[tuple[Any, str], list[Any]] = {}
    for quad in quads:
        found.setdefault((quad.subject, quad.predicate.value), []).append(quad.object)
    return found


def _list(graph: dict[tuple[Any, str], list[Any]], head: Any) -> list[Any]:
    items = []
    while head != ox.NamedNode(RDF + "nil"):
        items.append(graph[(head, RDF + "first")][0])
        head = graph[(head, RDF + "rest")][0]
    return items


def _parse_manifest(iri: str) -> tuple[dict[tuple[Any, str], list[Any]], ox.NamedNode]:
    quads = ox.parse(path=str(local(iri)), format=ox.RdfFormat.TURTLE, base_iri=iri)
    return _objects(quads), ox.NamedNode(iri)


def read_tests() -> list[W3CTest]:
    """Every test of every manifest the top-level manifests include, in manifest order."""
    tests = []
    for top in TOP_MANIFESTS:
        graph, node = _parse_manifest(BASE + top)
        for included in _list(graph, graph[(node, MF + "include")][0]):
            tests += _tests_of(included.value)
    return tests


def _tests_of(manifest_iri: str) -> list[W3CTest]:
    graph, node = _parse_manifest(manifest_iri)
    folder = manifest_iri.removeprefix(BASE).rsplit("/", 1)[0]
    tests = []
    for entry in _list(graph, graph[(node, MF + "entries")][0]):
        kind = KINDS.get(graph[(entry, RDF + "type")][0].value)
        if kind is None:
            continue
        action = graph[(entry, MF + "action")][0]
        name = f"{folder}/{entry.value.rsplit('#', 1)[1]}"
        if kind.endswith("syntax"):
            tests.append(W3CTest(name, kind, local(action.value)))
            continue
        tests.append(W3CTest(
            name, kind, local(graph[(action, QT + "query")][0].value),
            data=tuple(o.value for o in graph.get((action, QT + "data"), [])),
            graph_data=tuple(o.value for o in graph.get((action, QT + "graphData"), [])),
            result=local(graph[(entry, MF + "result")][0].value)))
    return tests


def write_dataset(tests: Iterable[W3CTest], path: Path) -> None:
    """Every data file of ``tests`` into one N-Quads file, each as the named graph of its IRI."""
    files = sorted({iri for test in tests for iri in (*test.data, *test.graph_data)})
    quads = []
    for number, iri in enumerate(files):
        graph = ox.NamedNode(iri)

        def own(term: Any) -> Any:  # pyoxigraph keeps blank node labels: make each file's its own
            return ox.BlankNode(f"{term.value}f{number}") if isinstance(term, ox.BlankNode) else term

        for quad in ox.parse(path=str(local(iri)), format=_RDF_FORMATS[Path(iri).suffix], base_iri=iri):
            quads.append(ox.Quad(own(quad.subject), quad.predicate, own(quad.object), graph))
    ox.serialize(quads, str(path), format=ox.RdfFormat.N_QUADS)


def dataset_of(test: W3CTest) -> tuple[list[str], list[str]]:
    """The default graphs and named graphs of ``test``: its own files, nothing else.

    A query that says FROM or FROM NAMED gets no graphs here: its own dataset (files of
    the suite, named by their IRIs) is the one the suite expects it to use.
    """
    if _names_a_dataset(test.text):
        return [], []
    return list(test.data) or [EMPTY_GRAPH], list(test.graph_data)


def _names_a_dataset(text: str) -> bool:
    from nkd.guards import check_query
    from nkd.settings import load_settings

    return check_query(text, load_settings(environ={})).has_dataset_clause


def with_base(test: W3CTest) -> str:
    """The query with its location as its base, as the suite resolves its relative IRIs."""
    return f"BASE <{test.query_iri}>\n{test.text}"


def has_top_level_order_by(text: str) -> bool:
    """True when ``text`` has ORDER BY outside every group (a subquery's order does not count)."""
    from nkd.guards import TOKEN

    depth, previous = 0, ""
    for match in TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group(match.lastgroup)
        if kind == "open" and value == "{":
            depth += 1
        elif kind == "close" and value == "}":
            depth -= 1
        elif kind == "word":
            if value.upper() == "BY" and previous == "ORDER" and depth == 0:
                return True
            previous = value.upper()
    return False


# --------------------------------------------------------------------------- comparing results


def expected_result(test: W3CTest) -> tuple[str, Any]:
    """The media type to ask for, and the result the test expects (see :func:`read_answer`).

    An RDF result file holds either the graph a CONSTRUCT gives or a table written in
    the suite's result-set vocabulary (``rs:ResultSet``); relative IRIs in it resolve
    against its own location.
    """
    path = test.result
    iri = BASE + path.relative_to(SUITE).as_posix()
    if path.suffix in _RDF_FORMATS:
        quads = list(ox.parse(path=str(path), format=_RDF_FORMATS[path.suffix], base_iri=iri))
        table = _result_set(quads)
        if table is not None:
            return "application/sparql-results+json", table
        graph = Graph()
        for quad in quads:  # rdflib compares graphs by isomorphism
            graph.add(_to_rdflib(quad.subject, quad.predicate, quad.object))
        return "application/n-triples", graph
    media_type = RESULT_MEDIA_TYPES[path.suffix]
    return media_type, read_answer(path.read_bytes(), media_type)


def read_answer(body: bytes, media_type: str) -> Any:
    """A result in ``media_type``: a bool, (variables, rows of terms by variable) or an rdflib Graph."""
    if media_type == "text/csv":
        return _csv_rows(body)
    if media_type == "application/n-triples":
        return Graph().parse(data=body, format="nt")
    parsed = ox.parse_query_results(body, format=_RESULTS_READERS[media_type])
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    variables = [v.value for v in parsed.variables]
    rows = [{v: solution[v] for v in variables if solution[v] is not None} for solution in parsed]
    return variables, rows


def _result_set(quads: list[ox.Quad]) -> Any:
    """The table (or boolean) of an ``rs:ResultSet`` graph, or None if there is none."""
    graph = _objects(quads)
    sets = [q.subject for q in quads if q.predicate.value == RDF + "type" and q.object.value == RS + "ResultSet"]
    if not sets:
        return None
    node = sets[0]
    if (node, RS + "boolean") in graph:
        return graph[(node, RS + "boolean")][0].value == "true"
    variables = [v.value for v in graph.get((node, RS + "resultVariable"), [])]
    rows = []
    for solution in graph.get((node, RS + "solution"), []):
        rows.append({graph[(b, RS + "variable")][0].value: graph[(b, RS + "value")][0]
                     for b in graph.get((solution, RS + "binding"), [])})
    return variables, rows


def _to_rdflib(*terms: Any) -> tuple:
    from rdflib import BNode, Literal, URIRef

    converted = []
    for term in terms:
        if isinstance(term, ox.NamedNode):
            converted.append(URIRef(term.value))
        elif isinstance(term, ox.BlankNode):
            converted.append(BNode(term.value))
        else:
            plain = term.language or term.datatype.value == XSD + "string"  # the same literal in RDF 1.1
            converted.append(Literal(term.value, lang=term.language,
                                     datatype=None if plain else URIRef(term.datatype.value)))
    return tuple(converted)


def _csv_rows(body: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    # CSV drops datatypes and languages; cells compare as text, blank nodes as `_:label`.
    reader = csv.reader(io.StringIO(body.decode("utf-8")))
    header = next(reader, [])
    rows = []
    for cells in reader:
        row = {}
        for variable, cell in zip(header, cells):
            if cell:
                row[variable] = ox.BlankNode(cell[2:]) if cell.startswith("_:") else cell
        rows.append(row)
    return header, rows


def same_result(expected: Any, actual: Any, ordered: bool) -> bool:
    """Whether two results are the same, as the suite compares them."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, Graph) or isinstance(actual, Graph):
        return isinstance(expected, Graph) and isinstance(actual, Graph) and isomorphic(expected, actual)
    (expected_vars, expected_rows), (actual_vars, actual_rows) = expected, actual
    if set(expected_vars) != set(actual_vars) or len(expected_rows) != len(actual_rows):
        return False
    if ordered:
        return _match_in_order(expected_rows, actual_rows, {}, {})
    if Counter(map(_shape, expected_rows)) != Counter(map(_shape, actual_rows)):
        return False
    return _match_any_order(expected_rows, actual_rows, {}, {})


XSD = "http://www.w3.org/2001/XMLSchema#"
_VALUES = {XSD + "integer": int, XSD + "decimal": Decimal, XSD + "double": float, XSD + "float": float,
           XSD + "boolean": lambda text: {"true": True, "1": True, "false": False, "0": False}[text.strip()]}


def value(term: Any) -> Any:
    """A term as the suite compares it: numbers and booleans of one datatype by value.

    pyoxigraph's store keeps typed literals of these datatypes in canonical form ("1.0"
    becomes "1", "3.21E4" becomes "32100", "0"^^xsd:boolean becomes "false"), while the
    suite's expected results keep the lexical forms of its data; the values are the same.
    """
    kind = _VALUES.get(term.datatype.value) if isinstance(term, ox.Literal) else None
    if kind is not None:
        try:
            return term.datatype.value, kind(term.value)
        except (ValueError, ArithmeticError, KeyError):
            return term
    return term


def _shape(row: dict[str, Any]) -> frozenset:
    """A row with its blank nodes blanked out: rows that can match have the same shape."""
    return frozenset((k, None if isinstance(v, ox.BlankNode) else value(v)) for k, v in row.items())


def _extend(expected: dict[str, Any], actual: dict[str, Any], mapping: dict, reverse: dict
            ) -> tuple[dict, dict] | None:
    """The blank node mapping extended so that ``expected`` maps onto ``actual``, or None."""
    if expected.keys() != actual.keys():
        return None
    mapping, reverse = dict(mapping), dict(reverse)
    for variable, term in expected.items():
        other = actual[variable]
        if isinstance(term, ox.BlankNode) and isinstance(other, ox.BlankNode):
            if mapping.setdefault(term, other) != other or reverse.setdefault(other, term) != term:
                return None
        elif value(term) != value(other):
            return None
    return mapping, reverse


def _match_in_order(expected: list, actual: list, mapping: dict, reverse: dict) -> bool:
    for row, other in zip(expected, actual):
        extended = _extend(row, other, mapping, reverse)
        if extended is None:
            return False
        mapping, reverse = extended
    return True


def _match_any_order(expected: list, actual: list, mapping: dict, reverse: dict) -> bool:
    if not expected:
        return True
    row, rest = expected[0], expected[1:]
    for index, other in enumerate(actual):
        extended = _extend(row, other, mapping, reverse)
        if extended is not None and _match_any_order(rest, actual[:index] + actual[index + 1:], *extended):
            return True
    return False


def known_failures() -> dict[str, str]:
    """The tests where pyoxigraph itself differs from the suite, by id, with the reason."""
    found = {}
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip()
    return found

