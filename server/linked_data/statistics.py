"""The figures of a statistical dataset (``qb:DataSet``): its observations as a page shows
them, with period, value, unit, hedge, words, sources, quotes, conflicts and series."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..figures import figure_words, format_number, is_hedged
from ..source_texts import passage_href
from ..sparql import Term
from ..timeline import date_span, date_words
from .paths import link
from .query_terms import iri_ref
from .view import Value, row_value

if TYPE_CHECKING:
    from .service import LinkedData


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


def datasets(ld: "LinkedData") -> list[Value]:
    """Every ``qb:DataSet`` with its label."""
    rows = ld.select("""SELECT ?d (SAMPLE(?l) AS ?label) WHERE {
  ?d a qb:DataSet OPTIONAL { ?d rdfs:label ?l } } GROUP BY ?d ORDER BY ?label""")
    return [row_value(ld.base, r, "d", "label") for r in rows]


def observations(ld: "LinkedData", dataset_iri: str) -> list[Observation]:
    """The observations of a ``qb:DataSet`` with period, value, unit, qualifier, sources and quotes."""
    ds = iri_ref(dataset_iri)
    max_rows = ld.settings.max_html_rows * 4
    rows = ld.select(f"""SELECT ?obs ?label ?value ?statedAs ?upper ?period ?periodLabel ?begin ?end ?unit
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
}}""", max_rows)
    evidence = ld.select(f"""SELECT ?obs ?source ?sourceLabel ?exact ?copy WHERE {{
  ?obs qb:dataSet {ds} .
  {{ ?obs prov:wasDerivedFrom ?source }}
  UNION {{ ?ann oa:hasBody ?obs ; oa:hasTarget ?t . ?t oa:hasSource ?source
           OPTIONAL {{ ?t oa:hasSelector/oa:exact ?exact }} }}
  OPTIONAL {{ ?source rdfs:label ?sourceLabel }}
  OPTIONAL {{ ?source nkd:textCopy ?copy }}
}}""", max_rows)
    conflicts = ld.select(f"""SELECT ?obs ?other ?otherLabel WHERE {{
  ?obs qb:dataSet {ds} ; nkd:conflictsWith ?other . OPTIONAL {{ ?other rdfs:label ?otherLabel }}
}}""", max_rows)
    # The dataset's dimensions other than time, source and the words tell its series apart
    # (what is counted, of whom, where): one chart per series.
    dimensions = ld.select(f"""SELECT ?obs ?order ?value (SAMPLE(?l) AS ?label) WHERE {{
  {ds} qb:structure/qb:component ?component . ?component qb:dimension ?dim .
  OPTIONAL {{ ?component qb:order ?order }}
  FILTER(?dim NOT IN (sdmx-dimension:refPeriod, prov:wasDerivedFrom, nkd:source, nkd:statedAs))
  ?obs qb:dataSet {ds} ; ?dim ?value . OPTIONAL {{ ?value rdfs:label ?l }}
}} GROUP BY ?obs ?order ?dim ?value ORDER BY ?obs ?order ?dim""", max_rows * 2)
    return observations_of(rows, evidence, conflicts, dimensions, ld.base)


def observations_of(rows: list[dict[str, Term]], evidence: list[dict[str, Term]],
                    conflicts: list[dict[str, Term]], dimensions: list[dict[str, Term]],
                    base: str) -> list[Observation]:
    """Observations from the rows of the four queries of :func:`observations`, in time order."""
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
            iri=iri, href=link(base, iri),
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
