"""The dataset described by itself: VoID counts and partitions computed from the data.

:func:`dataset_stats` asks the engine for the counts once per data version;
:func:`void_description` writes them as VoID triples (the dataset IRI is
``public_base`` itself), with the endpoint, the dumps, the sources and the vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..namespaces import DCTERMS, FOAF, RDF_TYPE, RDFS, VOID, XSD
from ..sparql import Term
from .dumps import DUMP_FORMATS, dump_iri
from .query_terms import sparql_string
from .view import Value, row_value

if TYPE_CHECKING:
    from .service import LinkedData


@dataclass
class VoidStats:
    """What the VoID description and the landing page say about the dataset, from the data."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    events: int
    observations: int
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    graphs: list[tuple[str, int]]
    sources: list[Value]
    source_copies: dict[str, str]
    title: str | None
    description: str | None
    license: str | None
    examples: list[str]

    def vocabularies(self) -> list[str]:
        """The namespaces of every class and property used, sorted."""
        found = {namespace(iri) for iri, _ in (*self.classes, *self.properties)}
        return sorted(ns for ns in found if ns)


def namespace(iri: str) -> str | None:
    """The namespace of an IRI: everything up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > len("https://") else None


DEFAULT_TITLE = "nkd: an open knowledge graph of North Korean defection"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def dataset_iri(base: str) -> str:
    """The IRI of the dataset as a whole (what the VoID describes): the namespace base itself."""
    return base


def dataset_stats(ld: "LinkedData") -> VoidStats:
    """Counts and partitions of the whole dataset behind ``ld``."""
    base = ld.base

    def count(where: str) -> int:
        rows = ld.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(rows[0]["n"].value) if rows else 0

    distinct = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
    entities_filter = f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {sparql_string(base + 'id/')}))"
    classes = ld.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")
    properties = ld.select(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ {distinct} }} }} GROUP BY ?p ORDER BY ?p")
    graphs = ld.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    sources = ld.select("""SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?copy) WHERE {
  { ?s nkd:textCopy ?c } UNION { ?x prov:wasDerivedFrom ?s FILTER(isIRI(?s)) }
  OPTIONAL { ?s rdfs:label ?l } OPTIONAL { ?s nkd:textCopy ?c }
} GROUP BY ?s ORDER BY ?s""")
    # Title and description only from a node about the dataset itself; the licence
    # may also come from the ontology, which is published under the same terms.
    meta = ld.select(f"""SELECT ?title ?description ?license WHERE {{
  OPTIONAL {{ <{base}> dcterms:title ?title }}
  OPTIONAL {{ <{base}> dcterms:description ?description }}
  OPTIONAL {{ <{base}> dcterms:license ?license }}
  OPTIONAL {{ <{base}ontology> dcterms:license ?license }}
}} LIMIT 1""")
    examples = ld.select(f"""SELECT ?s WHERE {{ ?s a ?c . ?c rdfs:subClassOf* nkd:Event {entities_filter} }}
ORDER BY ?s LIMIT 3""")
    return VoidStats(
        triples=count(distinct),
        entities=count(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o {entities_filter} }}"),
        distinct_subjects=count("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"),
        distinct_objects=count("SELECT DISTINCT ?o WHERE { ?s ?p ?o }"),
        events=count("SELECT DISTINCT ?s WHERE { ?s a ?c . ?c rdfs:subClassOf* nkd:Event }"),
        observations=count("SELECT DISTINCT ?s WHERE { ?s a qb:Observation }"),
        classes=[(r["c"].value, int(r["n"].value)) for r in classes if r["c"].kind == "iri"],
        properties=[(r["p"].value, int(r["n"].value)) for r in properties],
        graphs=[(r["g"].value, int(r["n"].value)) for r in graphs],
        sources=[row_value(base, r, "s", "label") for r in sources],
        source_copies={r["s"].value: r["copy"].value for r in sources if "copy" in r},
        title=meta[0]["title"].value if meta and "title" in meta[0] else None,
        description=meta[0]["description"].value if meta and "description" in meta[0] else None,
        license=meta[0]["license"].value if meta and "license" in meta[0] else None,
        examples=[r["s"].value for r in examples],
    )


def void_description(stats: VoidStats, base: str) -> list[tuple[Term, Term, Term]]:
    """The VoID triples for ``stats``; partitions and subsets are blank nodes / graph IRIs."""
    ds = Term("iri", dataset_iri(base))
    out: list[tuple[Term, Term, Term]] = []

    def iri(value: str) -> Term:
        return Term("iri", value)

    def integer(n: int) -> Term:
        return Term("literal", str(n), XSD + "integer")

    def add(s: Term, p: str, o: Term) -> None:
        out.append((s, iri(p), o))

    add(ds, RDF_TYPE, iri(VOID + "Dataset"))
    add(ds, DCTERMS + "title", Term("literal", stats.title or DEFAULT_TITLE, language="en"))
    if stats.description:
        add(ds, DCTERMS + "description", Term("literal", stats.description, language="en"))
    add(ds, DCTERMS + "license", iri(stats.license or DEFAULT_LICENSE))
    add(ds, FOAF + "homepage", ds)
    add(ds, VOID + "sparqlEndpoint", iri(f"{base}sparql"))
    add(ds, VOID + "uriSpace", Term("literal", f"{base}id/", XSD + "string"))
    add(ds, VOID + "rootResource", iri(f"{base}ontology"))
    for fmt in DUMP_FORMATS:
        add(ds, VOID + "dataDump", iri(dump_iri(base, fmt)))
        add(ds, VOID + "feature", iri(fmt.iri))
    for source in stats.sources:
        add(ds, DCTERMS + "source", source.term)
        copy = stats.source_copies.get(source.term.value)
        if copy:
            add(source.term, FOAF + "page", iri(copy))
        add(source.term, RDFS + "label", Term("literal", source.label, language="en"))
    for example in stats.examples:
        add(ds, VOID + "exampleResource", iri(example))
    for vocabulary in stats.vocabularies():
        add(ds, VOID + "vocabulary", iri(vocabulary))
    for name, value in (("triples", stats.triples), ("entities", stats.entities),
                        ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects),
                        ("classes", len(stats.classes)), ("properties", len(stats.properties))):
        add(ds, VOID + name, integer(value))
    for n, (cls, count) in enumerate(stats.classes):
        part = Term("bnode", f"class{n}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", iri(cls))
        add(part, VOID + "entities", integer(count))
    for n, (prop, count) in enumerate(stats.properties):
        part = Term("bnode", f"property{n}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", iri(prop))
        add(part, VOID + "triples", integer(count))
    for graph, count in stats.graphs:
        subset = iri(graph)
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE, iri(VOID + "Dataset"))
        add(subset, VOID + "triples", integer(count))
    return out
