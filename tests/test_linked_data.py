"""Linked Data through a real `nkd serve` on loopback, over the fixture graph in tests/fixtures.

The fixture (ld-ontology.ttl, ld-graph.ttl, ld-shapes.ttl) is shaped like the data
contract: labels, provenance annotations, Data Cube observations with gYear periods and
qualifiers, and a pair of conflicting observations.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import rdflib
import requests

from conftest import FIXTURES, ROOT, isomorphic, start_server
from nkd.namespaces import BASE

EVENT = "id/event/2019-11-sailors-repatriation"
HEDGED_OBS = "id/obs/total-since-1950s-news"
OTHER_OBS = "id/obs/total-since-1990s-king"
ANNUAL = "id/dataset/annual-arrivals"
CUMULATIVE = "id/dataset/cumulative-arrivals"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}
FIXTURE_FILES = ("ld-ontology.ttl", "ld-graph.ttl", "ld-shapes.ttl")


@pytest.fixture(scope="module")
def ld(tmp_path_factory):
    """A real server over the Linked Data fixture graph."""
    args = []
    for name in FIXTURE_FILES:
        args += ["--data", str((FIXTURES / name).relative_to(ROOT))]
    running = start_server(tmp_path_factory.mktemp("ld"), *args)
    yield running
    running.stop()


def parse(response: requests.Response, public_id: str | None = None) -> rdflib.Graph:
    """The RDF body of a response, parsed by rdflib in the format its Content-Type names."""
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    graph = rdflib.Graph()
    graph.parse(data=response.content, format=RDFLIB_FORMATS[media_type], publicID=public_id)
    return graph


def sparql_count(server, where: str) -> int:
    """COUNT(*) of a pattern, asked of the server's own SPARQL endpoint."""
    response = requests.get(server.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def construct(server, query: str) -> rdflib.Graph:
    """A CONSTRUCT sent to the server's SPARQL endpoint, parsed as N-Triples."""
    response = requests.post(server.url + "/sparql", data={"query": query},
                             headers={"Accept": "application/n-triples"}, timeout=30)
    response.raise_for_status()
    return parse(response)


# --------------------------------------------------------------------------- dereferencing


@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.1", "application/rdf+xml"),
    ("*/*", "text/turtle"),
    (None, "text/turtle"),
    ("text/html", "text/html"),
    (BROWSER_ACCEPT, "text/html"),
])
def test_entity_iri_answers_by_content_negotiation(ld, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(f"{ld.url}/{EVENT}", headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    extension = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
                 "application/rdf+xml": "rdf", "text/html": "html"}[media_type]
    assert response.headers["Content-Location"] == f"/{EVENT}.{extension}"
    if media_type == "text/html":
        assert "Repatriation of two North Korean sailors, November 2019" in response.text
    else:
        graph = parse(response)
        label = graph.value(rdflib.URIRef(BASE + EVENT), rdflib.RDFS.label)
        assert str(label) == "Repatriation of two North Korean sailors, November 2019"


@pytest.mark.parametrize("suffix, media_type", [
    ("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
    ("rdf", "application/rdf+xml"), ("html", "text/html"),
])
def test_suffix_selects_the_format_whatever_the_accept_header(ld, suffix, media_type):
    accept = "text/turtle" if suffix == "html" else BROWSER_ACCEPT
    response = requests.get(f"{ld.url}/{EVENT}.{suffix}", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Content-Location" not in response.headers
    assert "Accept" in response.headers["Vary"]
    if media_type != "text/html":
        assert (rdflib.URIRef(BASE + EVENT), rdflib.RDF.type, None) in parse(response)


def test_unsatisfiable_accept_gets_406_listing_what_is_offered(ld):
    response = requests.get(f"{ld.url}/{EVENT}", headers={"Accept": "image/png"}, timeout=30)
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"].split(", ")
    for media_type in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html"):
        assert media_type in response.text


def test_iri_not_in_the_graph_gets_404_with_a_search_box_for_browsers(ld):
    page = requests.get(f"{ld.url}/id/event/no-such-event", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert re.search(r'<form[^>]*action="/search"', page.text)
    plain = requests.get(f"{ld.url}/id/event/no-such-event", headers={"Accept": "text/turtle"}, timeout=30)
    assert plain.status_code == 404
    assert "not in the graph" in plain.text
    assert "Traceback" not in plain.text


def test_search_finds_labels_and_treats_the_text_as_data(ld):
    found = requests.get(f"{ld.url}/search", params={"q": "SAILORS"}, timeout=30)
    assert found.status_code == 200
    assert f'href="/{EVENT}"' in found.text
    hostile = requests.get(f"{ld.url}/search", params={"q": '") } } SERVICE <http://127.0.0.1:9/> { ?s ?p "'},
                           timeout=30)
    assert hostile.status_code == 200
    assert "Nothing matches" in hostile.text


def test_rdflib_following_conneg_gets_the_same_triples_as_the_describe_query(ld):
    from nkd.linked_data import describe_query

    fetched = rdflib.Graph().parse(f"{ld.url}/{EVENT}")
    expected = construct(ld, describe_query(BASE + EVENT, BASE))
    assert len(fetched) > 0
    assert isomorphic(fetched, expected)


def test_description_holds_links_labels_incoming_links_and_provenance(ld):
    graph = parse(requests.get(f"{ld.url}/{EVENT}.ttl", timeout=30))
    event = rdflib.URIRef(BASE + EVENT)
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    gov = rdflib.URIRef(BASE + "id/gov/south-korea")
    source = rdflib.URIRef(BASE + "id/source/king-2020-defectors-decline")
    annotation = rdflib.URIRef(BASE + "id/annotation/2019-11-sailors-repatriation")
    assert str(graph.value(gov, rdflib.RDFS.label)) == "Government of South Korea"  # label of a linked thing
    assert (annotation, oa.hasBody, event) in graph  # a triple pointing at it
    assert str(graph.value(source, rdflib.RDFS.label)) == "Number of North Korean Defectors Declines"
    quotes = {str(q) for q in graph.objects(None, oa.exact)}
    assert quotes == {"the Seoul government expelled and returned to Pyongyang two North Korean sailors"}
    copy = graph.value(source, rdflib.URIRef("https://w3id.org/nkd/ontology#textCopy"))
    assert str(copy) == "https://w3id.org/nkd/sources/001_147da7631101f1fd.txt"


def test_entity_page_shows_properties_incoming_links_and_quoted_words(ld):
    page = requests.get(f"{ld.url}/{EVENT}", headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
    assert "<h1>Repatriation of two North Korean sailors, November 2019</h1>" in page
    assert 'href="/id/gov/south-korea"' in page and "Government of South Korea" in page
    assert "the Seoul government expelled and returned to Pyongyang two North Korean sailors" in page
    assert 'href="/sources/001_147da7631101f1fd.txt"' in page
    assert 'href="/id/annotation/2019-11-sailors-repatriation"' in page  # incoming link
    for suffix in ("ttl", "nt", "jsonld", "rdf"):
        assert f'href="/{EVENT}.{suffix}"' in page


def test_conflicting_figures_are_marked_and_link_to_each_other(ld):
    for this, other in ((HEDGED_OBS, OTHER_OBS), (OTHER_OBS, HEDGED_OBS)):
        page = requests.get(f"{ld.url}/{this}", headers={"Accept": "text/html"}, timeout=30).text
        aside = re.search(r'<aside class="conflict".*?</aside>', page, re.DOTALL)
        assert aside, f"{this} is not marked as conflicting"
        assert f'href="/{other}"' in aside.group(0)


def test_named_graph_iri_dereferences_to_its_triples(ld):
    response = requests.get(f"{ld.url}/data/ld-shapes", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    expected = rdflib.Graph().parse(FIXTURES / "ld-shapes.ttl")
    assert isomorphic(parse(response), expected)


# --------------------------------------------------------------------------- ontology and shapes


def test_ontology_document_is_the_whole_ontology_in_every_format(ld):
    expected = rdflib.Graph().parse(FIXTURES / "ld-ontology.ttl")
    for accept in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"):
        response = requests.get(f"{ld.url}/ontology", headers={"Accept": accept}, timeout=30)
        assert response.status_code == 200
        assert "Accept" in response.headers["Vary"]
        assert isomorphic(parse(response), expected), accept


def test_ontology_page_documents_every_class_and_property(ld):
    page = requests.get(f"{ld.url}/ontology", headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
    ontology = rdflib.Graph().parse(FIXTURES / "ld-ontology.ttl")
    terms = {s for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
             for s in ontology.subjects(rdflib.RDF.type, kind)}
    assert terms
    for term in terms:
        anchor = str(term).split("#", 1)[1]
        section = re.search(rf'<article class="term" id="{anchor}">(.*?)</article>', page, re.DOTALL)
        assert section, f"no documentation for {term}"
        definition = ontology.value(term, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#definition"))
        assert str(definition).replace('"', "&#34;") in section.group(1)
    involves = re.search(r'<article class="term" id="involves">(.*?)</article>', page, re.DOTALL).group(1)
    assert "rdfs:domain" in involves and 'href="/ontology#Event"' in involves  # domain, linked in-page
    assert "foaf:Agent" in involves  # range
    assert "sem:hasActor" in involves  # alignment
    event = re.search(r'<article class="term" id="Event">(.*?)</article>', page, re.DOTALL).group(1)
    assert "schema:Event" in event and "sem:Event" in event


def test_shapes_document_and_page(ld):
    expected = rdflib.Graph().parse(FIXTURES / "ld-shapes.ttl")
    response = requests.get(f"{ld.url}/shapes.ttl", timeout=30)
    assert isomorphic(parse(response), expected)
    page = requests.get(f"{ld.url}/shapes", headers={"Accept": "text/html"}, timeout=30).text
    assert 'id="EventShape"' in page
    assert "Every event says which source states it." in page


# --------------------------------------------------------------------------- VoID


def test_void_numbers_equal_sparql_counts(ld):
    response = requests.get(f"{ld.url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    assert "Accept" in response.headers["Vary"]
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    graph = parse(response)
    dataset = rdflib.URIRef(BASE)
    assert (dataset, rdflib.RDF.type, void.Dataset) in graph
    assert int(graph.value(dataset, void.triples)) == sparql_count(ld, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert int(graph.value(dataset, void.entities)) == sparql_count(
        ld, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}')
    partitions = {graph.value(p, void["class"]): int(graph.value(p, void.entities))
                  for p in graph.objects(dataset, void.classPartition)}
    qb_observation = rdflib.URIRef("http://purl.org/linked-data/cube#Observation")
    assert partitions[qb_observation] == sparql_count(
        ld, "SELECT DISTINCT ?o WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }") == 7
    properties = {graph.value(p, void.property): int(graph.value(p, void.triples))
                  for p in graph.objects(dataset, void.propertyPartition)}
    assert properties[rdflib.RDFS.label] == sparql_count(
        ld, "SELECT DISTINCT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }")
    assert graph.value(dataset, void.sparqlEndpoint) == rdflib.URIRef(BASE + "sparql")
    assert rdflib.URIRef("http://purl.org/linked-data/cube#") in set(graph.objects(dataset, void.vocabulary))
    sources = set(graph.objects(dataset, rdflib.DCTERMS.source))
    assert sources == {rdflib.URIRef(BASE + "id/source/news-2024-defections"),
                       rdflib.URIRef(BASE + "id/source/king-2020-defectors-decline")}
    assert graph.value(dataset, rdflib.DCTERMS.license) is not None
    assert graph.value(dataset, rdflib.DCTERMS.title) is not None
    dumps = set(graph.objects(dataset, void.dataDump))
    assert len(dumps) >= 5
    for dump in dumps:  # every advertised dump answers on this server
        assert requests.head(ld.url + "/" + str(dump)[len(BASE):], timeout=30).status_code == 200


def test_landing_page_is_for_people_and_the_dataset_iri_gives_rdf_clients_the_void(ld):
    page = requests.get(ld.url + "/", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 200 and "Accept" in page.headers["Vary"]
    counts = dict(re.findall(r'<dd id="count-(\w+)">([\d,]+)</dd>', page.text))
    assert int(counts["triples"].replace(",", "")) == sparql_count(ld, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert int(counts["observations"].replace(",", "")) == 7
    assert int(counts["events"].replace(",", "")) == 1
    for link in ("/sparql", "/ontology", "/shapes", "/.well-known/void", "/dumps/nkd.ttl", f"/{ANNUAL}"):
        assert f'href="{link}"' in page.text, link
    assert "Number of North Korean Defectors Declines" in page.text  # where the data comes from
    rdf = requests.get(ld.url + "/", headers={"Accept": "text/turtle"}, timeout=30)
    assert rdf.headers["Content-Location"] == "/.well-known/void.ttl"
    void = requests.get(ld.url + "/.well-known/void.ttl", timeout=30)
    assert isomorphic(parse(rdf), parse(void))


# --------------------------------------------------------------------------- statistics


def test_dataset_page_draws_the_series_as_svg_beside_the_table(ld):
    page = requests.get(f"{ld.url}/{ANNUAL}", headers={"Accept": "text/html"}, timeout=30).text
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL).group(0)
    assert 'class="axis-label"' in svg and ">Year</text>" in svg and ">Persons</text>" in svg
    assert svg.count('class="point exact"') == 5
    for value in ("2914", "1047", "63", "196"):
        assert f'data-value="{value}"' in svg
    table = re.search(r'<table class="observations">.*?</table>', page, re.DOTALL).group(0)
    quoted = re.sub(r"<(?!/?q>)[^>]+>", "", table).replace("<q>", "“").replace("</q>", "”")
    assert "“a peak of 2,914 in 2009”" in quoted
    assert 'href="/sources/001_147da7631101f1fd#q-' in table  # each quote leads to its passage


def test_a_hedged_single_figure_is_shown_in_its_words_not_as_a_one_dot_chart(ld):
    page = requests.get(f"{ld.url}/{CUMULATIVE}", headers={"Accept": "text/html"}, timeout=30).text
    assert "<svg" not in re.search(r'<section class="statistics".*?</section>', page, re.DOTALL).group(0)
    card = re.search(r'<li class="single-figure hedged">.*?</li>', page, re.DOTALL)
    assert card and "some 33,523" in card.group(0) and f'href="/{OTHER_OBS}"' in card.group(0)
    assert "≈" not in page  # the hedge is in words, not a sign to decode
    # The figure with no placeable period is in the table, said to be off the charts.
    assert "31,000" in page and "not on a chart" in page


# --------------------------------------------------------------------------- dumps


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld", "rdf"])
def test_triple_dumps_hold_every_triple_once(ld, suffix):
    response = requests.get(f"{ld.url}/dumps/nkd.{suffix}", timeout=60)
    assert response.status_code == 200
    assert len(parse(response)) == sparql_count(ld, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("suffix, rdflib_format", [("nq", "nquads"), ("trig", "trig")])
def test_quad_dumps_keep_the_named_graphs(ld, suffix, rdflib_format):
    response = requests.get(f"{ld.url}/dumps/nkd.{suffix}", timeout=60)
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format=rdflib_format)
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert graphs == {f"{BASE}data/{Path(name).stem}" for name in FIXTURE_FILES}
    shapes = dataset.graph(rdflib.URIRef(f"{BASE}data/ld-shapes"))
    assert isomorphic(shapes, rdflib.Graph().parse(FIXTURES / "ld-shapes.ttl"))


def test_dump_conditional_get_answers_304(ld):
    url = f"{ld.url}/dumps/nkd.nt"
    first = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=60)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "Accept" in first.headers["Vary"]
    # Ask several times: with two workers, each must agree on the validators.
    for _ in range(4):
        again = requests.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "identity"}, timeout=60)
        assert again.status_code == 304 and again.content == b""
        since = requests.get(url, headers={"If-Modified-Since": modified, "Accept-Encoding": "identity"}, timeout=60)
        assert since.status_code == 304
    changed = requests.get(url, headers={"If-None-Match": 'W/"something-else"', "Accept-Encoding": "identity"},
                           timeout=60)
    assert changed.status_code == 200
    assert isomorphic(parse(changed), parse(first))  # blank node labels differ between workers


def test_dump_is_gzipped_only_for_clients_that_ask(ld):
    url = f"{ld.url}/dumps/nkd.ttl"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=60)
    assert "Content-Encoding" not in plain.headers
    zipped = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60)
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert isomorphic(rdflib.Graph().parse(data=gzip.decompress(raw), format="turtle"), parse(plain))
    # One weak tag for both codings: each revalidates the other (RFC 9110 §8.8.3).
    assert zipped.headers["ETag"] == plain.headers["ETag"] and zipped.headers["ETag"].startswith('W/"')
    for coding, tag in (("gzip", plain.headers["ETag"]), ("identity", zipped.headers["ETag"])):
        revalidated = requests.get(url, headers={"Accept-Encoding": coding, "If-None-Match": tag}, timeout=60)
        assert revalidated.status_code == 304 and revalidated.content == b""


def test_dump_negotiates_without_a_suffix(ld):
    response = requests.get(f"{ld.url}/dumps/nkd", headers={"Accept": "application/n-quads"}, timeout=60)
    assert response.headers["Content-Type"].startswith("application/n-quads")
    assert response.headers["Content-Location"] == "/dumps/nkd.nq"


# --------------------------------------------------------------------------- source texts


def test_source_texts_are_served_verbatim_as_utf8_text(ld):
    name = "000_76ada298a9581b2c.txt"
    response = requests.get(f"{ld.url}/sources/{name}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == (ROOT / "graph" / "sources" / name).read_bytes()
    for bad in ("..%2Fpyproject.toml", "missing.txt", "%2E%2E"):
        assert requests.get(f"{ld.url}/sources/{bad}", timeout=30).status_code == 404


# --------------------------------------------------------------------------- in a browser

@pytest.mark.browser
def test_pages_in_headless_chromium_landing_to_dataset_chart_to_entity(ld, browser, tmp_path):
    page = browser.new_page(java_script_enabled=False)  # everything must work without it
    try:
        page.goto(ld.url + "/")
        assert page.locator("h1").inner_text().startswith("nkd")
        assert page.locator("#count-observations").inner_text() == "7"

        page.get_by_role("link", name="North Korean defectors who have reached South Korea in all").click()
        page.wait_for_url(f"**/{CUMULATIVE}")
        assert "some 33,523" in page.locator("li.single-figure.hedged .figure-words").all_inner_texts()

        page.goto(f"{ld.url}/{ANNUAL}")
        chart = page.locator("figure.chart svg.chart")
        assert chart.count() == 1 and chart.is_visible()
        assert chart.locator("text.axis-label").all_text_contents() == ["Persons", "Year"]
        assert chart.locator("g.point.exact").count() == 5
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 200
        shot = tmp_path / "dataset.png"
        page.screenshot(path=str(shot), full_page=True)
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000

        page.goto(f"{ld.url}/{CUMULATIVE}")
        page.locator("table.observations td.num a", has_text="33,523").click()
        page.wait_for_url(f"**/{OTHER_OBS}")
        assert "33,523" in page.locator("h1").inner_text()
        assert page.locator("aside.conflict").is_visible()
        page.locator("aside.conflict a").click()  # the conflicting figure links back
        page.wait_for_url(f"**/{HEDGED_OBS}")
        assert page.locator("blockquote").inner_text() == \
            "Since the 1950s, an estimated 31,000 North Koreans have defected to South Korea"

        page.get_by_role("link", name="Ontology").first.click()
        page.wait_for_url("**/ontology")
        assert page.locator("article.term#Event .definition").is_visible()
    finally:
        page.close()


def test_every_linked_data_answer_varies_on_accept(ld):
    for path in ("/", "/dumps/", "/search?q=x", "/sources/000_76ada298a9581b2c.txt", "/id/nothing-here",
                 "/ontology.ttl", "/dumps/nkd.nt"):
        response = requests.get(ld.url + path, timeout=60)
        assert "Accept" in response.headers.get("Vary", ""), path
