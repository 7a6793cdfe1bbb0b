"""Browse pages, the instances of each class on /ontology, and the timeline, checked against the
graph (SPARQL straight on the store, not through the code under test). Flask's test client."""

from __future__ import annotations

import html
import re

import pytest

from graph_queries import PREFIXES, select
from nkd.browse import BROWSE_KINDS
from nkd.linked_data import Triples
from nkd.sparql import Term
from nkd.timeline import date_span, resolve
from nkd.namespaces import BASE

HTML = {"Accept": "text/html"}


def instances(store, classes: tuple[str, ...]) -> set[str]:
    """Every IRI that is an instance of one of ``classes`` or of a subclass, by SPARQL on the store."""
    values = " ".join(f"<{c}>" if ":" in c else f"nkd:{c}" for c in classes)
    rows = select(store, PREFIXES + f"""SELECT DISTINCT ?s WHERE {{
        VALUES ?root {{ {values} }} ?s a/rdfs:subClassOf* ?root FILTER(isIRI(?s)) }}""")
    return {row["s"] for row in rows}


def links(page: str) -> list[str]:
    return re.findall(r'<a href="(/id/[^"#]+)"', page)


@pytest.mark.parametrize("kind", BROWSE_KINDS, ids=lambda k: k.slug)
def test_each_browse_page_lists_every_item_of_its_kind_once_with_its_type_and_count(client, store, kind):
    expected = instances(store, kind.classes)
    assert expected, kind.slug  # the shipped graph has some of every kind
    page = client.get(f"/browse/{kind.slug}", headers=HTML).get_data(as_text=True)
    assert re.search(r'<span class="count" id="total">([\d,]+)</span>', page).group(1).replace(",", "") \
        == str(len(expected))
    items = re.findall(r'<li><a href="([^"]+)">.*?</a>\s*<span class="item-type">([^<]+)</span>', page, re.DOTALL)
    assert sorted(href for href, _ in items) == sorted(BASE_PATH(iri) for iri in expected)
    assert all(types.strip() for _, types in items)


def BASE_PATH(iri: str) -> str:  # noqa: N802 - reads as what it does
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def test_browse_index_and_landing_page_count_each_kind_and_link_every_list_and_the_timeline(client, store):
    index = client.get("/browse/", headers=HTML).get_data(as_text=True)
    landing = client.get("/", headers=HTML).get_data(as_text=True)
    for kind in BROWSE_KINDS:
        n = f"{len(instances(store, kind.classes)):,}"
        assert f'<span class="count" id="count-{kind.slug}">{n}</span>' in index
        assert f'href="/browse/{kind.slug}"' in landing
        assert f'<span class="count" id="landing-count-{kind.slug}">{n}</span>' in landing
    assert 'href="/timeline"' in landing and 'href="/about"' in landing


def test_browse_answers_bad_requests_with_a_hint(client):
    missing = client.get("/browse/unicorns", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "/browse/events" in missing.get_json()["hint"]
    bad = client.get("/browse/events?page=zero", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "page=1" in bad.get_json()["hint"]


def test_ontology_lists_the_instances_of_each_class(client, store):
    page = client.get("/ontology", headers=HTML).get_data(as_text=True)
    rows = select(store, PREFIXES + """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
        ?s a ?c FILTER(isIRI(?s) && STRSTARTS(STR(?c), STR(nkd:))) } GROUP BY ?c""")
    assert len(rows) > 20
    for row in rows:
        local = row["c"].split("#", 1)[1]
        term = re.search(rf'<article class="term" id="{local}">(.*?)</article>', page, re.DOTALL)
        assert term, local
        assert f'<span class="count">{row["n"]}</span>' in term.group(1), local
    person = re.search(r'<article class="term" id="Official">(.*?)</article>', page, re.DOTALL).group(1)
    assert 'href="/id/person/kim-jong-un"' in person


# --------------------------------------------------------------------------- the timeline


@pytest.fixture(scope="module")
def timeline_page(app):
    return html.unescape(app.test_client().get("/timeline", headers=HTML).get_data(as_text=True))


def test_every_event_is_on_the_timeline_once(timeline_page, store):
    events = instances(store, ("Event",))
    assert len(events) > 50
    shown = links(timeline_page)
    assert sorted(shown) == sorted(BASE_PATH(e) for e in events)
    assert f"All {len(events)} events" in timeline_page


def test_every_dated_event_is_on_the_axis_and_only_the_undated_are_listed_apart(timeline_page, store):
    dated = {r["e"] for r in select(store, PREFIXES + """SELECT DISTINCT ?e WHERE {
        ?e a/rdfs:subClassOf* nkd:Event { ?e nkd:date ?d } UNION { ?e nkd:time ?t } }""")}
    axis, undated = timeline_page.split('<section class="timeline-undated"', 1)
    assert {BASE_PATH(e) for e in dated} == set(links(axis))
    assert not {BASE_PATH(e) for e in dated} & set(links(undated))
    assert timeline_page.count('<svg class="strip"') == len(dated)  # one strip each, on one axis
    assert timeline_page.count('<svg class="strip axis"') == 1


def event_row(page: str, path: str) -> str:
    return re.search(rf'<li class="event">((?:(?!</li>).)*href="{re.escape(path)}".*?)</li>', page, re.DOTALL).group(1)


def test_timeline_keeps_each_events_real_precision(timeline_page):
    cases = {  # path: (the words, the precision, what the strip draws)
        "/id/event/2011-kim-jong-un-assumes-leadership": ("late 2011", "vague: part of a period", "extent vague"),
        "/id/event/2019-11-sailors-repatriation": ("November 2019", "month", "extent"),
        "/id/event/2023-defections": ("2023", "year", "extent"),
        "/id/event/2020-north-korea-border-closure": ("early 2020", "vague: part of a period", "extent vague"),
        "/id/event/2008-2019-unga-resolutions-sponsored": ("from 2008 to November 2019", "range, vague ends", "sure"),
        "/id/event/north-korea-policy-more-aggressive": ("since late 2011", "open: no end given", "open-end"),
    }
    for path, (words, precision, mark) in cases.items():
        row = event_row(timeline_page, path)
        assert f'<span class="when">{words} <small class="precision">({precision})</small>' in row, path
        assert f'class="{mark}' in row, path
    famine = event_row(timeline_page, "/id/event/mid-1990s-famine")
    assert "the mid-1990s" in famine
    assert '<h2 id="year-1990s">1990s</h2>' in timeline_page  # no made-up year for a vague decade


def test_timeline_colours_events_by_kind_with_a_legend(timeline_page):
    assert "Border measures" in timeline_page and "Returns and repatriations" in timeline_page
    row = event_row(timeline_page, "/id/event/2019-11-sailors-repatriation")
    assert 'fill="#b3261e"' in row and "Returns and repatriations" in row


def _view(turtle_triples: list[tuple[str, str, Term]]) -> Triples:
    return Triples([(Term("iri", s) if not s.startswith("_:") else Term("bnode", s[2:]), Term("iri", p), o)
                    for s, p, o in turtle_triples], BASE)


def test_resolve_reads_parts_ranges_and_open_ends_without_adding_precision():
    time = "http://www.w3.org/2006/time#"
    nkd = BASE + "ontology#"
    year = "http://www.w3.org/2001/XMLSchema#gYear"
    view = _view([
        (BASE + "t/2011", time + "hasDateTimeDescription", Term("bnode", "d")),
        ("_:d", time + "year", Term("literal", "2011", year)),
        (BASE + "t/late", time + "intervalDuring", Term("iri", BASE + "t/2011")),
        (BASE + "t/late", nkd + "periodPart", Term("iri", nkd + "Late")),
        (BASE + "t/since", nkd + "beginsWithin", Term("iri", BASE + "t/late")),
        (BASE + "t/range", time + "intervalStartedBy", Term("iri", BASE + "t/2011")),
        (BASE + "t/range", nkd + "endsWithin", Term("iri", BASE + "t/late")),
    ])
    late = resolve(Term("iri", BASE + "t/late"), view)
    assert (round(late.start, 3), late.end) == (2011.667, 2012.0) and late.vague and late.sure_end <= late.sure_start
    since = resolve(Term("iri", BASE + "t/since"), view)
    assert since.open_end and since.precision == "range" and since.sure_start == 2012.0
    whole = resolve(Term("iri", BASE + "t/range"), view)
    assert whole.start == 2011 and whole.sure_start == 2011 and round(whole.sure_end, 3) == 2011.667
    month = date_span(Term("literal", "2019-11", "http://www.w3.org/2001/XMLSchema#gYearMonth"))
    assert month.precision == "month" and round((month.end - month.start) * 12, 6) == 1
    assert resolve(Term("iri", BASE + "t/unknown"), view) is None
