"""Whole documents a hash namespace names (``/ontology``, ``/shapes``): their triples and
their pages, every term arranged by kind (classes, properties, concepts, shapes…)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import NotFound
from ..namespaces import OWL, QB, RDF, RDF_TYPE, RDFS, SH, SKOS
from ..sparql import Term
from .query_terms import iri_ref, sparql_string
from .view import DEFINITIONS, LABELS, Property, Triples, Value

if TYPE_CHECKING:
    from .service import LinkedData

# What a term of a document is, in the order the page lists them.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Classes", (OWL + "Class", RDFS + "Class")),
    ("Object properties", (OWL + "ObjectProperty",)),
    ("Datatype properties", (OWL + "DatatypeProperty",)),
    ("Other properties", (QB + "DimensionProperty", QB + "MeasureProperty", QB + "AttributeProperty",
                          OWL + "AnnotationProperty", RDF + "Property")),
    ("Concept schemes", (SKOS + "ConceptScheme",)),
    ("Concepts", (SKOS + "Concept",)),
    ("Node shapes", (SH + "NodeShape",)),
    ("Property shapes", (SH + "PropertyShape",)),
)
# Shown first on a term, in this order: what a reader of an ontology looks for.
TERM_ORDER = (RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
              OWL + "equivalentClass", OWL + "equivalentProperty", OWL + "inverseOf", OWL + "sameAs",
              SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch",
              SKOS + "relatedMatch", SKOS + "broader", SKOS + "inScheme", SH + "targetClass", SH + "property")


@dataclass
class DocTerm:
    """One term of a document (a class, a property, a concept, a shape)."""

    anchor: str
    iri: str
    curie: str
    label: str
    definition: str | None
    types: list[Value]
    properties: list[Property]


@dataclass
class Document:
    """A whole document (the ontology, the shapes) arranged for its HTML page."""

    iri: str
    title: str
    header: list[Property]
    sections: list[tuple[str, list[DocTerm]]]
    triples: int


def document_triples(ld: "LinkedData", iri: str) -> list[tuple[Term, Term, Term]]:
    """The whole document a hash namespace names (``/ontology``, ``/shapes``).

    That is every named graph that says something about ``iri`` itself or defines a
    term of its ``#`` namespace: the shapes are spread over several files, and only
    one of them describes ``/shapes`` itself (a regression: /shapes showed 11 of 89
    node shapes). A store with no named graphs gives the triples about ``iri`` and its
    ``#`` terms instead.
    """
    x = iri_ref(iri)
    terms = sparql_string(iri + "#")
    triples = ld.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d ?a ?b }} "
        f"FILTER(?d = {x} || (isIRI(?d) && STRSTARTS(STR(?d), {terms}))) }} }} "
        f"GRAPH ?g {{ ?s ?p ?o }} }}")
    if not triples:
        triples = ld.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o "
            f"FILTER(?s = {x} || STRSTARTS(STR(?s), {terms})) }}")
    if not triples:
        raise NotFound(f"{iri} is not in the graph", hint="The data this server holds has no such document.")
    return triples


def document_model(iri: str, triples: list[tuple[Term, Term, Term]], base: str) -> Document:
    """Arrange a document's triples: the header (about ``iri``), then each IRI term by kind."""
    view = Triples(triples, base)
    subject = Term("iri", iri)
    sections: dict[str, list[DocTerm]] = {name: [] for name, _ in KINDS}
    sections["Other terms"] = []
    for term in sorted(view.by_subject, key=lambda t: t.value):
        if term.kind != "iri" or term == subject:
            continue
        types = [t.value for t in view.objects(term, RDF_TYPE)]
        kind = next((name for name, iris in KINDS if any(t in iris for t in types)), "Other terms")
        definition = view.first(term, *DEFINITIONS)
        props = view.properties(term, skip=(RDF_TYPE, *LABELS, *DEFINITIONS))
        props.sort(key=lambda prop: (TERM_ORDER.index(prop.predicate.term.value)
                                     if prop.predicate.term.value in TERM_ORDER else len(TERM_ORDER)))
        anchor = term.value[len(iri) + 1:] if term.value.startswith(iri + "#") else view.curie(term.value)
        sections[kind].append(DocTerm(anchor=anchor, iri=term.value, curie=view.curie(term.value),
                                      label=view.label(term), definition=definition.value if definition else None,
                                      types=[view.value(t) for t in view.objects(term, RDF_TYPE)], properties=props))
    return Document(iri=iri, title=view.label(subject), header=view.properties(subject),
                    sections=[(name, terms) for name, terms in sections.items() if terms],
                    triples=len(set(triples)))
