"""Linked Data over the shipped graph (ontology/, graph/, shapes/), through a real server."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
import rdflib
import requests

from conftest import ROOT, isomorphic, shipped_graph as shipped
from nkd.namespaces import BASE

SKOS_DEFINITION = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#definition")


def select(server, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT asked of the server's endpoint, as plain strings."""
    response = requests.get(server.url + "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def count(server, where: str) -> int:
    """COUNT(*) of a pattern on the server's endpoint."""
    return int(select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def test_ontology_iri_gives_the_shipped_ontology(server):
    response = requests.get(server.url + "/ontology", headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/ontology.ttl"
    served = rdflib.Graph().parse(data=response.content, format="turtle")
    assert isomorphic(served, shipped("ontology"))


def test_ontology_page_documents_every_class_and_property_with_its_definition(server):
    page = requests.get(server.url + "/ontology", headers={"Accept": "text/html"}, timeout=60).text
    ontology = shipped("ontology")
    namespace = BASE + "ontology#"
    kinds = (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
    terms = {t for kind in kinds for t in ontology.subjects(rdflib.RDF.type, kind) if str(t).startswith(namespace)}
    assert terms, "the shipped ontology declares no classes or properties"
    for term in terms:
        anchor = str(term)[len(namespace):]
        section = re.search(rf'<article class="term" id="{re.escape(anchor)}">(.*?)</article>', page, re.DOTALL)
        assert section, f"{term} is not documented"
        text = html.unescape(section.group(1))
        label = ontology.value(term, rdflib.RDFS.label)
        assert label is None or str(label) in text, f"{term} lacks its label"
        definition = ontology.value(term, SKOS_DEFINITION) or ontology.value(term, rdflib.RDFS.comment)
        assert definition is None or str(definition) in text, f"{term} lacks its definition"


def test_every_entity_iri_of_the_shipped_graph_dereferences(server, client):
    entities = [row["s"] for row in select(
        server, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}')]
    assert len(entities) > 300
    # Each through the app in process: the views a server runs, without HTTP for every entity.
    for iri in entities:
        response = client.get("/" + iri[len(BASE):], headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        subjects = {quad.subject for quad in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}
        assert ox.NamedNode(iri) in subjects, iri


def test_void_and_landing_counts_equal_sparql_counts_on_the_shipped_graph(server):
    void = rdflib.Graph().parse(data=requests.get(server.url + "/.well-known/void.ttl", timeout=60).content,
                                format="turtle")
    dataset = rdflib.URIRef(BASE)
    ns = rdflib.Namespace("http://rdfs.org/ns/void#")
    triples = count(server, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert int(void.value(dataset, ns.triples)) == triples
    assert int(void.value(dataset, ns.classes)) == len(select(server, "SELECT DISTINCT ?c WHERE { ?s a ?c }"))
    page = requests.get(server.url + "/", headers={"Accept": "text/html"}, timeout=60).text
    counts = {k: int(v.replace(",", "")) for k, v in re.findall(r'<dd id="count-(\w+)">([\d,]+)</dd>', page)}
    assert counts["triples"] == triples
    assert counts["observations"] == count(
        server, "SELECT DISTINCT ?o WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }")
    assert counts["events"] == count(server, "SELECT DISTINCT ?e WHERE { ?e a ?c . ?c "
                                             "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                                             f"<{BASE}ontology#Event> }}")


def test_hedged_observations_of_the_shipped_graph_are_marked_on_their_charts(server):
    rows = select(server, f"""PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT ?ds (COUNT(DISTINCT ?o) AS ?hedged) WHERE {{
  ?o qb:dataSet ?ds ; <{BASE}ontology#qualifier> ?q FILTER(?q != <{BASE}ontology#Exact>)
}} GROUP BY ?ds""")
    for row in rows:
        page = requests.get(server.url + "/" + row["ds"][len(BASE):], headers={"Accept": "text/html"},
                            timeout=60).text
        table = re.search(r'<table class="observations">.*?</table>', page, re.DOTALL).group(0)
        assert table.count('<tr class="hedged') == int(row["hedged"]), row["ds"]
        rows = re.findall(r'<tr class="hedged.*?</tr>', table, re.DOTALL)
        placed = sum("not on a chart" not in row for row in rows)
        marks = (page.count('class="point hedged"') + page.count('class="bar hedged')
                 + page.count('class="single-figure hedged"'))
        assert marks >= placed, row["ds"]


def test_landing_page_offers_the_first_example_queries(server):
    page = html.unescape(requests.get(server.url + "/", headers={"Accept": "text/html"}, timeout=60).text)
    for path in sorted((ROOT / "graph" / "queries").glob("*.rq"))[:6]:
        title = re.search(r"^#\s*title:\s*(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert title and title.group(1).strip() in page, path.name


@pytest.mark.browser
def test_chart_titles_fit_inside_their_chart_regression_unit_states(server, browser):
    # The titles were wrapped at 90 characters, wider than the chart: "· United States"
    # was clipped at the chart's edge and read "· Unit" / "States".
    datasets = [row["d"] for row in select(server, "SELECT DISTINCT ?d WHERE { ?o <http://purl.org/linked-data/cube#dataSet> ?d }")]
    assert datasets
    page = browser.new_page(java_script_enabled=False)
    try:
        checked = 0
        for dataset in datasets:
            page.goto(server.url + "/" + dataset[len(BASE):])
            for chart in page.locator("figure.chart svg.chart").all():
                outer = chart.bounding_box()
                for line in chart.locator("text.chart-title tspan").all():
                    box = line.bounding_box()
                    assert box["x"] >= outer["x"] and box["x"] + box["width"] <= outer["x"] + outer["width"], \
                        (dataset, line.text_content())
                    checked += 1
        assert checked >= len(datasets)
    finally:
        page.close()
