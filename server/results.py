"""The answer of a query in Python: rows, a boolean or triples, for scripts and notebooks.

:class:`Result` holds the answer as the endpoint would send it (SPARQL JSON for SELECT
and ASK, N-Triples for CONSTRUCT and DESCRIBE), produced by the engine under the
endpoint's limits, and reads it as Python: :class:`Row` s that map each variable to a
:class:`~nkd.sparql.Term` (``.value``, ``.datatype``, ``.language``), the boolean of an
ASK, an :class:`rdflib.Graph` of a graph's triples, the answer in any of the endpoint's
formats, or a pandas DataFrame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import pyoxigraph as ox

from .guards import Query
from .namespaces import XSD_STRING
from .negotiation import JSON, NTRIPLES, Format
from .sparql import Term, format_for, offered_formats, result_too_large

if TYPE_CHECKING:
    import pandas
    import rdflib

# How each kind of answer is held: what the engine writes natively and every store gives.
HELD_FORMATS = {"SELECT": JSON, "ASK": JSON, "CONSTRUCT": NTRIPLES, "DESCRIBE": NTRIPLES}
TRIPLE_VARIABLES = ("subject", "predicate", "object")


class Row(Mapping[str, "Term | None"]):
    """One solution of a SELECT: each variable of the query mapped to its :class:`Term`,
    or None where the solution leaves it unbound."""

    __slots__ = ("_index", "_terms")

    def __init__(self, index: Mapping[str, int], terms: Sequence[Term | None]) -> None:
        self._index = index
        self._terms = terms

    def __getitem__(self, variable: str) -> Term | None:
        return self._terms[self._index[variable]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{name}={term.value if term else None!r}" for name, term in self.items()) + ")"


class Result:
    """The answer of one query: iterate it for its rows (SELECT) or triples (CONSTRUCT,
    DESCRIBE); ``bool()`` is an ASK's answer (for the others: whether there is any row)."""

    def __init__(self, query: Query, body: bytes, max_bytes: int, prefixes: Mapping[str, str]) -> None:
        self.query = query
        self.form = query.form
        self._body = body
        self._max_bytes = max_bytes
        self._prefixes = dict(prefixes)
        self._rows: list[tuple[Term | None, ...]] | None = None
        self._variables: tuple[str, ...] = TRIPLE_VARIABLES if query.returns_graph else ()
        self._boolean: bool | None = None
        self._read()

    def _read(self) -> None:
        if self.query.returns_graph:
            self._rows = [(Term.from_ox(q.subject), Term.from_ox(q.predicate), Term.from_ox(q.object))
                          for q in ox.parse(self._body, ox.RdfFormat.N_TRIPLES)]
            return
        parsed = ox.parse_query_results(self._body, ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            self._boolean, self._rows = bool(parsed), []
            return
        self._variables = tuple(v.value for v in parsed.variables)
        self._rows = [tuple(None if solution[v] is None else Term.from_ox(solution[v]) for v in parsed.variables)
                      for solution in parsed]

    @property
    def variables(self) -> list[str]:
        """The variables of a SELECT, in the query's order; ``subject``, ``predicate``,
        ``object`` for a graph's triples; none for an ASK."""
        return list(self._variables)

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query (None for the other forms)."""
        return self._boolean

    def __iter__(self) -> Iterator[Any]:
        """The rows of a SELECT (:class:`Row`), or the triples of a graph (tuples of three :class:`Term`)."""
        if self.query.returns_graph:
            return iter(self._rows or ())
        index = {name: n for n, name in enumerate(self._variables)}
        return (Row(index, terms) for terms in self._rows or ())

    def __len__(self) -> int:
        """How many rows (or triples) the answer has."""
        return len(self._rows or ())

    def __bool__(self) -> bool:
        return self._boolean if self._boolean is not None else bool(self._rows)

    def __repr__(self) -> str:
        if self._boolean is not None:
            return f"<Result ASK {self._boolean}>"
        unit = "triples" if self.query.returns_graph else "rows"
        return f"<Result {self.form}: {len(self)} {unit}>"

    def serialize(self, format: str | None = None) -> bytes:  # noqa: A002 - the endpoint's word
        """The answer in one of the endpoint's formats, by name: ``json`` (the default),
        ``xml``, ``csv``, ``tsv`` for SELECT and ASK; ``turtle`` (the default), ``ntriples``,
        ``jsonld``, ``rdfxml``, ``trig``, ``nquads`` for CONSTRUCT and DESCRIBE.

        Raises :class:`~nkd.errors.BadRequest` for a format the answer cannot take, and
        :class:`~nkd.errors.PayloadTooLarge` past ``max_result_bytes``.
        """
        held = HELD_FORMATS[self.form]
        fmt: Format = format_for(self.query, format or offered_formats(self.query)[0].name)
        if fmt is held:
            return self._body
        if self.query.returns_graph:
            body = ox.serialize(ox.parse(self._body, held.ox), format=fmt.ox)
        else:
            body = ox.parse_query_results(self._body, held.ox).serialize(format=fmt.ox)
        if len(body) > self._max_bytes:
            raise result_too_large(self._max_bytes)
        return body

    def graph(self) -> rdflib.Graph:
        """The triples of a CONSTRUCT or DESCRIBE as an :class:`rdflib.Graph`, with the common
        prefixes bound; :class:`~nkd.errors.BadRequest` for a SELECT or ASK."""
        from rdflib import Graph

        from .errors import BadRequest

        if not self.query.returns_graph:
            raise BadRequest(f"a {self.form} query answers with {'a boolean' if self.form == 'ASK' else 'rows'}, "
                             "not a graph", hint="Iterate the result for its rows, or use bool() for an ASK.")
        graph = Graph()
        for name, namespace in self._prefixes.items():
            graph.bind(name, namespace)
        return graph.parse(data=self._body, format="nt")

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows (or triples) as a pandas DataFrame, one column per variable, each value as
        Python gives it (:func:`python_value`: numbers, dates, booleans, strings; None if unbound).

        Needs pandas, which the ``pandas`` extra installs: ``pip install 'nkd[pandas]'``.
        """
        try:
            import pandas
        except ImportError:
            raise ImportError("Result.to_dataframe() needs pandas, which nkd does not install by default: "
                              "pip install 'nkd[pandas]'") from None
        rows = [[python_value(term) for term in terms] for terms in self._rows or ()]
        return pandas.DataFrame(rows, columns=list(self._variables))


def python_value(term: Term | None) -> Any:
    """A term as a Python value: a literal as rdflib reads it (int, Decimal, float, bool,
    date…; its lexical form when rdflib has no reading), an IRI or a blank node's label
    as a string, None for unbound."""
    if term is None:
        return None
    if term.kind != "literal":
        return term.value
    if term.language or term.datatype in (None, XSD_STRING):
        return term.value
    from rdflib import Literal, URIRef

    value = Literal(term.value, datatype=URIRef(term.datatype)).toPython()
    return term.value if isinstance(value, Literal) else value


__all__ = ["Result", "Row", "python_value"]
