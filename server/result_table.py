"""Query results as people read them: labels, prefixed names and the common prefixes.

The query page shows each IRI of a result by its label when the graph has one, and by
a prefixed name (or the IRI itself) otherwise; it starts its editor with the common
PREFIX lines and offers the ones a query uses without declaring. The endpoint itself
accepts only the prefixes a query declares, as SPARQL says: this is for the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .linked_data import LABELS, label_rank, link
from .namespaces import XSD_STRING, datatype_name, longest_first, prefix_lines, prefixed_name, prefixes
from .settings import Settings

if TYPE_CHECKING:
    from .engine import Engine
from .sparql import Term, check_query

# The starter query of an empty query page, after the common PREFIX lines.
STARTER_QUERY = """\
SELECT ?event ?kind ?date WHERE {
  ?event a ?kind .
  ?kind rdfs:subClassOf* nkd:Event .
  OPTIONAL { ?event nkd:date ?date }
}
ORDER BY DESC(?date) ?event
LIMIT 25
"""
# IRIs looked up per label query: keeps each query far below max_query_bytes.
LABEL_BATCH = 400

# What is not SPARQL code when looking for prefixed names: strings, IRIs, comments.
_NOT_CODE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                       r'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_DECLARATION = re.compile(r"\bPREFIX\s+([A-Za-z][\w.\-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_PREFIXED_USE = re.compile(r"(?<![\w.\-:?$])([A-Za-z][\w.\-]*):(?!//)")


def common_prefixes(settings: Settings) -> dict[str, str]:
    """The prefixes the query page declares for its users (the ones nkd's documents use)."""
    return prefixes(settings.public_base)


def starter_query(settings: Settings) -> str:
    """What an empty query page starts with: the common PREFIX lines and a first query."""
    return prefix_lines(common_prefixes(settings)) + "\n" + STARTER_QUERY


def declared_prefixes(text: str) -> dict[str, str]:
    """The prefixes a query text declares, by name."""
    return {name or "": ns for name, ns in _DECLARATION.findall(text)}


def missing_prefixes(text: str, known: dict[str, str]) -> dict[str, str]:
    """The ``known`` prefixes that ``text`` uses without declaring them."""
    declared = declared_prefixes(text)
    code = _NOT_CODE.sub(" ", text)
    used = dict.fromkeys(_PREFIXED_USE.findall(code))
    return {name: known[name] for name in used if name in known and name not in declared}


def with_prefixes(text: str, added: dict[str, str]) -> str:
    """``text`` with PREFIX lines for ``added`` in front."""
    return prefix_lines(added) + text


def labels_of(engine: Engine, settings: Settings, iris: Iterable[str]) -> dict[str, str]:
    """The label (``rdfs:label`` or ``skos:prefLabel``, English first) of each IRI that has one."""
    wanted = list(dict.fromkeys(iris))
    found: dict[str, Term] = {}
    predicates = " ".join(f"<{p}>" for p in LABELS)
    for start in range(0, len(wanted), LABEL_BATCH):
        batch = wanted[start:start + LABEL_BATCH]
        values = " ".join(f"<{iri}>" for iri in batch if _is_plain_iri(iri))
        if not values:
            continue
        query = check_query(f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {predicates} }} "
                            f"?s ?p ?label FILTER(isLiteral(?label)) }}", settings)
        for s, label in engine.table(query, LABEL_BATCH * 20).rows:
            if s is None or label is None:
                continue
            best = found.get(s.value)
            if best is None or label_rank(label) < label_rank(best):
                found[s.value] = label
    return {iri: term.value for iri, term in found.items()}


def _is_plain_iri(iri: str) -> bool:
    # An IRI that can stand between <> in a query (results could hold anything).
    return not any(c in iri for c in '<>"{}|^`\\ \n\t')


@dataclass(frozen=True)
class Cell:
    """One value of a result table as the page shows it."""

    kind: str  # iri, literal, bnode, triple, unbound
    text: str  # the IRI, the literal's lexical form, _:label
    label: str | None = None  # the IRI's label
    name: str | None = None  # the IRI's prefixed name
    href: str | None = None  # where the IRI dereferences: on this server for our own IRIs
    note: str = ""  # @lang or the datatype of a literal

    @property
    def shown(self) -> str:
        """What stands in the cell: an IRI's label, else its prefixed name, else the text."""
        return self.label or self.name or self.text

    @property
    def beneath(self) -> str:
        """What is written small under a label: the prefixed name or the IRI."""
        return (self.name or self.text) if self.label else ""


class ResultView:
    """Turns result terms into :class:`Cell` s, with labels looked up in one go."""

    def __init__(self, base: str, declared: dict[str, str], labels: dict[str, str]) -> None:
        self.base = base
        self.declared = longest_first(declared)
        self.labels = labels

    def cell(self, term: Term | None) -> Cell:
        """The cell of one term (None: unbound)."""
        if term is None:
            return Cell("unbound", "")
        if term.kind == "iri":
            return Cell("iri", term.value, self.labels.get(term.value), prefixed_name(term.value, self.declared),
                        link(self.base, term.value))
        if term.kind == "literal":
            note = f"@{term.language}" if term.language else datatype_name(term.datatype, self.declared)
            return Cell("literal", term.value, note=note)
        if term.kind == "bnode":
            return Cell("bnode", f"_:{term.value}")
        return Cell(term.kind, term.value)

    def shown_iris(self, rows: Iterable[Sequence[Term | None]]) -> dict[str, dict[str, str]]:
        """How the page shows each IRI of ``rows`` (values and datatypes), for its result viewer.

        Per IRI: ``text`` (the label, else the prefixed name, else the IRI), ``note`` (the
        prefixed name or IRI under a label) and ``href``, as in the server's own table.
        """
        shown: dict[str, dict[str, str]] = {}
        for row in rows:
            for term in row:
                if term is None:
                    continue
                iri = term.value if term.kind == "iri" else term.datatype if term.kind == "literal" else None
                if iri and iri not in shown:
                    cell = self.cell(Term("iri", iri))
                    shown[iri] = {"text": cell.shown, "note": cell.beneath, "href": cell.href or iri}
        return shown


def sparql_json(variables: list[str], rows: Iterable[Sequence[Term | None]]) -> dict[str, Any]:
    """Rows as SPARQL 1.1 Query Results JSON (what the result viewer reads)."""
    bindings = []
    for row in rows:
        binding: dict[str, Any] = {}
        for name, term in zip(variables, row):
            if term is None:
                continue
            if term.kind == "iri":
                binding[name] = {"type": "uri", "value": term.value}
            elif term.kind == "bnode":
                binding[name] = {"type": "bnode", "value": term.value}
            else:
                binding[name] = {"type": "literal", "value": term.value}
                if term.language:
                    binding[name]["xml:lang"] = term.language
                elif term.datatype and term.datatype != XSD_STRING:
                    binding[name]["datatype"] = term.datatype
        bindings.append(binding)
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}
