"""Browsing the graph: what kinds of thing it holds, every item of a kind, every event in time.

Everything here is asked of the engine through SPARQL (:class:`~nkd.linked_data.LinkedData`
``select`` and ``construct``), so it works over the embedded store and a remote one alike.
Counts include instances of subclasses (a defector is a person) through the ontology's
``rdfs:subClassOf`` triples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import NotFound
from .figures import figure_words, with_unit
from .linked_data import LinkedData, Triples, Value, iri_ref, link, row_value, sparql_string
from .namespaces import QB
from .timeline import Timeline, build_timeline, date_words

QB_OBSERVATION = QB + "Observation"


@dataclass(frozen=True)
class BrowseKind:
    """One kind of thing a browse page lists: its path, title, and the classes it covers."""

    slug: str
    title: str
    classes: tuple[str, ...]  # IRIs, or local names of nkd's ontology ("Person")
    blurb: str

    def class_iris(self, base: str) -> list[str]:
        """The classes' IRIs, nkd's own under ``base``."""
        return [c if ":" in c else f"{base}ontology#{c}" for c in self.classes]


BROWSE_KINDS: tuple[BrowseKind, ...] = (
    BrowseKind("events", "Events", ("Event",),
               "What happened: border closures, defections, repatriations, policy shifts, budgets, trends."),
    BrowseKind("people", "People", ("Person",), "Defectors, officials and others the sources name."),
    BrowseKind("groups", "Groups and cohorts", ("ActorGroup", "DefectorCohort", "Population"),
               "Groups of people: cohorts of defectors, unnamed authors, organisations acting together."),
    BrowseKind("organisations", "Organisations", ("Organization",),
               "Governments, ministries, parties, NGOs, media and international bodies."),
    BrowseKind("places", "Places", ("Place",), "Countries, regions and cities."),
    BrowseKind("observations", "Observations", (QB_OBSERVATION,),
               "Every figure a source states, as an RDF Data Cube observation."),
    BrowseKind("claims", "Claims", ("Claim",), "What someone says, attributed to who says it."),
    BrowseKind("documents", "Documents cited", ("Document",),
               "Reports, letters and resolutions the sources refer to."),
    BrowseKind("sources", "Sources", ("Source",), "The texts every fact is quoted from."),
)
BROWSE_BY_SLUG = {kind.slug: kind for kind in BROWSE_KINDS}


def get_kind(slug: str) -> BrowseKind:
    """The :class:`BrowseKind` named ``slug``; :class:`NotFound` naming the kinds there are."""
    kind = BROWSE_BY_SLUG.get(slug)
    if kind is None:
        raise NotFound(f"there is no list of {slug!r}",
                       hint="Browse one of: " + ", ".join(f"/browse/{k.slug}" for k in BROWSE_KINDS) + ".")
    return kind


def _values(ld: LinkedData, kind: BrowseKind) -> str:
    return " ".join(iri_ref(c) for c in kind.class_iris(ld.base))


def count_kinds(ld: LinkedData) -> dict[str, int]:
    """How many distinct items of each browse kind the graph holds."""
    counts = {}
    for kind in BROWSE_KINDS:
        rows = ld.select(f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES ?root {{ {_values(ld, kind)} }} ?t rdfs:subClassOf* ?root . ?s a ?t FILTER(isIRI(?s)) }}""")
        counts[kind.slug] = int(rows[0]["n"].value) if rows else 0
    return counts


@dataclass
class Item:
    """One item of a browse page: a link, its types in words and a detail (a date, a figure)."""

    value: Value
    types: list[str] = field(default_factory=list)
    detail: str = ""


def list_kind(ld: LinkedData, kind: BrowseKind, offset: int = 0, limit: int = 1000) -> tuple[int, list[Item]]:
    """(total, items) of a kind, by label, ``limit`` of them from ``offset``."""
    values = _values(ld, kind)
    total = ld.select(f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES ?root {{ {values} }} ?t rdfs:subClassOf* ?root . ?s a ?t FILTER(isIRI(?s)) }}""")
    rows = ld.select(f"""SELECT ?s ?label ?type ?typeLabel ?date ?value ?qualifier ?statedAs ?unitLabel ?period WHERE {{
  {{ SELECT DISTINCT ?s (SAMPLE(?l) AS ?label) WHERE {{
       VALUES ?root {{ {values} }} ?t rdfs:subClassOf* ?root . ?s a ?t FILTER(isIRI(?s))
       OPTIONAL {{ ?s rdfs:label ?l }} }} GROUP BY ?s ORDER BY LCASE(STR(COALESCE(?label, STR(?s)))) ?s
     OFFSET {int(offset)} LIMIT {int(limit)} }}
  ?s a ?type . OPTIONAL {{ ?type rdfs:label ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en") || LANG(?typeLabel) = "") }}
  OPTIONAL {{ ?s nkd:date ?date }}
  OPTIONAL {{ ?s a qb:Observation OPTIONAL {{ ?s sdmx-measure:obsValue ?value }}
             OPTIONAL {{ ?s nkd:qualifier|nkd:proportion ?qualifier }}
             OPTIONAL {{ ?s nkd:statedAs ?statedAs }}
             OPTIONAL {{ ?s sdmx-attribute:unitMeasure/rdfs:label ?unitLabel }}
             OPTIONAL {{ ?s sdmx-dimension:refPeriod ?p OPTIONAL {{ ?p rdfs:label ?pl }} BIND(COALESCE(?pl, ?p) AS ?period) }} }}
}}""")
    items: dict[str, Item] = {}
    for row in rows:
        iri = row["s"].value
        item = items.get(iri)
        if item is None:
            item = items[iri] = Item(row_value(ld.base, row, "s", "label"))
            item.detail = _detail(row)
        name = row["typeLabel"].value if "typeLabel" in row else Triples([], ld.base).curie(row["type"].value)
        if name not in item.types:
            item.types.append(name)
    return (int(total[0]["n"].value) if total else 0), list(items.values())


def _detail(row: dict[str, Any]) -> str:
    if "value" in row or "statedAs" in row:
        try:
            words = figure_words(row["value"].value if "value" in row else None,
                                 row["qualifier"].value if "qualifier" in row else None,
                                 stated_as=row["statedAs"].value if "statedAs" in row else None)
        except ArithmeticError:  # a malformed number in the data: shown as it is written
            return row["value"].value
        words = with_unit(words, row["unitLabel"].value if "unitLabel" in row else None)
        period = row.get("period")
        when = date_words(period) if period is not None and period.kind == "literal" else (period.value if period else "")
        return words + (f", {when}" if when else "")
    if "date" in row:
        return date_words(row["date"])
    return ""


# --------------------------------------------------------------------------- the ontology's classes


def class_instances(ld: LinkedData, limit_per_class: int = 50) -> dict[str, tuple[int, list[Value]]]:
    """For each class of nkd's ontology: how many direct instances, and the first of them by label."""
    namespace = sparql_string(f"{ld.base}ontology#")
    counts = ld.select(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?c FILTER(isIRI(?s) && STRSTARTS(STR(?c), {namespace})) }} GROUP BY ?c""")
    rows = ld.select(f"""SELECT ?c ?s (SAMPLE(?l) AS ?label) WHERE {{
  ?s a ?c FILTER(isIRI(?s) && STRSTARTS(STR(?c), {namespace})) OPTIONAL {{ ?s rdfs:label ?l }}
}} GROUP BY ?c ?s""")
    # Sorted here: Virtuoso refuses an ORDER BY on an aggregate's name (SP031).
    rows.sort(key=lambda r: (r["c"].value, (r["label"] if r.get("label") else r["s"]).value.lower()))
    found: dict[str, tuple[int, list[Value]]] = {r["c"].value: (int(r["n"].value), []) for r in counts}
    for row in rows:
        listed = found.setdefault(row["c"].value, (0, []))[1]
        if len(listed) < limit_per_class:
            listed.append(row_value(ld.base, row, "s", "label"))
    return found


# --------------------------------------------------------------------------- the timeline

_TIME_LINKS = ("time:intervalDuring|nkd:beginsWithin|nkd:endsWithin|time:intervalStartedBy"
               "|time:intervalFinishedBy|time:after")


def timeline(ld: LinkedData) -> Timeline:
    """Every event of the graph (``nkd:Event`` and its subclasses) on a timeline."""
    rows = ld.select("""SELECT ?e ?label ?type ?typeLabel ?class ?date ?time ?timeLabel ?note WHERE {
  ?e a ?type . ?type rdfs:subClassOf* nkd:Event FILTER(isIRI(?e))
  ?type rdfs:subClassOf* ?class .
  OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?type rdfs:label ?typeLabel }
  OPTIONAL { ?e nkd:date ?date }
  OPTIONAL { ?e nkd:time ?time OPTIONAL { ?time rdfs:label ?timeLabel } }
  OPTIONAL { ?e rdfs:comment ?note }
}""")
    events: dict[str, dict[str, Any]] = {}
    for row in rows:
        event = events.setdefault(row["e"].value, {
            "iri": row["e"].value, "label": row["label"].value if "label" in row else row["e"].value,
            "types": [], "classes": set(), "date": row.get("date"), "time": row.get("time"),
            "time_label": row["timeLabel"].value if "timeLabel" in row else None,
            "note": row["note"].value if "note" in row else None})
        event["classes"].add(row["class"].value)
        name = row["typeLabel"].value if "typeLabel" in row else row["type"].value
        if name not in event["types"] and row["type"].value == row["class"].value:
            event["types"].append(name)
    times = ld.construct(f"""CONSTRUCT {{ ?t ?p ?o . ?o ?p2 ?o2 }} WHERE {{
  ?e nkd:time ?t0 . ?t0 ({_TIME_LINKS})* ?t . ?t ?p ?o
  OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }}
}}""")
    view = Triples(times, ld.base)
    return build_timeline(list(events.values()), view, lambda iri: link(ld.base, iri))


__all__ = ["BROWSE_KINDS", "BrowseKind", "Item", "class_instances", "count_kinds", "get_kind", "list_kind",
           "timeline"]
