"""Writing triples in an RDF format, with the prefixes of the namespace table they use."""

from __future__ import annotations

from typing import Any, Iterable

import pyoxigraph as ox

from ..namespaces import RDF_TYPE, XSD_STRING, prefixes
from ..negotiation import GRAPH_FORMATS, Format
from ..sparql import Term

# The formats a resource is published in, RDF first (an RDF client with no Accept
# header gets Turtle); the HTML page is added by the HTTP layer.
RDF_FORMATS: tuple[Format, ...] = GRAPH_FORMATS


def to_ox(term: Term) -> Any:
    """The pyoxigraph term for a :class:`Term`."""
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.language:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD_STRING))


def serialize_triples(triples: Iterable[tuple[Term, Term, Term]], fmt: Format, base: str) -> bytes:
    """Serialize triples of :class:`Term` in an RDF format, with the prefixes they use.

    Triples are sorted by subject first so that Turtle groups each subject's triples.
    """
    unique = sorted(dict.fromkeys(triples), key=lambda t: (t[0].kind != "iri", t[0].value, t[1].value != RDF_TYPE,
                                                           t[1].value, t[2].kind, t[2].value))
    used = {term.value for triple in unique for term in triple if term.kind == "iri"}
    namespaces = {name: ns for name, ns in prefixes(base, every=True).items()
                  if any(iri.startswith(ns) for iri in used)}
    # Deduplicated again as RDF terms: a language-tagged literal built here (no datatype)
    # and the same one read from the store (rdf:langString) are one term.
    converted = list(dict.fromkeys(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in unique))
    return ox.serialize(converted, None, fmt.ox, prefixes=namespaces)
