"""The graph audited by class of defect: each class of mistake found once in the graph is
pinned here for every fact it could affect (the ranges class: test_reasoning.py; the Data
Cube integrity constraints: test_datacube.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from graph_queries import ID, NKD, PREFIXES, ask, select
from nkd.figures import read_figure

MONTHS = ("January February March April May June July August September October November "
          "December").split()

FIGURES = PREFIXES + """
SELECT ?node ?words ?value ?qualifier ?upper ?proportion (GROUP_CONCAT(?exact; separator="\\u0000") AS ?quotes) WHERE {
  ?node nkd:statedAs ?words .
  OPTIONAL { VALUES ?p { sdmx-measure:obsValue nkd:memberCount nkd:age nkd:victimCount nkd:timesShot nkd:statedValue }
             ?node ?p ?value }
  OPTIONAL { ?node nkd:qualifier ?qualifier } OPTIONAL { ?node nkd:upperBound ?upper }
  OPTIONAL { ?node nkd:proportion ?proportion }
  OPTIONAL { ?a oa:hasBody ?node ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }
} GROUP BY ?node ?words ?value ?qualifier ?upper ?proportion"""


def local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def test_every_count_and_amount_keeps_its_words(store):
    """No silent values: each figure a source states has its words, or is derived."""
    rows = select(store, PREFIXES + """SELECT ?node ?p WHERE {
        VALUES ?p { sdmx-measure:obsValue nkd:memberCount nkd:age nkd:victimCount nkd:timesShot nkd:statedValue }
        ?node ?p ?value FILTER NOT EXISTS { ?node nkd:statedAs ?words } FILTER NOT EXISTS { ?node nkd:derivation ?d } }""")
    assert rows == []
    derived = select(store, PREFIXES + """SELECT ?node WHERE { ?node nkd:resolvedValue ?v
        FILTER NOT EXISTS { ?node nkd:derivation [ nkd:method ?m ; nkd:operands ?o ] } }""")
    assert derived == []


def test_one_observation_per_stated_figure_every_quote_states_its_words(store):
    """An observation is one statement of a figure: each of its quotes holds its words
    ("over 550" and "some 553" are two observations, not one with two quotes)."""
    rows = select(store, FIGURES)
    observations = {row["obs"] for row in select(store, PREFIXES + "SELECT ?obs WHERE { ?obs a qb:Observation }")}
    for row in rows:
        if row["node"] in observations:
            quotes = row["quotes"].split("\u0000")
            assert all(row["words"] in quote for quote in quotes), (row["node"], row["words"], quotes)


def test_no_number_a_text_does_not_give(store):
    """Every value reads from its own words; "the majority" has no number at all."""
    for row in select(store, FIGURES):
        figure = read_figure(row["words"])
        if figure.value is None:
            assert row["value"] is None and row["proportion"] == NKD + "Majority", row["node"]
            continue
        value = row["value"]
        assert value in (figure.value, -figure.value if figure.decrease else None), (row["node"], row["words"])
        assert row["upper"] == figure.upper, row["node"]
    assert not ask(store, PREFIXES + "ASK { ?o a qb:Observation ; sdmx-measure:obsValue 50 }")


def test_hedges_as_the_words_state_them(store):
    """One reading of each hedge, everywhere: "tripled" and "triple the rate" are both
    unhedged; "some", "about", "over", "less than", "just over"… each has its qualifier."""
    mismatched = []
    for row in select(store, FIGURES):
        figure = read_figure(row["words"])
        stated = local(row["proportion"]) or local(row["qualifier"]) or "Exact"
        if stated != figure.qualifier:
            mismatched.append((row["node"].removeprefix(ID), row["words"], stated))
    assert mismatched == []
    tripled = {local(row["qualifier"]) or "Exact" for row in select(store, FIGURES)
               if row["words"] in ("tripled", "triple")}
    assert tripled == {"Exact"}


def test_no_time_a_text_does_not_give(store):
    """A period or date is in the fact's quote, or a relative expression used by the fact
    resolves to it: a present-tense sentence ("is triple") or a perfect ("have settled")
    gets the time of writing only through an expression saying it was inferred."""
    rows = select(store, PREFIXES + """SELECT ?fact ?time ?label
            (GROUP_CONCAT(DISTINCT ?exact; separator="\\u0000") AS ?quotes)
            (GROUP_CONCAT(DISTINCT STR(?resolved); separator=" ") AS ?resolutions) WHERE {
        { ?fact a qb:Observation ; sdmx-dimension:refPeriod ?time } UNION { ?fact nkd:date|nkd:time ?time }
        OPTIONAL { ?time rdfs:label ?label }
        OPTIONAL { ?a oa:hasBody ?fact ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }
        OPTIONAL { ?e nkd:usedBy ?fact ; nkd:resolvedDate|nkd:resolvedTime ?resolved }
    } GROUP BY ?fact ?time ?label""")
    assert len(rows) > 60
    unsaid = []
    for row in rows:
        # "late July of 2019" says "late July 2019".
        quotes = re.sub(rf"({'|'.join(MONTHS).lower()}) of (\d{{4}})", r"\1 \2", (row["quotes"] or "").lower())
        resolved, time = (row["resolutions"] or "").split(), row["time"]
        if time.startswith(ID):
            said = bool(row["label"]) and row["label"].lower() in quotes
        elif len(time) == 4:
            said = time in quotes
        else:
            said = f"{MONTHS[int(time[5:7]) - 1]} {time[:4]}".lower() in quotes
        if not said and time not in resolved:
            unsaid.append((row["fact"].removeprefix(ID), time.removeprefix(ID)))
    assert unsaid == []
    # The present-tense ratio's period is the inferred time of writing, and says so.
    assert ask(store, PREFIXES + """ASK { ?e nkd:expression "is triple" ; nkd:usedBy ?o ;
        nkd:resolvedTime ?t ; nkd:resolutionStatus nkd:ResolvedApproximately . ?o sdmx-dimension:refPeriod ?t .
        ?src nkd:publicationTime ?t ; nkd:publicationTimeStatus nkd:InferredApproximate }""")


def test_relative_expressions_quote_the_words_they_resolve(store):
    rows = select(store, PREFIXES + """SELECT ?e ?words ?exact WHERE {
        ?e nkd:expression ?words . ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }""")
    assert len({row["e"] for row in rows}) >= 40
    assert [(row["e"].removeprefix(ID), row["words"]) for row in rows if row["words"] not in row["exact"]] == []
    # "last year" resolves to the year it means, never to the time of writing.
    years = select(store, PREFIXES + """SELECT ?words ?date ?time WHERE {
        ?e nkd:expression ?words . FILTER(CONTAINS(LCASE(?words), "last year"))
        OPTIONAL { ?e nkd:resolvedDate ?date } OPTIONAL { ?e nkd:resolvedTime ?time } }""")
    assert years and all(row["date"] in ("2019", "2023") and row["time"] is None for row in years)


def test_no_filler_dimension_values(store):
    """A budget line's change counts no population: its observations have none (their
    structure has no population dimension), rather than "North Korean defectors" as filler."""
    assert not ask(store, PREFIXES + "ASK { ?o nkd:variable/nkd:budgetLine ?line ; nkd:population ?p }")
    assert not ask(store, PREFIXES + """ASK { <https://w3id.org/nkd/id/dataset/budget-2018> qb:structure/qb:component/qb:dimension nkd:population }""")


def test_variables_are_a_code_list(store):
    assert ask(store, PREFIXES + "ASK { nkd:variable qb:codeList nkd:Variables . nkd:Variables a skos:ConceptScheme }")
    assert not ask(store, PREFIXES + "ASK { ?o nkd:variable ?v FILTER NOT EXISTS { ?v skos:inScheme nkd:Variables } }")


def test_derived_values_equal_their_derivation(store):
    """The numbers derived from "tripled", "a more than 90% decrease"… as the graph says."""
    rows = select(store, PREFIXES + """SELECT ?words ?value ?method WHERE {
        ?e nkd:expression ?words ; nkd:resolvedValue ?value ; nkd:derivation/nkd:method ?method }""")
    derived = {row["words"]: (row["value"], local(row["method"])) for row in rows}
    assert derived["tripled"] == (Decimal("65.3"), "Quotient")
    assert derived["a more than 90% decrease"] == (Decimal("93.98"), "PercentDecrease")
