"""Linked Data: what an IRI of the graph describes, the dataset's VoID, and its dumps.

Everything here goes through the query engine's public methods (``triples``,
``table``, ``dump``), never the store itself, so it works the same over the embedded
pyoxigraph store and over a remote SPARQL store behind the same interface. Queries are
built from IRIs that pyoxigraph has validated and pass :func:`~nkd.sparql.check_query`
like any other query.

A description is one CONSTRUCT (:func:`describe_query`): the resource's own triples
(with their blank nodes), the labels of what it links to, the triples that point at
it, and its provenance (sources and the Web Annotations that quote them). The RDF
documents and the HTML pages are both made from that one result, so a person and a
program see the same facts.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import pyoxigraph as ox

from .errors import NotAcceptable, NotFound
from .figures import figure_words, figure_words_of, figures_query, format_number, is_hedged
from .http_cache import DataVersion
from .source_texts import passage_href
from .timeline import date_span, date_words
from .negotiation import DATASET_FORMATS, GRAPH_FORMATS, JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from .settings import Settings
from .sparql import Term, check_query

# --------------------------------------------------------------------------- vocabulary

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
QB = "http://purl.org/linked-data/cube#"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"
TIME = "http://www.w3.org/2006/time#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
FOAF = "http://xmlns.com/foaf/0.1/"

RDF_TYPE = RDF + "type"
LABELS = (RDFS + "label", SKOS + "prefLabel")
DEFINITIONS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")

# Prefixes of every serialization this module writes; the instance and ontology
# namespaces follow public_base (see :func:`prefixes`).
COMMON_PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "oa": OA, "qb": QB, "void": VOID, "sh": SH, "time": TIME, "foaf": FOAF,
    "sdmx-measure": SDMX_MEASURE, "sdmx-dimension": SDMX_DIMENSION, "sdmx-attribute": SDMX_ATTRIBUTE,
    "org": "http://www.w3.org/ns/org#", "schema": "https://schema.org/",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#", "dcat": "http://www.w3.org/ns/dcat#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/", "sd": "http://www.w3.org/ns/sparql-service-description#",
}

# The formats a resource is published in, RDF first (an RDF client with no Accept
# header gets Turtle); the HTML page is added by the HTTP layer.
RDF_FORMATS: tuple[Format, ...] = GRAPH_FORMATS
DUMP_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
DUMP_NAME = "nkd"

# Links past this many into one resource are left out of its description: a unit or a
# country that thousands of observations point at would otherwise make every fetch huge.
MAX_INCOMING = 1000


def prefixes(base: str) -> dict[str, str]:
    """The prefix map for serializations: the common vocabularies plus nkd's namespaces.

    Instances keep full IRIs: their slugs hold slashes, which Turtle would escape.
    """
    return {"nkd": f"{base}ontology#", "nkdsh": f"{base}shapes#", **COMMON_PREFIXES}


def iri_ref(iri: str) -> str:
    """``<iri>`` for a query text; :class:`NotFound` for a string that is no valid IRI."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError:
        raise NotFound(f"{iri} is not an IRI this server publishes") from None


def sparql_string(text: str) -> str:
    """A SPARQL string literal holding ``text`` exactly (for user input in a query)."""
    return str(ox.Literal(text))


def _prologue(base: str) -> str:
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in prefixes(base).items())


def _to_ox(term: Term) -> Any:
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.language:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD + "string"))


def serialize_triples(triples: Iterable[tuple[Term, Term, Term]], fmt: Format, base: str) -> bytes:
    """Serialize triples of :class:`Term` in an RDF format, with the prefixes they use.

    Triples are sorted by subject first so that Turtle groups each subject's triples.
    """
    unique = sorted(dict.fromkeys(triples), key=lambda t: (t[0].kind != "iri", t[0].value, t[1].value != RDF_TYPE,
                                                           t[1].value, t[2].kind, t[2].value))
    used = {term.value for triple in unique for term in triple if term.kind == "iri"}
    namespaces = {name: ns for name, ns in prefixes(base).items() if any(iri.startswith(ns) for iri in used)}
    # Deduplicated again as RDF terms: a language-tagged literal built here (no datatype)
    # and the same one read from the store (rdf:langString) are one term.
    converted = list(dict.fromkeys(ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in unique))
    return ox.serialize(converted, None, fmt.ox, prefixes=namespaces)


# --------------------------------------------------------------------------- paths and IRIs

_SUFFIXES = {f.extension: f for f in (*GRAPH_FORMATS, *DATASET_FORMATS)}


def split_suffix(path: str, extensions: Iterable[str]) -> tuple[str, str | None]:
    """Split a request path into the resource path and a format suffix it ends with, if any."""
    head, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in set(extensions):
        return head, ext
    return path, None


def iri_for_path(base: str, path: str) -> str:
    """The IRI a request path on this server stands for: ``/id/event/x`` → ``{base}id/event/x``."""
    return base + path.lstrip("/")


def local_path(base: str, iri: str) -> str | None:
    """The path of an IRI on this server, or None for an IRI outside ``public_base``."""
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return None


# --------------------------------------------------------------------------- a view of triples


def _label_rank(term: Term) -> int:
    if term.language in ("en", "en-gb", "en-us"):
        return 0
    if not term.language:
        return 1
    return 2


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
        known = {**prefixes(self.base), "id": f"{self.base}id/"}
        self._prefixes = sorted(known.items(), key=lambda item: -len(item[1]))

    def objects(self, subject: Term, *predicates: str) -> list[Term]:
        """The objects of ``subject`` under any of ``predicates``."""
        return [o for p, o in self.by_subject.get(subject, ()) if p.value in predicates]

    def first(self, subject: Term, *predicates: str) -> Term | None:
        """The best object (English first, for literals) of ``subject`` under ``predicates``."""
        values = self.objects(subject, *predicates)
        return min(values, key=_label_rank) if values else None

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
        """``prefix:local`` for an IRI in a known namespace, else the IRI."""
        for name, ns in self._prefixes:
            if iri.startswith(ns) and re.fullmatch(r"[\w.\-/]*", iri[len(ns):]):
                return f"{name}:{iri[len(ns):]}"
        return iri

    def value(self, term: Term, depth: int = 0) -> "Value":
        """A :class:`Value` for a term, with blank nodes expanded a few levels deep."""
        href = None
        if term.kind == "iri":
            href = local_path(self.base, term.value) or term.value
        nested: list[Property] = []
        if term.kind == "bnode" and depth < 4:
            items = self.list_items(term)
            if items is not None:
                return Value(term, "list", None, items=[self.value(t, depth + 1) for t in items])
            nested = self.properties(term, depth + 1)
        label = self.label(term) if term.kind != "literal" else term.value
        return Value(term, label, href, nested=nested)

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

    def properties(self, subject: Term, depth: int = 0, skip: Sequence[str] = ()) -> list["Property"]:
        """The outgoing properties of ``subject``, grouped by predicate, types first."""
        grouped: dict[Term, list[Term]] = defaultdict(list)
        for p, o in self.by_subject.get(subject, ()):
            if p.value not in skip:
                grouped[p].append(o)
        result = [Property(self.value(p), [self.value(o, depth) for o in sorted(os_, key=_sort_key)])
                  for p, os_ in grouped.items()]
        return sorted(result, key=lambda prop: (prop.predicate.term.value != RDF_TYPE, prop.predicate.label.lower()))

    def incoming(self, obj: Term) -> list["Property"]:
        """The links pointing at ``obj``, grouped by predicate."""
        grouped: dict[Term, list[Term]] = defaultdict(list)
        for s, p in self.by_object.get(obj, ()):
            grouped[p].append(s)
        result = [Property(self.value(p), sorted((self.value(s) for s in subjects), key=lambda v: v.label.lower()))
                  for p, subjects in grouped.items()]
        return sorted(result, key=lambda prop: prop.predicate.label.lower())


def _sort_key(term: Term) -> tuple[str, str]:
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


# --------------------------------------------------------------------------- descriptions


def describe_query(iri: str, base: str) -> str:
    """The CONSTRUCT query whose result is the description of ``iri`` served by this server.

    It holds the resource's own triples with two levels of blank nodes, the labels of
    the resources and predicates it links to, up to ``MAX_INCOMING`` triples that
    point at it with the labels of their subjects, and its provenance: the sources it
    was derived from and the annotations that quote them (with their targets and
    selectors). The same text sent to ``/sparql`` gives the same triples.
    """
    x = iri_ref(iri)
    return f"""{_prologue(base)}CONSTRUCT {{
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


class LinkedData:
    """The Linked Data view of one engine: descriptions, documents, VoID, dumps and search."""

    def __init__(self, engine: Any, settings: Settings, version: Callable[[], DataVersion] | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.base = settings.public_base
        # What the data is now: VoID and dumps are kept while it stays the same (for the
        # life of the process over fixed data; an external store's can change under us).
        self.version = version
        self._kept_for: str | None = None
        self._void: VoidStats | None = None
        self._dumps: dict[tuple[str, bool], bytes] = {}

    def _current(self) -> None:
        """Forget VoID and dumps of data that has changed since they were made."""
        digest = self.version().digest if self.version is not None else None
        if digest != self._kept_for:
            self._void, self._dumps, self._kept_for = None, {}, digest

    # -- queries

    def _triples(self, text: str) -> list[tuple[Term, Term, Term]]:
        return self.engine.triples(check_query(text, self.settings))

    def _rows(self, text: str, max_rows: int | None = None) -> list[dict[str, Term]]:
        table = self.engine.table(check_query(text, self.settings), max_rows or 100_000)
        return [{v: t for v, t in zip(table.variables, row) if t is not None} for row in table.rows]

    def select(self, text: str, max_rows: int | None = None) -> list[dict[str, Term]]:
        """The rows of a SELECT (its prefixes are added) as dicts of bound variables."""
        return self._rows(_prologue(self.base) + text, max_rows)

    def construct(self, text: str) -> list[tuple[Term, Term, Term]]:
        """The triples of a CONSTRUCT (its prefixes are added)."""
        return self._triples(_prologue(self.base) + text)

    def _count(self, where: str) -> int:
        rows = self._rows(f"{_prologue(self.base)}SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(rows[0]["n"].value) if rows else 0

    def exists(self, iri: str) -> bool:
        """True if ``iri`` is the subject or the object of a triple of the graph."""
        x = iri_ref(iri)
        table = self.engine.table(check_query(f"ASK {{ {{ {x} ?p ?o }} UNION {{ ?s ?p {x} }} }}", self.settings), 1)
        return bool(table.boolean)

    # -- resources

    def describe_triples(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """The triples of the description of ``iri`` (see :func:`describe_query`); NotFound if none."""
        triples = self._triples(describe_query(iri, self.base))
        if not triples:
            raise NotFound(f"{iri} is not in the graph",
                           hint="Search the labels at /search, or browse from the landing page /.")
        return triples

    def describe(self, iri: str) -> Description:
        """The description of ``iri`` as a page shows it; :class:`NotFound` if not in the graph."""
        view = Triples(self.describe_triples(iri), self.base)
        subject = Term("iri", iri)
        own = view.properties(subject, skip=(RDF_TYPE,))
        types = [view.value(t) for t in sorted(view.objects(subject, RDF_TYPE), key=_sort_key)]
        quotes = []
        annotations = [s for s, p in view.by_object.get(subject, ()) if p.value == OA + "hasBody"]
        for annotation in annotations:
            for target in view.objects(annotation, OA + "hasTarget"):
                source = view.first(target, OA + "hasSource")
                copy = view.first(source, nkd_term(self.base, "textCopy")) if source else None
                for selector in view.objects(target, OA + "hasSelector"):
                    for exact in view.objects(selector, OA + "exact"):
                        quotes.append(Quote(view.value(annotation), exact.value,
                                            view.value(source) if source else None, _href(self.base, copy)))
        quotes = list({(q.annotation.term, q.exact): q for q in quotes}.values())
        sources = [view.value(s) for s in view.objects(subject, PROV + "wasDerivedFrom")]
        conflicts = [view.value(c) for c in view.objects(subject, nkd_term(self.base, "conflictsWith"))]
        return Description(iri=iri, label=view.label(subject), types=types, properties=own,
                           incoming=view.incoming(subject), quotes=quotes, sources=sources,
                           conflicts=conflicts, view=view, figure=self.figures([iri]).get(iri))

    def figures(self, iris: Sequence[str]) -> dict[str, str]:
        """The figure each of ``iris`` states, in its source's words (:func:`figure_words`), for those that state one."""
        iris = [iri for iri in dict.fromkeys(iris) if re.fullmatch(r"[^\s<>\"{}|^`\\]+", iri)][:1000]
        if not iris:
            return {}
        words: dict[str, str] = {}
        for row in self._rows(figures_query(iris)):
            iri = row["s"].value
            if iri not in words:
                words[iri] = figure_words_of({k: t.value for k, t in row.items()})
        return words

    def graph_triples(self, graph_iri: str) -> list[tuple[Term, Term, Term]]:
        """The triples of a named graph of the store (a file of the dataset); NotFound if empty."""
        g = iri_ref(graph_iri)
        triples = self._triples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
        if not triples:
            raise NotFound(f"{graph_iri} is not in the graph",
                           hint="Search the labels at /search, or browse from the landing page /.")
        return triples

    def is_graph(self, iri: str) -> bool:
        """True if ``iri`` names a non-empty named graph of the store (one data file)."""
        table = self.engine.table(check_query(f"ASK {{ GRAPH {iri_ref(iri)} {{ ?s ?p ?o }} }}", self.settings), 1)
        return bool(table.boolean)

    def document(self, iri: str, triples: list[tuple[Term, Term, Term]]) -> "Document":
        """A document's triples arranged for its HTML page: its header, then its terms by kind."""
        return document_model(iri, triples, self.base)

    def document_triples(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """The whole document a hash namespace names (``/ontology``, ``/shapes``).

        That is every named graph that says something about ``iri`` itself or defines a
        term of its ``#`` namespace: the shapes are spread over several files, and only
        one of them describes ``/shapes`` itself (a regression: /shapes showed 11 of 89
        node shapes). A store with no named graphs gives the triples about ``iri`` and its
        ``#`` terms instead.
        """
        x = iri_ref(iri)
        terms = sparql_string(iri + "#")
        triples = self._triples(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d ?a ?b }} "
            f"FILTER(?d = {x} || (isIRI(?d) && STRSTARTS(STR(?d), {terms}))) }} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} }}")
        if not triples:
            triples = self._triples(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o "
                f"FILTER(?s = {x} || STRSTARTS(STR(?s), {sparql_string(iri + '#')})) }}")
        if not triples:
            raise NotFound(f"{iri} is not in the graph", hint="The data this server holds has no such document.")
        return triples

    # -- statistics

    def observations(self, dataset_iri: str) -> list["Observation"]:
        """The observations of a ``qb:DataSet`` with period, value, unit, qualifier, sources and quotes."""
        ds = iri_ref(dataset_iri)
        p = _prologue(self.base)
        rows = self._rows(f"""{p}SELECT ?obs ?label ?value ?statedAs ?upper ?period ?periodLabel ?begin ?end ?unit
       ?unitLabel ?qualifier ?qualifierLabel ?comment WHERE {{
  ?obs qb:dataSet {ds} .
  OPTIONAL {{ ?obs sdmx-measure:obsValue ?value }}
  OPTIONAL {{ ?obs nkd:statedAs ?statedAs }} OPTIONAL {{ ?obs nkd:upperBound ?upper }}
  OPTIONAL {{ ?obs rdfs:label ?label }}
  OPTIONAL {{ ?obs sdmx-dimension:refPeriod ?period
    OPTIONAL {{ ?period rdfs:label ?periodLabel }}
    OPTIONAL {{ ?period time:hasBeginning/(time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate|time:inXSDDateTimeStamp|time:inXSDDateTime) ?begin }}
    OPTIONAL {{ ?period time:hasEnd/(time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate|time:inXSDDateTimeStamp|time:inXSDDateTime) ?end }} }}
  OPTIONAL {{ ?obs sdmx-attribute:unitMeasure ?unit OPTIONAL {{ ?unit rdfs:label ?unitLabel }} }}
  OPTIONAL {{ ?obs nkd:qualifier|nkd:proportion ?qualifier OPTIONAL {{ ?qualifier rdfs:label ?qualifierLabel }} }}
  OPTIONAL {{ ?obs rdfs:comment ?comment }}
}}""", self.settings.max_html_rows * 4)
        evidence = self._rows(f"""{p}SELECT ?obs ?source ?sourceLabel ?exact ?copy WHERE {{
  ?obs qb:dataSet {ds} .
  {{ ?obs prov:wasDerivedFrom ?source }}
  UNION {{ ?ann oa:hasBody ?obs ; oa:hasTarget ?t . ?t oa:hasSource ?source
           OPTIONAL {{ ?t oa:hasSelector/oa:exact ?exact }} }}
  OPTIONAL {{ ?source rdfs:label ?sourceLabel }}
  OPTIONAL {{ ?source nkd:textCopy ?copy }}
}}""", self.settings.max_html_rows * 4)
        conflicts = self._rows(f"""{p}SELECT ?obs ?other ?otherLabel WHERE {{
  ?obs qb:dataSet {ds} ; nkd:conflictsWith ?other . OPTIONAL {{ ?other rdfs:label ?otherLabel }}
}}""", self.settings.max_html_rows * 4)
        # The dataset's dimensions other than time, source and the words tell its series apart
        # (what is counted, of whom, where): one chart per series.
        dimensions = self._rows(f"""{p}SELECT ?obs ?order ?value (SAMPLE(?l) AS ?label) WHERE {{
  {ds} qb:structure/qb:component ?component . ?component qb:dimension ?dim .
  OPTIONAL {{ ?component qb:order ?order }}
  FILTER(?dim NOT IN (sdmx-dimension:refPeriod, prov:wasDerivedFrom, nkd:source, nkd:statedAs))
  ?obs qb:dataSet {ds} ; ?dim ?value . OPTIONAL {{ ?value rdfs:label ?l }}
}} GROUP BY ?obs ?order ?dim ?value ORDER BY ?obs ?order ?dim""", self.settings.max_html_rows * 8)
        return _observations(rows, evidence, conflicts, dimensions, self.base)

    def datasets(self) -> list[Value]:
        """Every ``qb:DataSet`` with its label."""
        rows = self._rows(f"""{_prologue(self.base)}SELECT ?d (SAMPLE(?l) AS ?label) WHERE {{
  ?d a qb:DataSet OPTIONAL {{ ?d rdfs:label ?l }} }} GROUP BY ?d ORDER BY ?label""")
        return [row_value(self.base, r, "d", "label") for r in rows]

    # -- the dataset as a whole

    def stats(self) -> "VoidStats":
        """Counts and partitions of the whole dataset, computed once per process."""
        self._current()
        if self._void is None:
            self._void = self._compute_stats()
        return self._void

    def _compute_stats(self) -> "VoidStats":
        p = _prologue(self.base)
        distinct = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
        entities_filter = f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {sparql_string(self.base + 'id/')}))"
        classes = self._rows(f"{p}SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c }} GROUP BY ?c ORDER BY ?c")
        properties = self._rows(f"{p}SELECT ?p (COUNT(*) AS ?n) WHERE {{ {{ {distinct} }} }} GROUP BY ?p ORDER BY ?p")
        graphs = self._rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        sources = self._rows(f"""{p}SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?copy) WHERE {{
  {{ ?s nkd:textCopy ?c }} UNION {{ ?x prov:wasDerivedFrom ?s FILTER(isIRI(?s)) }}
  OPTIONAL {{ ?s rdfs:label ?l }} OPTIONAL {{ ?s nkd:textCopy ?c }}
}} GROUP BY ?s ORDER BY ?s""")
        # Title and description only from a node about the dataset itself; the licence
        # may also come from the ontology, which is published under the same terms.
        meta = self._rows(f"""{p}SELECT ?title ?description ?license WHERE {{
  OPTIONAL {{ <{self.base}> dcterms:title ?title }}
  OPTIONAL {{ <{self.base}> dcterms:description ?description }}
  OPTIONAL {{ <{self.base}> dcterms:license ?license }}
  OPTIONAL {{ <{self.base}ontology> dcterms:license ?license }}
}} LIMIT 1""")
        examples = self._rows(f"""{p}SELECT ?s WHERE {{ ?s a ?c . ?c rdfs:subClassOf* nkd:Event {entities_filter} }}
ORDER BY ?s LIMIT 3""")
        return VoidStats(
            triples=self._count(distinct),
            entities=self._count(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o {entities_filter} }}"),
            distinct_subjects=self._count("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"),
            distinct_objects=self._count("SELECT DISTINCT ?o WHERE { ?s ?p ?o }"),
            events=self._count("SELECT DISTINCT ?s WHERE { ?s a ?c . ?c rdfs:subClassOf* nkd:Event }"),
            observations=self._count("SELECT DISTINCT ?s WHERE { ?s a qb:Observation }"),
            classes=[(r["c"].value, int(r["n"].value)) for r in classes if r["c"].kind == "iri"],
            properties=[(r["p"].value, int(r["n"].value)) for r in properties],
            graphs=[(r["g"].value, int(r["n"].value)) for r in graphs],
            sources=[row_value(self.base, r, "s", "label") for r in sources],
            source_copies={r["s"].value: r["copy"].value for r in sources if "copy" in r},
            title=meta[0]["title"].value if meta and "title" in meta[0] else None,
            description=meta[0]["description"].value if meta and "description" in meta[0] else None,
            license=meta[0]["license"].value if meta and "license" in meta[0] else None,
            examples=[r["s"].value for r in examples],
        )

    def void_triples(self) -> list[tuple[Term, Term, Term]]:
        """The VoID description of the dataset (title, licence, sources, endpoint, dumps, counts,
        partitions), with its DCAT description beside it (see :mod:`nkd.catalog`)."""
        from .catalog import dataset_info, dcat_triples  # it builds on this module

        return void_description(self.stats(), self.base) + dcat_triples(self, dataset_info(self))

    # -- dumps

    def dump(self, fmt: Format, gzipped: bool = False) -> bytes:
        """The whole dataset in ``fmt`` (gzip-compressed if asked), built once per process and data version."""
        key = (fmt.name, gzipped)
        self._current()
        if key not in self._dumps:
            if gzipped:
                # mtime=0: the same bytes in every worker process, for the same ETag.
                self._dumps[key] = gzip.compress(self.dump(fmt), mtime=0)
            elif hasattr(self.engine, "dump"):
                self._dumps[key] = self.engine.dump(fmt, prefixes=prefixes(self.base))
            elif fmt in DATASET_FORMATS:
                raise NotAcceptable(f"the store behind this server cannot dump {fmt.label} (named graphs)",
                                    offered=[f.media_type for f in GRAPH_FORMATS])
            else:  # an engine without dump(): the union graph through SPARQL
                query = check_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", self.settings)
                self._dumps[key] = self.engine.serialize(query, fmt)
        return self._dumps[key]


def nkd_term(base: str, local: str) -> str:
    """The IRI of an ontology term under ``base``: ``nkd_term(base, "textCopy")``."""
    return f"{base}ontology#{local}"


def _href(base: str, term: Term | None) -> str | None:
    if term is None or term.kind != "iri":
        return None
    return local_path(base, term.value) or term.value


def row_value(base: str, row: dict[str, Term], key: str, label_key: str) -> Value:
    """A :class:`Value` for ``row[key]``, labelled by ``row[label_key]`` when bound."""
    term = row[key]
    label = row[label_key].value if label_key in row else term.value
    return Value(term, label, _href(base, term))


# --------------------------------------------------------------------------- documents

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


# --------------------------------------------------------------------------- statistics


@dataclass
class Observation:
    """One ``qb:Observation`` as a dataset page shows it."""

    iri: str
    href: str | None
    label: str | None
    value: float | None  # None for a share stated only in words ("the majority")
    value_text: str
    period: Term | None
    period_label: str
    x: float | None  # position on a time axis (a fractional year), None if unknown
    x_from: float | None  # start of the period, when it is an interval with a known start
    unit: str
    qualifier: str | None
    hedged: bool
    words: str = ""  # the figure in words: the source's own (nkd:statedAs) or value and hedge
    comment: str | None = None
    sources: list[Value] = field(default_factory=list)
    quotes: list[tuple[str, Value | None, str | None]] = field(default_factory=list)  # words, source, passage
    conflicts: list[Value] = field(default_factory=list)
    series: list[str] = field(default_factory=list)  # labels of its non-time, non-source dimensions


def year_position(term: Term | None) -> float | None:
    """Where an ``xsd:gYear``, ``gYearMonth``, ``date`` or ``dateTime`` falls, as a fractional year
    (the middle of the year, month or day it names)."""
    span = date_span(term)
    return (span.start + span.end) / 2 if span is not None else None


def _observations(rows: list[dict[str, Term]], evidence: list[dict[str, Term]],
                  conflicts: list[dict[str, Term]], dimensions: list[dict[str, Term]],
                  base: str) -> list[Observation]:
    found: dict[str, Observation] = {}
    for row in rows:
        iri = row["obs"].value
        if iri in found:
            continue
        try:
            value = float(row["value"].value) if "value" in row else None
        except ValueError:
            continue
        if value is None and "statedAs" not in row:
            continue  # neither a number nor words: nothing to show
        period = row.get("period")
        end = year_position(row.get("end"))
        begin = year_position(row.get("begin"))
        x = year_position(period) if period is not None and period.kind == "literal" else (end or begin)
        qualifier = row.get("qualifier")
        found[iri] = Observation(
            iri=iri, href=local_path(base, iri) or iri,
            label=row["label"].value if "label" in row else None,
            value=value, value_text=format_number(value) if value is not None else "", period=period,
            period_label=(row["periodLabel"].value if "periodLabel" in row
                          else date_words(period) if period is not None else "—"),
            x=x, x_from=begin if end is not None and begin is not None else None,
            unit=row["unitLabel"].value if "unitLabel" in row else (row["unit"].value if "unit" in row else ""),
            qualifier=(row["qualifierLabel"].value if "qualifierLabel" in row
                       else re.split(r"[#/]", qualifier.value)[-1] if qualifier is not None else None),
            hedged=is_hedged(qualifier.value if qualifier is not None else None),
            words=figure_words(value, qualifier.value if qualifier is not None else None,
                               stated_as=row["statedAs"].value if "statedAs" in row else None,
                               upper_bound=row["upper"].value if "upper" in row else None,
                               unit=row["unit"].value if "unit" in row else None),
            comment=row["comment"].value if "comment" in row else None,
        )
    for row in evidence:
        obs = found.get(row["obs"].value)
        if obs is None:
            continue
        source = row_value(base, row, "source", "sourceLabel")
        if not any(s.term == source.term for s in obs.sources):
            obs.sources.append(source)
        if "exact" in row and (row["exact"].value, source.term) not in {(q, s.term if s else None)
                                                                         for q, s, _ in obs.quotes}:
            copy = row["copy"].value if "copy" in row else None
            obs.quotes.append((row["exact"].value, source, passage_href(base, copy, row["exact"].value)))
    for row in dimensions:
        obs = found.get(row["obs"].value)
        if obs is not None:
            obs.series.append(row["label"].value if "label" in row else row["value"].value)
    for row in conflicts:
        obs = found.get(row["obs"].value)
        if obs is not None:
            other = row_value(base, row, "other", "otherLabel")
            if not any(c.term == other.term for c in obs.conflicts):
                obs.conflicts.append(other)
    return sorted(found.values(), key=lambda o: (o.x is None, o.x or 0, o.iri))


# --------------------------------------------------------------------------- VoID


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
FORMAT_IRIS = {
    TURTLE: "http://www.w3.org/ns/formats/Turtle", NTRIPLES: "http://www.w3.org/ns/formats/N-Triples",
    NQUADS: "http://www.w3.org/ns/formats/N-Quads", TRIG: "http://www.w3.org/ns/formats/TriG",
    JSONLD: "http://www.w3.org/ns/formats/JSON-LD", RDFXML: "http://www.w3.org/ns/formats/RDF_XML",
}


def dataset_iri(base: str) -> str:
    """The IRI of the dataset as a whole (what the VoID describes): the namespace base itself."""
    return base


def dump_iri(base: str, fmt: Format) -> str:
    """The IRI of the dump of the whole dataset in ``fmt``."""
    return f"{base}dumps/{DUMP_NAME}.{fmt.extension}"


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
        add(ds, VOID + "feature", iri(FORMAT_IRIS[fmt]))
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


__all__: Sequence[str] = (
    "Description", "LinkedData", "Observation", "Property", "Quote", "RDF_FORMATS", "DUMP_FORMATS",
    "Triples", "Value", "VoidStats", "describe_query", "dump_iri", "iri_for_path", "local_path",
    "prefixes", "serialize_triples", "split_suffix", "void_description",
)
