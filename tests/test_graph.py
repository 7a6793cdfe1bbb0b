"""The shipped ontology and graph: they parse, every entity and term is labelled and defined,
the Data Cube is well formed, relative expressions are resolved, no date is more precise
than its source, and the graph holds at least the facts the two documents state."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph_queries import ID, NKD, PREFIXES, ask, select
from nkd.data import turtle_files

DATA_FILES = turtle_files("ontology") + turtle_files("graph")

# Facts in the two documents, by kind, as counted sentence by sentence (README, "Modelling").
FACT_FLOORS = {
    "qb:Observation": 38,            # every statement of a figure
    "nkd:Event": 58,                 # events, trends and sub-events
    "nkd:Claim": 67,                 # attributed statements, the authors' own included
    "nkd:RelativeExpression": 43,    # "last year", "tripled", "six months later", "is triple"…
    "nkd:Position": 9,               # posts held, with status and time where stated
    "oa:Annotation": 225,            # verbatim quotes anchoring them
}
ACTOR_RELATION_FLOOR = 60  # sizes, ages, kinship, sub-organisations, jurisdictions, leanings, aliases


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_parses_with_rdflib_and_pyoxigraph(path: Path):
    graph = rdflib.Graph().parse(path, format="turtle")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(graph) == len(store) > 0


def test_store_holds_ontology_and_graph_in_named_graphs(store, settings):
    graphs = {graph.value for graph in store.named_graphs()}
    base = settings.public_base
    for path in DATA_FILES:
        assert f"{base}data/{path.parent.name}/{path.stem}" in graphs


# --------------------------------------------------------------------------- ontology

def test_ontology_metadata(store):
    assert ask(store, PREFIXES + """ASK {
        <https://w3id.org/nkd/ontology> a owl:Ontology ;
            dcterms:title ?title ; owl:versionIRI ?version ; dcterms:creator ?creator ;
            dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
        FILTER(LANG(?title) = "en") }""")


def test_every_ontology_term_has_an_english_label_and_a_definition(store):
    rows = select(store, PREFIXES + f"""
        SELECT ?term WHERE {{
          ?term a ?kind . FILTER(STRSTARTS(STR(?term), "{NKD}"))
          FILTER NOT EXISTS {{ ?term rdfs:label ?label . FILTER(LANG(?label) = "en") }}
        }}""")
    assert rows == []
    rows = select(store, PREFIXES + f"""
        SELECT ?term WHERE {{
          ?term a ?kind . FILTER(STRSTARTS(STR(?term), "{NKD}"))
          FILTER NOT EXISTS {{ ?term skos:definition ?definition }}
        }}""")
    assert rows == []


def test_every_nkd_term_the_graph_uses_is_declared(store):
    used = select(store, PREFIXES + f"""
        SELECT DISTINCT ?term WHERE {{
          {{ ?s ?term ?o }} UNION {{ ?s a ?term }} UNION {{ ?s ?p ?term }}
          FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{NKD}") && ?term != <{NKD}>)
          FILTER NOT EXISTS {{ ?term a ?kind }}
        }}""")
    assert used == []


def test_event_classes_and_alignments_are_explicit(store):
    for name in ("BorderClosure", "BorderEasing", "Repatriation", "PolicyShift", "BudgetChange", "Defection",
                 "EscapeAttempt", "Detention", "ElectionCandidacy", "ResolutionSponsorship", "Death", "Incident"):
        assert ask(store, PREFIXES + f"ASK {{ nkd:{name} rdfs:subClassOf+ nkd:Event }}"), name
    for triple in ("nkd:Event rdfs:subClassOf <http://semanticweb.cs.vu.nl/2009/11/sem/Event>",
                   "nkd:Event rdfs:subClassOf <https://schema.org/Event>",
                   "nkd:Actor rdfs:subClassOf prov:Agent", "nkd:Source rdfs:subClassOf prov:Entity",
                   "nkd:Position rdfs:subClassOf <http://www.w3.org/ns/org#Membership>",
                   "nkd:Person rdfs:subClassOf <http://xmlns.com/foaf/0.1/Person>",
                   "nkd:claimant rdfs:subPropertyOf prov:wasAttributedTo",
                   "nkd:time rdfs:subPropertyOf time:hasTime",
                   "nkd:source a qb:DimensionProperty", "nkd:qualifier a qb:AttributeProperty"):
        assert ask(store, PREFIXES + f"ASK {{ {triple} }}"), triple


# --------------------------------------------------------------------------- entities and identifiers

def test_every_entity_has_exactly_one_english_label(store):
    rows = select(store, PREFIXES + f"""
        SELECT ?entity (COUNT(DISTINCT ?label) AS ?n) WHERE {{
          ?entity a ?kind . FILTER(STRSTARTS(STR(?entity), "{ID}"))
          OPTIONAL {{ ?entity rdfs:label ?label . FILTER(LANG(?label) = "en") }}
        }} GROUP BY ?entity HAVING (COUNT(DISTINCT ?label) != 1)""")
    assert rows == []


def test_identifiers_are_readable_kind_slash_slug(store):
    rows = select(store, PREFIXES + f"""
        SELECT DISTINCT ?entity WHERE {{ ?entity ?p ?o . FILTER(STRSTARTS(STR(?entity), "{ID}")) }}""")
    bad = [row["entity"] for row in rows if not re.fullmatch(r"[a-z-]+/[a-z0-9]+(-[a-z0-9]+)*", row["entity"].removeprefix(ID))]
    assert bad == []


def test_no_date_more_precise_than_the_sources(store):
    """Neither document gives a day: no xsd:date or xsd:dateTime may appear (no invented day).

    graph/dataset.ttl is exempt: it dates the publication itself (its release), not the world.
    """
    assert not ask(store, PREFIXES + """ASK { GRAPH ?g { ?s ?p ?o }
        FILTER(?g != <https://w3id.org/nkd/data/graph/dataset>)
        FILTER(isLiteral(?o) && DATATYPE(?o) IN (xsd:date, xsd:dateTime)) }""")
    rows = select(store, PREFIXES + "SELECT DISTINCT ?type WHERE { ?e nkd:date ?d . BIND(DATATYPE(?d) AS ?type) }")
    assert {row["type"] for row in rows} <= {"http://www.w3.org/2001/XMLSchema#gYear",
                                             "http://www.w3.org/2001/XMLSchema#gYearMonth"}


def test_vague_times_are_intervals_marked_with_their_part(store):
    rows = select(store, PREFIXES + """SELECT ?label ?part ?within WHERE {
        ?t nkd:periodPart/rdfs:label ?part ; time:intervalDuring/rdfs:label ?within ; rdfs:label ?label }""")
    assert {(row["label"], row["part"], row["within"]) for row in rows} >= {
        ("late 2011", "late", "2011"), ("early 2020", "early", "2020"),
        ("late July 2019", "late", "July 2019"), ("the mid-1990s", "mid", "the 1990s")}


# --------------------------------------------------------------------------- sources

def test_sources_metadata_with_approximate_publication_dates(store):
    rows = select(store, PREFIXES + """SELECT ?source ?title ?year ?time ?basis WHERE {
        ?source a/rdfs:subClassOf* nkd:Source ; dcterms:title ?title ;
                nkd:approximatePublicationYear ?year ; nkd:publicationTime/rdfs:label ?time ;
                nkd:publicationTimeStatus nkd:InferredApproximate ;
                nkd:dateInference/nkd:basis ?basis }""")
    assert {(row["source"].removeprefix(ID), row["year"], row["time"]) for row in rows} == {
        ("source/sharp-increase-in-defections-2023", "2024", "early 2024"),
        ("source/number-of-defectors-declines", "2020", "early 2020")}
    assert not ask(store, PREFIXES + "ASK { ?s a/rdfs:subClassOf* nkd:Source ; dcterms:issued|dcterms:date ?d }")
    assert ask(store, PREFIXES + """ASK { src:number-of-defectors-declines dcterms:creator person:robert-r-king ;
        dcterms:publisher nkdorg:korea-economic-institute-of-america ; <https://schema.org/isPartOf> ?blog .
        ?blog rdfs:label "The Peninsula"@en }""")
    # The news article names no author or outlet.
    assert not ask(store, PREFIXES + "ASK { src:sharp-increase-in-defections-2023 dcterms:publisher ?p }")
    assert not ask(store, PREFIXES + "ASK { src:sharp-increase-in-defections-2023 dcterms:creator ?c . ?c a nkd:Person }")


# --------------------------------------------------------------------------- statistics

def test_every_observation_is_a_complete_data_cube_cell(store):
    """Period, area, variable, source (cited), the words; and a number with its unit and hedge,
    or, for a share stated only in words, a coded proportion and no number."""
    rows = select(store, PREFIXES + """SELECT ?obs WHERE { ?obs a qb:Observation .
        FILTER NOT EXISTS { ?obs qb:dataSet/qb:structure ?dsd ; sdmx-dimension:refPeriod ?period ;
            sdmx-dimension:refArea ?area ; nkd:variable ?variable ; nkd:statedAs ?words ;
            nkd:source ?source ; prov:wasDerivedFrom ?source .
            { ?obs sdmx-measure:obsValue ?value ; sdmx-attribute:unitMeasure ?unit ; nkd:qualifier ?qualifier .
              FILTER(isNumeric(?value)) FILTER NOT EXISTS { ?obs nkd:proportion ?p } }
            UNION { ?obs nkd:proportion ?proportion FILTER NOT EXISTS { ?obs sdmx-measure:obsValue ?v } } } }""")
    assert rows == []


def test_one_observation_per_stated_figure(store):
    """W3C Data Cube IC-12 with the words in the key: two sources giving one cell are two
    observations, and so are one source's two ways of stating it ("over 550", "some 553")."""
    assert not ask(store, PREFIXES + """ASK {
        ?a a qb:Observation ; qb:dataSet ?ds ; sdmx-dimension:refPeriod ?t ; sdmx-dimension:refArea ?r ;
           nkd:variable ?v ; nkd:source ?s ; nkd:statedAs ?w .
        ?b a qb:Observation ; qb:dataSet ?ds ; sdmx-dimension:refPeriod ?t ; sdmx-dimension:refArea ?r ;
           nkd:variable ?v ; nkd:source ?s ; nkd:statedAs ?w .
        OPTIONAL { ?a nkd:population ?pa } OPTIONAL { ?b nkd:population ?pb }
        FILTER(?a != ?b && COALESCE(?pa = ?pb, !BOUND(?pa) && !BOUND(?pb))) }""")
    rows = select(store, PREFIXES + """SELECT ?words ?qualifier WHERE {
        ?o nkd:variable var:additional-support-recipients ; nkd:statedAs ?words ; nkd:qualifier/rdfs:label ?qualifier }""")
    assert {(row["words"], row["qualifier"]) for row in rows} == {("over 550", "more than"), ("some 553", "some")}


def test_conflicts_and_corroborations_are_symmetric(store):
    for relation in ("nkd:conflictsWith", "nkd:corroborates"):
        assert ask(store, PREFIXES + f"ASK {{ ?a {relation} ?b }}")
        assert not ask(store, PREFIXES + f"ASK {{ ?a {relation} ?b FILTER NOT EXISTS {{ ?b {relation} ?a }} }}")


def test_a_source_that_contradicts_itself_keeps_both_figures_linked(store):
    """The blog post's 33,523 (mid-1990s to the end of 2019) and some 35,000 (since the
    mid-1990s, at the time of writing) cannot both be true: a conflict within one source."""
    assert ask(store, PREFIXES + """ASK {
        obs:resettled-mid-1990s-to-2019-blog nkd:conflictsWith obs:arrivals-since-mid-1990s-blog ;
            nkd:source ?s . obs:arrivals-since-mid-1990s-blog nkd:source ?s }""")
    assert ask(store, PREFIXES + """ASK { obs:support-recipients-over-550-blog nkd:corroborates
        obs:support-recipients-some-553-blog }""")


def test_every_hedged_figure_keeps_its_hedge(store):
    rows = select(store, PREFIXES + """SELECT ?label ?qualifier WHERE {
        ?obs a qb:Observation ; rdfs:label ?label ; nkd:qualifier/rdfs:label ?qualifier }""")
    by_words = {("an estimated 31,000", "estimated"), ("around 80%", "about"), ("just over 21%", "just over"),
                ("some 35,000", "some"), ("some 33,523", "some"), ("less than 3 percent", "less than"),
                ("less than 35,000", "less than"), ("a thousand or two", "range"), ("about a dozen", "about")}
    for words, qualifier in by_words:
        assert any(words in row["label"] and row["qualifier"] == qualifier for row in rows), words


# --------------------------------------------------------------------------- relative expressions

def test_relative_expressions_are_resolved_and_explained(store):
    rows = select(store, PREFIXES + """SELECT ?e ?status ?resolved WHERE {
        ?e a/rdfs:subClassOf* nkd:RelativeExpression ; nkd:resolutionStatus ?status ;
           nkd:expression ?words ; nkd:basis ?basis ; nkd:inSource ?source ; nkd:usedBy ?use .
        BIND(EXISTS { ?e nkd:resolvedDate|nkd:resolvedTime|nkd:resolvedValue|nkd:statedValue ?v } AS ?resolved) }""")
    expressions = {row["e"] for row in rows}
    everyone = select(store, PREFIXES + "SELECT ?e WHERE { ?e a/rdfs:subClassOf* nkd:RelativeExpression }")
    assert expressions == {row["e"] for row in everyone}
    assert all(row["resolved"] for row in rows if row["status"] != NKD + "Unresolved")


@pytest.mark.parametrize(("words", "source", "resolved"), [
    ("last year", "sharp-increase-in-defections-2023", "2023"),
    ("last year", "number-of-defectors-declines", "2019"),
    ("the previous year", "number-of-defectors-declines", "2018"),
    ("Six months later", "number-of-defectors-declines", "2019-11"),
    ("That same month", "number-of-defectors-declines", "2019-11"),
    ("the highest since 2017", "sharp-increase-in-defections-2023", "2017"),
])
def test_relative_time_resolves_against_its_own_document(store, words, source, resolved):
    rows = select(store, PREFIXES + f"""SELECT ?date WHERE {{
        ?e nkd:expression "{words}" ; nkd:inSource src:{source} ; nkd:resolvedDate ?date }}""")
    assert resolved in {row["date"] for row in rows}


def test_derived_values_live_on_expressions_never_on_observations(store):
    rows = select(store, PREFIXES + """SELECT ?words ?value WHERE {
        ?e nkd:expression ?words ; nkd:resolvedValue ?value }""")
    values = {row["words"]: row["value"] for row in rows}
    assert round(values["tripled"]) == 65
    assert round(values["a more than 90% decrease"]) == 94
    assert float(values["a consistent decline"]) == pytest.approx(64.07)


def test_source_publication_dates_rest_on_last_year(store):
    """Each source is dated from a "last year" it uses, resolved to the year it means (the
    year before publication), quoting words that contain it; not to the publication time."""
    rows = select(store, PREFIXES + """SELECT ?source ?year ?time WHERE {
        ?source nkd:dateInference ?e ; nkd:publicationTime/rdfs:label ?time .
        ?e nkd:expression ?words ; nkd:resolvedDate ?year ; nkd:usedBy ?source .
        FILTER(LCASE(?words) = "last year") }""")
    assert {(row["year"], row["time"]) for row in rows} == {("2023", "early 2024"), ("2019", "early 2020")}
    quotes = select(store, PREFIXES + """SELECT ?exact WHERE {
        ?source nkd:dateInference ?e . ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }""")
    assert quotes and all("last year" in row["exact"] for row in quotes)


# --------------------------------------------------------------------------- coverage

@pytest.mark.parametrize(("fact_class", "floor"), FACT_FLOORS.items())
def test_graph_holds_at_least_the_facts_the_documents_state(store, fact_class, floor):
    (row,) = select(store, PREFIXES + f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/rdfs:subClassOf* {fact_class} }}")
    assert row["n"] >= floor


def test_actor_relations_are_recorded(store):
    (row,) = select(store, PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE {
        VALUES ?p { nkd:memberCount nkd:age nkd:nationality nkd:jurisdiction nkd:memberOf nkd:politicalLeaning
                    nkd:occupation nkd:containedIn skos:altLabel <https://schema.org/spouse> <https://schema.org/parent>
                    <https://schema.org/children> <https://schema.org/gender> <http://www.w3.org/ns/org#subOrganizationOf>
                    <http://www.w3.org/ns/org#headOf> }
        ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "https://w3id.org/nkd/id/")) }""")
    assert row["n"] >= ACTOR_RELATION_FLOOR
