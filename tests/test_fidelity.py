"""The graph says no more than the two documents: no order, date, identity or relation they do
not state. Each test pins a mistake an audit of the graph against the texts found, and is
named after it."""

from __future__ import annotations

import re

from graph_queries import ID, PREFIXES, ask, select
from nkd.data import sources_dir

# Lines of the blog post's page that state no fact: section headings and page furniture.
NOT_FACTS = {
    "North Korean Policy to Discourage Defections",
    "Conditions in the South for Defectors",
    "North-South Rapprochement and Impact on Seoul’s Attitude toward Defectors",
    "Print Friendly, PDF & Email",
    "Although […]",
    "Leave a Reply",
    "About The Peninsula",
    "For questions, comments, or to submit a post to The Peninsula, please contact us at",
}


def test_same_month_events_are_not_ordered_without_the_text(store):
    """'That same month, 11 North Korean refugees crossed into Vietnam' says November 2019,
    not that the crossing came after the sailors' repatriation."""
    assert not ask(store, PREFIXES + "ASK { ev:2019-11-vietnam-crossing nkd:follows ev:2019-11-sailors-repatriation }")
    assert ask(store, PREFIXES + 'ASK { ev:2019-11-vietnam-crossing nkd:date "2019-11"^^xsd:gYearMonth }')


def test_four_and_a_half_years_from_2015_do_not_start_on_new_years_day(store):
    """'the four-and-a-half years from 2015 to September 2019' start within 2015; an interval
    started by the whole year 2015 would last four years and nine months."""
    interval = "<https://w3id.org/nkd/id/time/2015-to-2019-09>"
    assert not ask(store, PREFIXES + f"ASK {{ {interval} time:intervalStartedBy ?start }}")
    assert ask(store, PREFIXES + f"ASK {{ {interval} nkd:beginsWithin/rdfs:label \"2015\"@en ; "
                                 f"time:intervalFinishedBy/rdfs:label \"September 2019\"@en ; "
                                 f"time:hasXSDDuration \"P4Y6M\"^^xsd:duration }}")


def test_sponsorship_to_november_2019_is_not_finished_by_that_month(store):
    """The South sponsored every resolution 'from 2008 to November 2019' but not November 2019's:
    the period ends within that month, it does not take in all of it."""
    interval = "<https://w3id.org/nkd/id/time/2008-to-2019-11>"
    assert not ask(store, PREFIXES + f"ASK {{ {interval} time:intervalFinishedBy ?end }}")
    assert ask(store, PREFIXES + f'ASK {{ {interval} nkd:endsWithin/rdfs:label "November 2019"@en }}')


def test_periods_that_begin_in_a_year_do_not_begin_on_its_first_day(store):
    """'since 2016' (the Moon government) and sponsoring resolutions 'from 2008' start some time
    in those years; time:intervalStartedBy a whole year would say 1 January."""
    for name, year in (("since-2016", "2016"), ("2008-to-2019-11", "2008")):
        interval = f"<https://w3id.org/nkd/id/time/{name}>"
        assert not ask(store, PREFIXES + f"ASK {{ {interval} time:intervalStartedBy ?start }}"), name
        assert ask(store, PREFIXES + f'ASK {{ {interval} nkd:beginsWithin/rdfs:label "{year}"@en }}'), name


def test_event_identifiers_carry_no_date_the_event_lacks(store):
    """A slug such as event/2019-11-… is a date claim: the event, an event it is part of, or an
    observation quantifying it must carry that date (undated disclosures, reactions and
    announcements had dated slugs)."""
    rows = select(store, PREFIXES + f"""
        SELECT ?event (GROUP_CONCAT(DISTINCT ?when; separator=" | ") AS ?dates) WHERE {{
          ?event a/rdfs:subClassOf* nkd:Event .
          FILTER(REGEX(STR(?event), "^{ID}event/[0-9]{{4}}-"))
          OPTIONAL {{
            {{ ?event nkd:subEventOf* ?dated . ?dated nkd:date ?date . BIND(STR(?date) AS ?when) }}
            UNION {{ ?event nkd:subEventOf* ?dated . ?dated nkd:time/rdfs:label ?when }}
            UNION {{ ?event nkd:quantifiedBy/sdmx-dimension:refPeriod ?period . BIND(STR(?period) AS ?when) }}
          }}
        }} GROUP BY ?event""")
    assert len(rows) > 20
    months = {f"{n:02d}": name for n, name in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"), start=1)}
    undated = []
    for row in rows:
        slug = row["event"].removeprefix(ID + "event/")
        year, month = re.match(r"(\d{4})(?:-(\d{2})-)?", slug).groups()
        dates = row["dates"] or ""
        wanted = [f"{year}-{month}", f"{months.get(month, '?')} {year}"] if month else [year]
        if not any(word in dates for word in wanted):
            undated.append(slug)
    assert undated == []


def test_divorced_husband_is_not_a_timeless_spouse(store):
    """'in 2018 she returned to China, where she divorced her husband': a schema:spouse with
    no time would make him her husband when she died. The events tell the marriage."""
    assert not ask(store, PREFIXES + "ASK { person:seoul-defector-found-dead-2019 <https://schema.org/spouse> ?someone }")
    assert ask(store, PREFIXES + """ASK { ?divorce a nkd:Divorce ;
        nkd:affected person:seoul-defector-found-dead-2019 , person:husband-of-seoul-defector }""")


def test_what_most_politically_active_refugees_do_is_not_said_of_all(store):
    """'Most of the politically active refugees in the South lean to the conservative side' is
    King's claim about most of them, not a leaning of the whole group."""
    group = "<https://w3id.org/nkd/id/group/politically-active-refugees>"
    assert not ask(store, PREFIXES + f"ASK {{ {group} nkd:politicalLeaning ?leaning }}")
    assert ask(store, PREFIXES + f'ASK {{ ?claim nkd:concerns {group} ; nkd:claimant person:robert-r-king ; '
                                 f'nkd:statement ?s FILTER(STRSTARTS(?s, "Most of the politically active refugees")) }}')


def test_dmz_shooting_says_who_shot(store):
    """'was shot five times by fellow soldiers': the shooters are part of the event."""
    rows = select(store, PREFIXES + "SELECT ?label WHERE { ev:2017-11-dmz-shooting nkd:performedBy/rdfs:label ?label }")
    assert [row["label"] for row in rows] and all("fellow soldiers" in row["label"] for row in rows)


def test_sailors_alleged_crimes_are_placed_where_the_text_places_them(store):
    """'crimes they were alleged to have committed in the North': place stated, date not."""
    assert ask(store, PREFIXES + """ASK { ?killing nkd:victimCount 16 ; nkd:certainty nkd:Alleged ;
        nkd:place place:north-korea FILTER NOT EXISTS { ?killing nkd:date|nkd:time ?when } }""")


def test_every_sentence_of_both_documents_is_quoted(store):
    """Completeness: each sentence that states something has at least half of its words inside
    some annotation quote of its document (the sentence 'Reports of police brutality are
    likely to be found more believable…' had none)."""
    rows = select(store, PREFIXES + """SELECT ?copy ?exact WHERE {
        ?annotation oa:hasTarget [ oa:hasSource ?source ; oa:hasSelector/oa:exact ?exact ] .
        ?source nkd:textCopy ?copy }""")
    unquoted = []
    for path in sorted(sources_dir().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        covered = bytearray(len(text))
        for row in rows:
            if not row["copy"].endswith("/" + path.name):
                continue
            start = text.find(row["exact"])
            while start >= 0:
                covered[start:start + len(row["exact"])] = b"\x01" * len(row["exact"])
                start = text.find(row["exact"], start + 1)
        for sentence in re.finditer(r"[^\n.!?]+[.!?”]*", text):
            words = sentence.group().strip()
            if len(words) < 4 or words in NOT_FACTS:
                continue
            share = sum(covered[sentence.start():sentence.end()]) / (sentence.end() - sentence.start())
            if share < 0.5:
                unquoted.append(words)
    assert unquoted == []


def test_since_the_famine_is_resolved_as_a_relative_period(store):
    """'Since the devastating famine in North Korea in the mid-1990s some 35,000': 'since' runs to
    the time of writing, which the graph infers; that resolution is recorded like the others."""
    assert ask(store, PREFIXES + """ASK { ?e nkd:inSource src:number-of-defectors-declines ;
        nkd:anchor ev:mid-1990s-famine ; nkd:usedBy obs:arrivals-since-mid-1990s-blog ;
        nkd:resolvedTime/rdfs:label ?period ; nkd:resolutionStatus nkd:ResolvedApproximately }""")


def test_decline_claim_says_since_the_tightening_not_since_the_peak(store):
    """000: 'peaked in 2009 but has seen a decline since Kim Jong-un tightened border controls':
    the decline runs from the tightening, not from the 2009 peak."""
    rows = select(store, PREFIXES + """SELECT ?s WHERE {
        ?claim nkd:concerns ev:kim-jong-un-tightens-border-controls ; nkd:statement ?s }""")
    assert rows and all("declined since Kim Jong-un tightened" in row["s"] for row in rows)


def test_ontology_created_year_is_true(store):
    """The ontology said dcterms:created 2025; it was first written in 2026."""
    rows = select(store, PREFIXES + "SELECT ?year WHERE { <https://w3id.org/nkd/ontology> dcterms:created ?year }")
    assert [row["year"] for row in rows] == ["2026"]


def test_reader_responses_are_not_said_to_be_by_someone_else_or_part_of_the_post(store):
    """The pingbacks under the post name no author, so the ontology may not define them as
    written by someone other than King; and an excerpt of another text linking to the post
    is not part of the post (dcterms:isPartOf) but a comment on it (schema:parentItem)."""
    rows = select(store, PREFIXES + "SELECT ?d WHERE { nkd:ReaderResponse skos:definition ?d }")
    assert rows and not any("someone other than" in row["d"] for row in rows)
    assert not ask(store, PREFIXES + "ASK { nkd:responseTo rdfs:subPropertyOf dcterms:isPartOf }")
    assert ask(store, PREFIXES + "ASK { nkd:responseTo rdfs:subPropertyOf <https://schema.org/parentItem> . "
                                 "nkd:ReaderResponse rdfs:subClassOf <https://schema.org/Comment> }")


def test_may_2019_release_efforts_are_not_placed_in_china(store):
    """'the South Korean government devoted effort and energy to securing the release of seven
    defectors who ... were being held in China': China is where they were held, not where
    Seoul's effort took place, which the post does not say."""
    assert not ask(store, PREFIXES + "ASK { ?e a nkd:DiplomaticEffort ; nkd:affected cohort:seven-defectors-held-in-china-2019 ; nkd:place ?where }")
    assert ask(store, PREFIXES + "ASK { ?e a nkd:Detention ; nkd:affected cohort:seven-defectors-held-in-china-2019 ; nkd:place place:china }")
