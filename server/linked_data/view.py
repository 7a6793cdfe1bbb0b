"""A view of triples for building pages: values with labels and links, grouped by predicate.

:class:`Triples` indexes a description's triples by subject and object, finds the best
label of a term (English first), expands blank nodes and RDF lists a few levels deep,
and turns terms into :class:`Value` s that a template shows (label, link, nested values).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from ..namespaces import DCTERMS, RDF, RDF_TYPE, RDFS, SKOS, longest_first, prefixed_name, prefixes
from ..sparql import Term
from .paths import link

# The predicates that name a resource, and those that say what it is, best first.
LABELS = (RDFS + "label", SKOS + "prefLabel")
DEFINITIONS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")


def label_rank(term: Term) -> int:
    """How good a label is for an English page: English first, then untagged, then the rest."""
    if term.language in ("en", "en-gb", "en-us"):
        return 0
    if not term.language:
        return 1
    return 2


def sort_key(term: Term) -> tuple[str, str]:
    """A stable order of terms: by kind, then by value."""
    return (term.kind, term.value)


@dataclass
class Value:
    """One value shown on a page: the term, a label, a link and any nested properties."""

    term: Term
    label: str
    href: str | None
    nested: list["Property"] = field(default_factory=list)
    items: list["Value"] = field(default_factory=list)


@dataclass
class Property:
    """A predicate and its values (objects for outgoing links, subjects for incoming)."""

    predicate: Value
    values: list[Value]


def href(base: str, term: Term | None) -> str | None:
    """Where a page links a term (see :func:`~nkd.linked_data.paths.link`); None for a literal or blank node."""
    if term is None or term.kind != "iri":
        return None
    return link(base, term.value)


def row_value(base: str, row: dict[str, Term], key: str, label_key: str) -> Value:
    """A :class:`Value` for ``row[key]``, labelled by ``row[label_key]`` when bound."""
    term = row[key]
    label = row[label_key].value if label_key in row else term.value
    return Value(term, label, href(base, term))


@dataclass
class Triples:
    """Triples indexed by subject and object, with labels, for building pages."""

    triples: list[tuple[Term, Term, Term]]
    base: str
    by_subject: dict[Term, list[tuple[Term, Term]]] = field(default_factory=dict)
    by_object: dict[Term, list[tuple[Term, Term]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_subject: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
        by_object: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
        for s, p, o in dict.fromkeys(self.triples):
            by_subject[s].append((p, o))
            by_object[o].append((s, p))
        self.by_subject, self.by_object = dict(by_subject), dict(by_object)
        self._prefixes = longest_first({**prefixes(self.base), "id": f"{self.base}id/"})

    def objects(self, subject: Term, *predicates: str) -> list[Term]:
        """The objects of ``subject`` under any of ``predicates``."""
        return [o for p, o in self.by_subject.get(subject, ()) if p.value in predicates]

    def first(self, subject: Term, *predicates: str) -> Term | None:
        """The best object (English first, for literals) of ``subject`` under ``predicates``."""
        values = self.objects(subject, *predicates)
        return min(values, key=label_rank) if values else None

    def label(self, term: Term) -> str:
        """A readable name: the rdfs:label (English first), else a compact IRI."""
        found = self.first(term, *LABELS)
        if found is not None:
            return found.value
        if term.kind == "iri":
            return self.curie(term.value)
        if term.kind == "literal":
            return term.value
        return "(anonymous)"

    def curie(self, iri: str) -> str:
        """``prefix:local`` for an IRI in a known namespace (``id:event/x`` too), else the IRI."""
        return prefixed_name(iri, self._prefixes, slashes=True) or iri

    def value(self, term: Term, depth: int = 0) -> Value:
        """A :class:`Value` for a term, with blank nodes expanded a few levels deep."""
        nested: list[Property] = []
        if term.kind == "bnode" and depth < 4:
            items = self.list_items(term)
            if items is not None:
                return Value(term, "list", None, items=[self.value(t, depth + 1) for t in items])
            nested = self.properties(term, depth + 1)
        label = self.label(term) if term.kind != "literal" else term.value
        return Value(term, label, href(self.base, term), nested=nested)

    def list_items(self, term: Term) -> list[Term] | None:
        """The members of an RDF list starting at ``term``, or None if it is not one."""
        items: list[Term] = []
        seen: set[Term] = set()
        while term.kind == "bnode" and term not in seen:
            seen.add(term)
            first = self.objects(term, RDF + "first")
            rest = self.objects(term, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0])
            term = rest[0]
        return items if term.value == RDF + "nil" else None

    def properties(self, subject: Term, depth: int = 0, skip: Sequence[str] = ()) -> list[Property]:
        """The outgoing properties of ``subject``, grouped by predicate, types first."""
        grouped: dict[Term, list[Term]] = defaultdict(list)
        for p, o in self.by_subject.get(subject, ()):
            if p.value not in skip:
                grouped[p].append(o)
        result = [Property(self.value(p), [self.value(o, depth) for o in sorted(os_, key=sort_key)])
                  for p, os_ in grouped.items()]
        return sorted(result, key=lambda prop: (prop.predicate.term.value != RDF_TYPE, prop.predicate.label.lower()))

    def incoming(self, obj: Term) -> list[Property]:
        """The links pointing at ``obj``, grouped by predicate."""
        grouped: dict[Term, list[Term]] = defaultdict(list)
        for s, p in self.by_object.get(obj, ()):
            grouped[p].append(s)
        result = [Property(self.value(p), sorted((self.value(s) for s in subjects), key=lambda v: v.label.lower()))
                  for p, subjects in grouped.items()]
        return sorted(result, key=lambda prop: prop.predicate.label.lower())
