"""An entity's page as a person reads it: the main fact first, then the rest in plain words.

Built from the same description the RDF documents are made of (:meth:`LinkedData.describe`),
plus a few labels a page needs and the description does not carry (what else a quoted
passage states, the figure and notes of a conflicting observation).

- **The main fact**: for an observation, the figure in its source's own words (see
  :mod:`nkd.figures`), its period, area, what it counts, its source and the quote;
  for an event, its kind, when, where and who; for a claim, what is claimed and by whom.
- **One source line**: ``nkd:source`` and ``prov:wasDerivedFrom`` name the same source,
  so it is said once, with a link to its text with the quoted passages marked.
- **Conflicts** stated plainly: the other figure, its source, and why they disagree
  (the notes the data gives on either figure).
- **Quotes** labelled by the fact of the page, each linked to its passage in the source
  text; an annotation that also states other facts says so, by their own labels.
- **Properties** grouped (what, when, where, who, linked facts, source, notes), each
  labelled in plain words with its IRI on hover; links pointing at the entity read from
  its side ("is the claimant of").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .figures import figure_words, format_number, with_unit
from .linked_data import LABELS, Description, LinkedData, Triples, Value, iri_ref, link
from .namespaces import (DCTERMS, OA, PROV, QB, RDF_TYPE, RDFS, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, SKOS,
                         nkd_term)
from .source_texts import passage_href, text_page
from .sparql import Term
from .timeline import date_words
from .wording import CLASS_LABELS, GROUPS, WORDING, inverse_phrase, wording

QB_OBSERVATION = QB + "Observation"
XSD_DATES = ("gYear", "gYearMonth", "date")


@dataclass
class Row:
    """A property (or, for links in, a phrase) and its values."""

    label: str
    iri: str
    values: list[Value]


@dataclass
class Group:
    """Properties that belong together: "When", "Where"…"""

    title: str
    rows: list[Row]


@dataclass
class QuoteView:
    """Words of a source stating the page's fact, with where to read them in the text."""

    exact: str
    source: Value | None
    passage_href: str | None  # the passage on the source's annotated page
    text_href: str | None  # the verbatim text
    annotation: Value
    also: list[Value] = field(default_factory=list)  # other facts the same words state


@dataclass
class Conflict:
    """Another figure for the same thing, and why the two disagree."""

    other: Value
    other_figure: str | None
    other_source: str | None
    reasons: list[tuple[str, str]]  # (whose note, the note)


@dataclass
class Headline:
    """The main fact of the page."""

    kind: str  # "figure", "event", "claim" or "summary"
    text: str | None  # the figure in words, the claim's statement, a definition
    facts: list[tuple[str, list[Value]]]


@dataclass
class EntityView:
    """Everything an entity page shows besides its title and formats."""

    headline: Headline | None
    sources: list[tuple[Value, str | None]]  # (source, link to its annotated text)
    conflicts: list[Conflict]
    quotes: list[QuoteView]
    groups: list[Group]
    incoming: list[Row]
    types: list[Value] = field(default_factory=list)  # the entity's classes, in plain words


def _n(base: str, local: str) -> str:
    return nkd_term(base, local)


def _display(view: Triples, term: Term) -> Value:
    value = view.value(term)
    if term.kind == "literal" and term.datatype and term.datatype.rsplit("#", 1)[-1] in XSD_DATES:
        value.label = date_words(term)
    elif term.kind == "literal" and term.datatype and term.datatype.endswith(("#integer", "#decimal", "#double")):
        try:
            value.label = format_number(float(term.value))
        except ValueError:
            pass
    return value


def _values(view: Triples, subject: Term, *predicates: str) -> list[Value]:
    return [_display(view, o) for o in view.objects(subject, *predicates)]


def entity_view(ld: LinkedData, d: Description) -> EntityView:
    """Arrange a description for its page (see the module's doc)."""
    view, base = d.view, ld.base
    subject = Term("iri", d.iri)
    source_predicates = (_n(base, "source"), PROV + "wasDerivedFrom", DCTERMS + "source")
    sources = _sources(view, subject, source_predicates, d)
    headline, shown = _headline(view, subject, d, base, sources)
    quotes = _quotes(ld, view, d)
    conflicts = _conflicts(ld, view, subject, base)
    skip = {RDF_TYPE, *LABELS, *source_predicates, _n(base, "textCopy"), *shown}
    groups = _groups(view, subject, base, skip, d.label)
    incoming = _incoming(view, subject, base)
    types = [Value(t.term, CLASS_LABELS.get(t.term.value, t.label), t.href) for t in d.types]
    return EntityView(headline, sources, conflicts, quotes, groups, incoming, types)


def _sources(view: Triples, subject: Term, predicates: tuple[str, ...], d: Description) -> list[tuple[Value, str | None]]:
    terms = list(dict.fromkeys([*view.objects(subject, *predicates),
                                *(q.source.term for q in d.quotes if q.source is not None)]))
    out = []
    for term in terms:
        copy = view.first(term, _n(view.base, "textCopy"))
        out.append((view.value(term), text_page(view.base, copy.value if copy is not None else None)))
    return out


def _headline(view: Triples, subject: Term, d: Description, base: str,
              sources: list[tuple[Value, str | None]]) -> tuple[Headline | None, set[str]]:
    source_values = [s for s, _ in sources]
    if d.has_type(QB_OBSERVATION):
        value = view.first(subject, SDMX_MEASURE + "obsValue")
        stated = view.first(subject, _n(base, "statedAs"))
        if value is None and stated is None:
            return None, set()
        # A figure with no number ("the majority") has its hedge as a proportion.
        qualifier = view.first(subject, _n(base, "qualifier")) or view.first(subject, _n(base, "proportion"))
        upper = view.first(subject, _n(base, "upperBound"))
        try:
            words = figure_words(value.value if value else None, qualifier.value if qualifier else None,
                                 stated_as=stated.value if stated else None,
                                 upper_bound=upper.value if upper else None)
        except ArithmeticError:  # a malformed number in the data: shown as it is written
            words = value.value if value else ""
        unit = view.first(subject, SDMX_ATTRIBUTE + "unitMeasure")
        text = with_unit(words, view.label(unit) if unit is not None else None)
        facts = [("period", _values(view, subject, SDMX_DIMENSION + "refPeriod")),
                 ("area", _values(view, subject, SDMX_DIMENSION + "refArea")),
                 ("what", _values(view, subject, _n(base, "variable"))),
                 ("of whom", _values(view, subject, _n(base, "population"))),
                 ("hedge", _values(view, subject, _n(base, "qualifier"))),
                 ("source", source_values)]
        shown = {SDMX_MEASURE + "obsValue", SDMX_ATTRIBUTE + "unitMeasure", SDMX_DIMENSION + "refPeriod",
                 SDMX_DIMENSION + "refArea", _n(base, "variable"), _n(base, "population"), _n(base, "qualifier"),
                 _n(base, "statedAs"), _n(base, "upperBound")}
        return Headline("figure", text, [(k, v) for k, v in facts if v]), shown
    event_class = _n(base, "Event")
    if _n(base, "statement") in {p.value for p, _ in view.by_subject.get(subject, ())}:
        statement = view.first(subject, _n(base, "statement"))
        facts = [("claimed by", _values(view, subject, _n(base, "claimant"))),
                 ("kind of claim", _values(view, subject, _n(base, "claimKind"))),
                 ("about", _values(view, subject, _n(base, "concerns"))),
                 ("source", source_values)]
        shown = {_n(base, p) for p in ("statement", "claimant", "claimKind", "concerns")}
        return Headline("claim", statement.value if statement else None, [(k, v) for k, v in facts if v]), shown
    when = _values(view, subject, _n(base, "time")) or _values(view, subject, _n(base, "date"))
    if when or view.objects(subject, _n(base, "performedBy"), _n(base, "place")) or d.has_type(event_class):
        kinds = [Value(t.term, CLASS_LABELS.get(t.term.value, t.label), t.href) for t in d.types]
        facts = [("kind", kinds), ("when", when),
                 ("where", _values(view, subject, _n(base, "place"), _n(base, "fromPlace"), _n(base, "toPlace"))),
                 ("by", _values(view, subject, _n(base, "performedBy"))),
                 ("affecting", _values(view, subject, _n(base, "affected"))),
                 ("source", source_values)]
        shown = {_n(base, p) for p in ("time", "date", "place", "fromPlace", "toPlace", "performedBy", "affected")}
        if len([f for f in facts if f[1]]) > 2:
            return Headline("event", None, [(k, v) for k, v in facts if v]), shown
    summary = view.first(subject, SKOS + "definition", RDFS + "comment")
    if summary is not None:
        return Headline("summary", summary.value, []), set()
    return None, set()


def _co_labels(ld: LinkedData, iris: set[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(iri_ref(i) for i in sorted(iris))
    rows = ld.select(f"SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label ?l }} GROUP BY ?s")
    return {r["s"].value: r["label"].value for r in rows if "label" in r}


def _quotes(ld: LinkedData, view: Triples, d: Description) -> list[QuoteView]:
    others: dict[str, list[Term]] = {}
    for q in d.quotes:
        others[q.annotation.term.value] = [b for b in view.objects(q.annotation.term, OA + "hasBody")
                                            if b.value != d.iri and b.kind == "iri"]
    labels = _co_labels(ld, {b.value for bodies in others.values() for b in bodies})
    out = []
    for q in d.quotes:
        copy = view.first(q.source.term, _n(ld.base, "textCopy")) if q.source is not None else None
        also = [Value(b, labels.get(b.value, b.value), link(ld.base, b.value))
                for b in others.get(q.annotation.term.value, [])]
        annotation = Value(q.annotation.term, "the annotation", q.annotation.href)
        out.append(QuoteView(q.exact, q.source, passage_href(ld.base, copy.value if copy else None, q.exact),
                             q.text_copy, annotation, also))
    return out


def _conflicts(ld: LinkedData, view: Triples, subject: Term, base: str) -> list[Conflict]:
    conflicts_with = _n(base, "conflictsWith")
    others = list(dict.fromkeys([*view.objects(subject, conflicts_with),
                                 *(s for s, p in view.by_object.get(subject, ()) if p.value == conflicts_with)]))
    if not others:
        return []
    values = " ".join(iri_ref(o.value) for o in others)
    rows = ld.select(f"""SELECT ?o ?value ?qualifier ?statedAs ?upper ?unit ?note ?sourceLabel WHERE {{
  VALUES ?o {{ {values} }}
  OPTIONAL {{ ?o sdmx-measure:obsValue ?value }} OPTIONAL {{ ?o nkd:qualifier ?qualifier }}
  OPTIONAL {{ ?o nkd:statedAs ?statedAs }} OPTIONAL {{ ?o nkd:upperBound ?upper }}
  OPTIONAL {{ ?o sdmx-attribute:unitMeasure/rdfs:label ?unit }}
  OPTIONAL {{ ?o rdfs:comment ?note }} OPTIONAL {{ ?o nkd:source/rdfs:label ?sourceLabel }}
}}""")
    own_notes = [n.value for n in view.objects(subject, RDFS + "comment")]
    out = []
    for other in others:
        mine = [r for r in rows if r["o"] == other]
        row = mine[0] if mine else {}
        figure = None
        if "value" in row or "statedAs" in row:
            try:
                figure = figure_words(row["value"].value if "value" in row else None,
                                      row["qualifier"].value if "qualifier" in row else None,
                                      stated_as=row["statedAs"].value if "statedAs" in row else None,
                                      upper_bound=row["upper"].value if "upper" in row else None)
            except ArithmeticError:  # a malformed number in the data: shown as it is written
                figure = row["value"].value
            figure = with_unit(figure, row["unit"].value if "unit" in row else None)
        reasons = [("on this figure", note) for note in own_notes]
        reasons += [("on the other figure", note) for note in dict.fromkeys(r["note"].value for r in mine if "note" in r)]
        out.append(Conflict(view.value(other), figure, row["sourceLabel"].value if "sourceLabel" in row else None,
                            reasons))
    return out


def _order(predicate: str, base: str) -> int:
    nkd = f"{base}ontology#"
    key = "nkd:" + predicate[len(nkd):] if predicate.startswith(nkd) else predicate
    keys = list(WORDING)
    return keys.index(key) if key in keys else len(keys)


def _label(view: Triples, predicate: Term, base: str) -> str:
    found = wording(predicate.value, base)
    if found is not None and found.label:
        return found.label
    labelled = view.first(predicate, *LABELS)
    return labelled.value if labelled is not None else view.curie(predicate.value)


def _groups(view: Triples, subject: Term, base: str, skip: set[str], title: str) -> list[Group]:
    grouped: dict[str, list[Row]] = {name: [] for name in GROUPS}
    for prop in view.properties(subject, skip=tuple(skip)):
        predicate = prop.predicate.term
        found = wording(predicate.value, base)
        group = found.group if found is not None else "Other"
        values = [_display(view, v.term) if v.term.kind == "literal" else v for v in prop.values
                  if not (v.term.kind == "literal" and v.term.value == title)]  # the page's title, again
        if not values:
            continue
        grouped[group].append(Row(_label(view, predicate, base), predicate.value, values))
    for rows in grouped.values():
        rows.sort(key=lambda row: (_order(row.iri, base), row.label))
    return [Group(name, rows) for name, rows in grouped.items() if rows]


def _incoming(view: Triples, subject: Term, base: str) -> list[Row]:
    rows = []
    for prop in view.incoming(subject):
        predicate = prop.predicate.term
        if predicate.value == OA + "hasBody":
            continue  # the quotes, shown as such
        phrase = inverse_phrase(predicate.value, _label(view, predicate, base), base)
        rows.append(Row(phrase, predicate.value, prop.values))
    rows.sort(key=lambda row: (_order(row.iri, base), row.label))
    return rows


__all__ = ["Conflict", "EntityView", "Group", "Headline", "QuoteView", "Row", "entity_view"]
