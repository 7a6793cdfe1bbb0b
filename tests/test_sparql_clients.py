"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
import xml.dom.minidom

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import isomorphic

RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
NKD = Namespace("https://w3id.org/nkd/ontology#")
ID = "https://w3id.org/nkd/id/"
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label WHERE { ?country a <https://w3id.org/nkd/ontology#Country> ;
  rdfs:label ?label } ORDER BY ?label"""
COUNTRIES = ["China", "South Korea", "Vietnam"]
CONSTRUCT = "CONSTRUCT WHERE { ?s a <https://w3id.org/nkd/ontology#Country> ; ?p ?o }"


def wrapper(server, fmt, method="GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_json(endpoint_server, method):
    client = wrapper(endpoint_server, JSON, method)
    client.setQuery(LABELS)
    result = client.queryAndConvert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == COUNTRIES
    assert result["results"]["bindings"][0]["label"]["xml:lang"] == "en"


def test_sparqlwrapper_xml(endpoint_server):
    client = wrapper(endpoint_server, XML)
    client.setQuery(LABELS)
    document = client.queryAndConvert()
    assert isinstance(document, xml.dom.minidom.Document)
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == COUNTRIES


@pytest.mark.parametrize("fmt, delimiter, column", [(CSV, ",", "label"), (TSV, "\t", "?label")])
def test_sparqlwrapper_csv_tsv(endpoint_server, fmt, delimiter, column):
    client = wrapper(endpoint_server, fmt)
    client.setQuery(LABELS)
    text = client.queryAndConvert().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_MINIMAL
                               if fmt == CSV else csv.QUOTE_NONE))
    labels = [row[column] for row in rows]
    assert labels == (COUNTRIES if fmt == CSV else [f'"{c}"@en' for c in COUNTRIES])


def test_sparqlwrapper_ask(endpoint_server):
    client = wrapper(endpoint_server, JSON)
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_sparqlwrapper_construct(endpoint_server, fmt):
    reference = wrapper(endpoint_server, TURTLE)
    reference.setQuery(CONSTRUCT)
    expected = Graph().parse(data=reference.queryAndConvert(), format="turtle")
    assert len(expected) == 7
    client = wrapper(endpoint_server, fmt)
    client.setQuery(CONSTRUCT)
    converted = client.queryAndConvert()
    graph = converted if isinstance(converted, Graph) else \
        Graph().parse(data=converted, format={JSONLD: "json-ld", TURTLE: "turtle"}[fmt])
    assert isomorphic(graph, expected)


def test_sparqlwrapper_sees_a_bad_query_as_400(endpoint_server):
    client = wrapper(endpoint_server, JSON)
    client.setQuery("SELECT * WHERE { ?s ?p ?o ")
    with pytest.raises(QueryBadFormed) as caught:
        client.queryAndConvert()
    assert "line 1" in str(caught.value)


def test_rdflib_sparqlstore(endpoint_server):
    graph = Graph(store=SPARQLStore(endpoint_server.url + "/sparql"))
    labels = sorted(str(label) for _, label in graph.subject_objects(RDFS.label)
                    if isinstance(label, Literal) and label.language == "en")
    assert "Vietnam" in labels and "Ministry of Unification" in labels
    rows = list(graph.query(LABELS))
    assert [str(row.label) for row in rows] == COUNTRIES
    assert (URIRef(ID + "country/china"), RDFS.label, Literal("China", lang="en")) in graph
    assert graph.query("ASK { ?s a <https://w3id.org/nkd/ontology#Event> }").askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert len(constructed) == 7 and (URIRef(ID + "country/vietnam"), None, NKD.Country) in constructed


def test_rdflib_sparqlstore_by_post(endpoint_server):
    store = SPARQLStore(endpoint_server.url + "/sparql", method="POST")
    graph = Graph(store=store)
    assert [str(row.label) for row in graph.query(LABELS)] == COUNTRIES
