"""Every fact is anchored in the exact words of its source: each oa:exact occurs verbatim in
the text of the source its annotation targets, and every observation, event, claim,
position and relative expression has a source and a quote from it."""

from __future__ import annotations

import unicodedata

import pytest

from graph_queries import ID, PREFIXES, ask, select
from nkd.data import sources_dir

TEXT_COPY_BASE = "https://w3id.org/nkd/sources/"
NBSP = "\u00a0"

ANNOTATIONS = PREFIXES + """
SELECT ?annotation ?source ?copy ?exact WHERE {
  ?annotation a oa:Annotation ; oa:hasTarget ?target .
  ?target a oa:SpecificResource ; oa:hasSource ?source ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?source nkd:textCopy ?copy }
}"""

# The kinds of fact that must cite a source and carry a quote.
FACT_CLASSES = ("qb:Observation", "nkd:Event", "nkd:Claim", "nkd:Position", "nkd:RelativeExpression")


def source_text(copy_iri: str) -> str:
    """The verbatim text published at a source's text-copy IRI, read from graph/sources/."""
    assert copy_iri.startswith(TEXT_COPY_BASE), copy_iri
    return (sources_dir() / copy_iri.removeprefix(TEXT_COPY_BASE)).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quotes(store):
    """Every annotation with its target source, text-copy IRI and exact quote."""
    return select(store, ANNOTATIONS)


def test_every_quote_occurs_verbatim_in_its_source_text(quotes):
    assert len(quotes) > 200
    missing = [(row["annotation"], row["exact"]) for row in quotes
               if row["copy"] is None or row["exact"] not in source_text(row["copy"])]
    assert missing == []


def test_every_annotation_has_a_body_and_a_well_formed_target(store):
    assert not ask(store, PREFIXES + "ASK { ?a a oa:Annotation FILTER NOT EXISTS { ?a oa:hasBody ?b } }")
    # (Counted rather than asked with a nested FILTER NOT EXISTS, which pyoxigraph plans badly.)
    well_formed = select(store, PREFIXES + """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
        ?a a oa:Annotation ; oa:hasTarget ?target .
        ?target a oa:SpecificResource ; oa:hasSource ?source ; oa:hasSelector ?selector .
        ?source a/rdfs:subClassOf* nkd:Source .
        ?selector a oa:TextQuoteSelector ; oa:exact ?exact }""")
    every = select(store, PREFIXES + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a oa:Annotation }")
    assert well_formed == every


def test_quotes_are_not_trivially_short(quotes):
    """A quote must pin its fact down: at least two words or a figure."""
    assert [row["exact"] for row in quotes if len(row["exact"].split()) < 2] == []


@pytest.mark.parametrize("fact_class", FACT_CLASSES)
def test_every_fact_has_a_source_and_a_quote_from_that_source(store, fact_class):
    unsourced = select(store, PREFIXES + f"""
        SELECT ?fact WHERE {{
          ?fact a/rdfs:subClassOf* {fact_class} .
          FILTER NOT EXISTS {{ ?fact prov:wasDerivedFrom ?source . ?source a/rdfs:subClassOf* nkd:Source }}
        }}""")
    assert unsourced == []
    unquoted = select(store, PREFIXES + f"""
        SELECT ?fact WHERE {{
          ?fact a/rdfs:subClassOf* {fact_class} .
          FILTER NOT EXISTS {{ ?annotation oa:hasBody ?fact ; oa:hasTarget/oa:hasSource ?source .
                               ?fact prov:wasDerivedFrom ?source }}
        }}""")
    assert unquoted == []


def test_each_source_cited_by_a_multi_source_fact_has_its_own_quote(store):
    """A fact derived from both documents quotes both."""
    rows = select(store, PREFIXES + """
        SELECT ?fact ?source WHERE {
          ?fact prov:wasDerivedFrom ?source . ?source a/rdfs:subClassOf* nkd:Source .
          ?annotation oa:hasBody ?fact .
          FILTER NOT EXISTS { ?other oa:hasBody ?fact ; oa:hasTarget/oa:hasSource ?source }
        }""")
    assert rows == []


def test_every_source_has_a_text_copy_in_the_repository(store):
    rows = select(store, PREFIXES + "SELECT ?source ?copy WHERE { ?source a/rdfs:subClassOf* nkd:Source . "
                                    "OPTIONAL { ?source nkd:textCopy ?copy } }")
    assert rows and all(row["copy"] for row in rows)
    for row in rows:
        assert source_text(row["copy"])
    described = {row["copy"].removeprefix(TEXT_COPY_BASE) for row in rows}
    assert described == {path.name for path in sources_dir().glob("*.txt")}


def test_relative_expression_words_occur_in_their_own_quote(store):
    rows = select(store, PREFIXES + """
        SELECT ?expression ?words (GROUP_CONCAT(?exact; separator="\\u0000") AS ?quotes) WHERE {
          ?expression nkd:expression ?words . ?annotation oa:hasBody ?expression ;
                      oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        } GROUP BY ?expression ?words""")
    assert len(rows) >= 35
    assert [row["expression"] for row in rows if row["words"] not in row["quotes"]] == []


def test_nbsp_policy_quotes_keep_no_break_spaces_verbatim_and_visible(quotes):
    """The blog post separates many sentences with U+00A0. Quotes are verbatim substrings,
    NBSP included, and the Turtle writes it as the escape \\u00A0 so that a reader sees it:
    no raw no-break space may hide in a data file."""
    assert any(NBSP in row["exact"] for row in quotes), "the returnee's words span NBSPs"
    for path in sorted((sources_dir().parent).glob("*.ttl")):
        assert NBSP not in path.read_text(encoding="utf-8"), path.name
    assert all(unicodedata.is_normalized("NFC", row["exact"]) for row in quotes)


def test_source_texts_are_utf8_and_the_blog_post_has_its_no_break_spaces():
    texts = {path.name: path.read_text(encoding="utf-8") for path in sources_dir().glob("*.txt")}
    assert len(texts) == 2
    assert texts["001_147da7631101f1fd.txt"].count(NBSP) == 72
    assert NBSP not in texts["000_76ada298a9581b2c.txt"]


def test_observation_values_appear_in_their_quote(store):
    """Each observation's figure is written in one of its quotes (1,047 as '1,047', 0 as 'no')."""
    rows = select(store, PREFIXES + """
        SELECT ?obs ?value (GROUP_CONCAT(?exact; separator=" | ") AS ?quotes) WHERE {
          ?obs a qb:Observation ; sdmx-measure:obsValue ?value .
          ?annotation oa:hasBody ?obs ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        } GROUP BY ?obs ?value""")
    words_for = {0: ["no "], 3: ["3 ", "triple"], 12: ["12", "dozen"], 100: ["all"], 1000: ["thousand"]}
    missing = []
    for row in rows:
        value = abs(row["value"])
        spelled = f"{value:,}" if value == value.to_integral() else str(value)
        candidates = [spelled.replace(".0", "") if spelled.endswith(".0") else spelled, *words_for.get(int(value), [])]
        if not any(candidate in row["quotes"] for candidate in candidates):
            missing.append((row["obs"].removeprefix(ID), row["value"]))
    assert missing == []
