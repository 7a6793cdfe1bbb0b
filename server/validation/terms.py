"""pyoxigraph terms to rdflib terms and back: the parser's triples become pySHACL's graph."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..errors import InputError
from ..namespaces import XSD_STRING


class Terms:
    """pyoxigraph terms to rdflib terms, each distinct term converted once."""

    # oxrdflib's converter keeps ^^xsd:string explicit, which rdflib treats as a term
    # different from the plain literal that a shapes file or a SPARQL query writes;
    # so this one writes plain literals as rdflib does.

    def __init__(self) -> None:
        self._cache: dict[object, Node] = {}

    def __call__(self, term: object) -> Node:
        node = self._cache.get(term)
        if node is None:
            node = self._cache[term] = self._convert(term)
        return node

    @staticmethod
    def _convert(term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return Literal(term.value)
            # normalize=False: rdflib would rewrite "2019-11-30T00:00:00"^^xsd:date as
            # "2019-11-30" and hide from the shapes what the file (and the store) holds.
            return Literal(term.value, datatype=URIRef(datatype), normalize=False)
        raise InputError(f"unsupported RDF term {term!r}",
                         hint="Validation handles RDF 1.1 data; remove RDF 1.2 triple terms.")


def ox_term(node: Node) -> object:
    """The pyoxigraph term for an rdflib term (the inverse of :class:`Terms`)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD_STRING)))
    raise TypeError(f"not an RDF term: {node!r}")
