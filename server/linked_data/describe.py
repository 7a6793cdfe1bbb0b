"""What an IRI of the graph describes: one CONSTRUCT, and the description a page shows.

A description is the result of :func:`describe_query`: the resource's own triples (with
their blank nodes), the labels of what it links to, the triples that point at it, and its
provenance (sources and the Web Annotations that quote them). The RDF documents and the
HTML pages are both made from that one result, so a person and a program see the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import OA, PROV, RDF_TYPE, nkd_term, prologue
from ..sparql import Term
from .query_terms import iri_ref
from .view import Property, Triples, Value, href, sort_key

# Links past this many into one resource are left out of its description: a unit or a
# country that thousands of observations point at would otherwise make every fetch huge.
MAX_INCOMING = 1000


def describe_query(iri: str, base: str) -> str:
    """The CONSTRUCT query whose result is the description of ``iri`` served by this server.

    It holds the resource's own triples with two levels of blank nodes, the labels of
    the resources and predicates it links to, up to ``MAX_INCOMING`` triples that
    point at it with the labels of their subjects, and its provenance: the sources it
    was derived from and the annotations that quote them (with their targets and
    selectors). The same text sent to ``/sparql`` gives the same triples.
    """
    x = iri_ref(iri)
    return f"""{prologue(base)}CONSTRUCT {{
  {x} ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 .
  ?o ?olabel ?ol . ?p ?plabel ?pl .
  ?s ?ip {x} . ?s ?slabel ?sl . ?ip ?iplabel ?ipl .
  ?ann ?ap ?ao . ?ao ?tp ?to . ?to ?sp ?so . ?src ?srclabel ?srcl . ?src nkd:textCopy ?copy .
}} WHERE {{
  {{ {x} ?p ?o
     OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 OPTIONAL {{ FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 }} }} }}
  UNION {{ {x} ?p ?o . ?o ?olabel ?ol FILTER(?olabel IN (rdfs:label, skos:prefLabel)) }}
  UNION {{ {x} ?p ?o . ?p ?plabel ?pl FILTER(?plabel IN (rdfs:label, skos:prefLabel)) }}
  UNION {{ {{ SELECT ?s ?ip WHERE {{ ?s ?ip {x} }} LIMIT {MAX_INCOMING} }}
           OPTIONAL {{ ?s ?slabel ?sl FILTER(?slabel IN (rdfs:label, skos:prefLabel)) }}
           OPTIONAL {{ ?ip ?iplabel ?ipl FILTER(?iplabel IN (rdfs:label, skos:prefLabel)) }} }}
  UNION {{ ?ann oa:hasBody {x} ; ?ap ?ao
           OPTIONAL {{ FILTER(isBlank(?ao)) ?ao ?tp ?to OPTIONAL {{ FILTER(isBlank(?to)) ?to ?sp ?so }} }} }}
  UNION {{ {{ ?ann oa:hasBody {x} ; oa:hasTarget/oa:hasSource ?src }} UNION {{ {x} prov:wasDerivedFrom ?src }}
           {{ ?src ?srclabel ?srcl FILTER(?srclabel IN (rdfs:label, skos:prefLabel)) }} UNION {{ ?src nkd:textCopy ?copy }} }}
}}"""


@dataclass
class Quote:
    """Words of a source that state a fact, from a Web Annotation's TextQuoteSelector."""

    annotation: Value
    exact: str
    source: Value | None
    text_copy: str | None


@dataclass
class Description:
    """A resource as a page shows it: label, types, properties, links in, quotes, conflicts."""

    iri: str
    label: str
    types: list[Value]
    properties: list[Property]
    incoming: list[Property]
    quotes: list[Quote]
    sources: list[Value]
    conflicts: list[Value]
    view: Triples
    figure: str | None = None  # the figure it states, in its source's words ("less than 35,000")

    def has_type(self, iri: str) -> bool:
        """True if the resource is an instance of ``iri``."""
        return any(t.term.value == iri for t in self.types)


def description(iri: str, triples: list[tuple[Term, Term, Term]], base: str,
                figure: str | None = None) -> Description:
    """Arrange the triples of :func:`describe_query` for ``iri`` as a page shows them."""
    view = Triples(triples, base)
    subject = Term("iri", iri)
    own = view.properties(subject, skip=(RDF_TYPE,))
    types = [view.value(t) for t in sorted(view.objects(subject, RDF_TYPE), key=sort_key)]
    quotes = []
    annotations = [s for s, p in view.by_object.get(subject, ()) if p.value == OA + "hasBody"]
    for annotation in annotations:
        for target in view.objects(annotation, OA + "hasTarget"):
            source = view.first(target, OA + "hasSource")
            copy = view.first(source, nkd_term(base, "textCopy")) if source else None
            for selector in view.objects(target, OA + "hasSelector"):
                for exact in view.objects(selector, OA + "exact"):
                    quotes.append(Quote(view.value(annotation), exact.value,
                                        view.value(source) if source else None, href(base, copy)))
    quotes = list({(q.annotation.term, q.exact): q for q in quotes}.values())
    sources = [view.value(s) for s in view.objects(subject, PROV + "wasDerivedFrom")]
    conflicts = [view.value(c) for c in view.objects(subject, nkd_term(base, "conflictsWith"))]
    return Description(iri=iri, label=view.label(subject), types=types, properties=own,
                       incoming=view.incoming(subject), quotes=quotes, sources=sources,
                       conflicts=conflicts, view=view, figure=figure)
