"""The SPARQL 1.1 Protocol at /sparql, through a real server on loopback, with requests.

Every result is parsed by a real parser: json, xml.etree, csv, rdflib for RDF.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from conftest import all_triples, isomorphic
from nkd.namespaces import BASE

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
ACTORS = BASE + "data/test/actors"
STATISTICS = BASE + "data/test/statistics"
TURTLE_FILE_GRAPH = BASE + "data/sparql-endpoint"

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label WHERE { ?country a <https://w3id.org/nkd/ontology#Country> ;
  rdfs:label ?label } ORDER BY ?label"""
COUNTRIES = ["China", "South Korea", "Vietnam"]
OBSERVATIONS = """PREFIX qb: <http://purl.org/linked-data/cube#>
CONSTRUCT { ?o ?p ?v } WHERE { ?o a qb:Observation ; ?p ?v }"""


def sparql(server, method="GET", accept=None, **params):
    """Send a query the way a protocol client does; return the response."""
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return requests.get(server.url + "/sparql", params=params, headers=headers, timeout=30)
    return requests.post(server.url + "/sparql", data=params, headers=headers, timeout=30)


def json_column(response, name):
    return [b[name]["value"] for b in response.json()["results"]["bindings"] if name in b]


# --------------------------------------------------------------------------- the three ways to ask


def test_get_form_post_and_direct_post_give_the_same_answer(endpoint_server):
    by_get = sparql(endpoint_server, query=LABELS)
    by_form = sparql(endpoint_server, "POST", query=LABELS)
    by_body = requests.post(endpoint_server.url + "/sparql", data=LABELS.encode(),
                            headers={"Content-Type": "application/sparql-query; charset=utf-8"}, timeout=30)
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/sparql-results+json")
        assert json_column(response, "label") == COUNTRIES


def test_head_answers_like_get_without_a_body(endpoint_server):
    get = requests.get(endpoint_server.url + "/sparql", params={"query": LABELS}, timeout=30)
    head = requests.head(endpoint_server.url + "/sparql", params={"query": LABELS}, timeout=30)
    assert head.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.content == b""


# --------------------------------------------------------------------------- formats


def _parse_results(fmt: str, body: bytes) -> list[str]:
    """The `label` column of a SELECT result, read by the real parser of each format."""
    text = body.decode("utf-8")
    if fmt == "json":
        return [b["label"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if fmt == "xml":
        root = ET.fromstring(body)
        return [b.find(f"{SRX}literal").text for b in root.iter(f"{SRX}binding") if b.get("name") == "label"]
    if fmt == "csv":
        return [row["label"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["?label"] for row in rows]  # TSV keeps RDF term syntax: "China"@en


@pytest.mark.parametrize("accept, fmt, media_type", [
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
    ("*/*", "json", "application/sparql-results+json"),
    (None, "json", "application/sparql-results+json"),
    ("text/*", "csv", "text/csv"),
    ("text/csv;q=0.5, text/tab-separated-values", "tsv", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.1, application/sparql-results+xml;q=0.9", "xml",
     "application/sparql-results+xml"),
    ("*/*, application/sparql-results+json;q=0", "xml", "application/sparql-results+xml"),
])
def test_select_results_follow_the_accept_header(endpoint_server, accept, fmt, media_type):
    response = sparql(endpoint_server, accept=accept, query=LABELS)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    labels = _parse_results(fmt, response.content)
    if fmt == "tsv":
        assert labels == [f'"{label}"@en' for label in COUNTRIES]
    else:
        assert labels == COUNTRIES


@pytest.mark.parametrize("fmt, media_type", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_format_parameter_overrides_accept(endpoint_server, fmt, media_type):
    accept = "text/csv" if fmt != "csv" else "application/sparql-results+json"  # asks for something else
    response = sparql(endpoint_server, accept=accept, query=LABELS, format=fmt)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert len(_parse_results(fmt, response.content)) == 3


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_results_format(endpoint_server, fmt):
    response = sparql(endpoint_server, query="ASK { ?s ?p ?o }", format=fmt)
    assert response.status_code == 200
    if fmt == "json":
        assert response.json()["boolean"] is True
    elif fmt == "xml":
        assert ET.fromstring(response.content).find(f"{SRX}boolean").text == "true"
    else:
        assert response.text.strip().splitlines()[-1] == "true"


@pytest.mark.parametrize("accept, rdflib_format, media_type", [
    ("text/turtle", "turtle", "text/turtle"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/ld+json", "json-ld", "application/ld+json"),
    ("application/rdf+xml", "xml", "application/rdf+xml"),
    ("text/turtle;q=0.2, application/rdf+xml", "xml", "application/rdf+xml"),
    ("*/*", "turtle", "text/turtle"),
])
def test_construct_results_follow_the_accept_header(endpoint_server, accept, rdflib_format, media_type):
    reference = Graph().parse(data=sparql(endpoint_server, accept="application/n-triples",
                                          query=OBSERVATIONS).text, format="nt")
    assert len(reference) == 21
    response = sparql(endpoint_server, accept=accept, query=OBSERVATIONS)
    assert response.status_code == 200
    # rdflib's Turtle parser reads N-Triples too: only the header tells them apart.
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(graph, reference)
    assert (URIRef(BASE + "id/observation/arrivals-2023"), RDFS.comment, None) in graph


@pytest.mark.parametrize("fmt, media_type", [("nquads", "application/n-quads"), ("trig", "application/trig")])
def test_construct_as_a_dataset_format(endpoint_server, fmt, media_type):
    reference = Graph().parse(data=sparql(endpoint_server, accept="application/n-triples",
                                          query=OBSERVATIONS).text, format="nt")
    response = sparql(endpoint_server, query=OBSERVATIONS, format=fmt)
    assert response.headers["Content-Type"].split(";")[0] == media_type
    dataset = Dataset().parse(data=response.content, format=fmt)
    assert len(dataset) == 21
    assert isomorphic(all_triples(dataset), reference)


def test_describe_returns_rdf(endpoint_server):
    response = sparql(endpoint_server, accept="text/turtle", query=f"DESCRIBE <{BASE}id/country/china>")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(BASE + "id/country/china"), RDFS.label, Literal("China", lang="en")) in graph


def test_unsatisfiable_accept_is_406_listing_what_is_offered(endpoint_server):
    response = requests.get(endpoint_server.url + "/sparql", params={"query": LABELS},
                            headers={"Accept": "image/png, application/json;q=0"}, timeout=30)
    assert response.status_code == 406
    assert "application/sparql-results+xml" in response.text and "text/csv" in response.text
    graph_query = requests.get(endpoint_server.url + "/sparql", params={"query": OBSERVATIONS},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert graph_query.status_code == 406
    assert "text/turtle" in graph_query.text


# --------------------------------------------------------------------------- status codes


def _error(response):
    """The JSON error body (requested with Accept: application/json)."""
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code
    assert body["hint"]
    return body


def test_missing_query_is_400(endpoint_server):
    for response in (
        requests.post(endpoint_server.url + "/sparql", data={"default-graph-uri": ACTORS},
                      headers={"Accept": "application/json"}, timeout=30),
        requests.get(endpoint_server.url + "/sparql", params={"default-graph-uri": ACTORS},
                     headers={"Accept": "application/json"}, timeout=30),
        requests.post(endpoint_server.url + "/sparql", data=b"",
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
                      timeout=30),
    ):
        assert response.status_code == 400
        assert "no query" in _error(response)["error"]


def test_repeated_query_is_400(endpoint_server):
    response = requests.get(endpoint_server.url + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
                            headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 400
    assert "2 times" in _error(response)["error"]


def test_syntax_error_is_400_naming_line_and_column(endpoint_server):
    text = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * WHERE {\n  ?s rdf:type ?o\n}"
    response = sparql(endpoint_server, accept="application/json", query=text)
    assert response.status_code == 400
    body = _error(response)
    assert (body["line"], body["column"]) == (3, 6)
    assert "rdf:" in body["error"] and "line 3, column 6" in body["error"]
    assert body["excerpt"].splitlines() == ["  ?s rdf:type ?o", "     ^"]


def test_syntax_error_as_text_for_curl(endpoint_server):
    response = sparql(endpoint_server, accept="*/*", query="SELECT * WHERE { ?s ?p ?o ")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "line 1, column 16" in response.text and "How to fix" in response.text


def test_wrong_content_type_is_415(endpoint_server):
    response = requests.post(endpoint_server.url + "/sparql", data=b"ASK {}",
                             headers={"Content-Type": "text/plain", "Accept": "application/json"}, timeout=30)
    assert response.status_code == 415
    assert "application/sparql-query" in _error(response)["hint"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(endpoint_server, method):
    response = requests.request(method, endpoint_server.url + "/sparql", data=b"ASK {}", timeout=30)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST", "HEAD", "OPTIONS"} <= allowed and method not in allowed


def test_query_longer_than_the_limit_is_413(endpoint_server, settings):
    limit = settings.max_query_bytes
    text = "ASK { ?s ?p ?o } #" + "x" * limit
    response = requests.post(endpoint_server.url + "/sparql", data=text.encode(),
                             headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
                             timeout=30)
    assert response.status_code == 413
    assert f"{limit:,}" in _error(response)["error"] and "max_query_bytes" in _error(response)["error"]


def test_request_body_larger_than_the_limit_is_413(endpoint_server):
    body = b"ASK {} #" + b"x" * 1_100_000
    response = requests.post(endpoint_server.url + "/sparql", data=body,
                             headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
                             timeout=30)
    assert response.status_code == 413
    assert _error(response)["title"] == "Too large"


# --------------------------------------------------------------------------- the dataset


def test_default_graph_is_the_union_of_the_named_graphs(endpoint_server):
    union = sparql(endpoint_server, query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    per_graph = sparql(endpoint_server, query="SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {b["g"]["value"]: int(b["n"]["value"]) for b in per_graph.json()["results"]["bindings"]}
    assert set(counts) == {ACTORS, STATISTICS, TURTLE_FILE_GRAPH}
    assert int(json_column(union, "n")[0]) == sum(counts.values()) == 36


def test_default_graph_uri_selects_a_local_graph(endpoint_server):
    response = sparql(endpoint_server, query=LABELS, **{"default-graph-uri": STATISTICS})
    assert json_column(response, "label") == []
    response = sparql(endpoint_server, "POST", query=LABELS, **{"default-graph-uri": ACTORS})
    assert json_column(response, "label") == COUNTRIES


def test_named_graph_uri_limits_graph_patterns(endpoint_server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = sparql(endpoint_server, query=query, **{"named-graph-uri": ACTORS})
    assert json_column(response, "g") == [ACTORS]


def test_from_and_from_named_select_local_graphs(endpoint_server):
    query = LABELS.replace("SELECT ?country ?label", f"SELECT ?country ?label FROM <{STATISTICS}>")
    assert json_column(sparql(endpoint_server, query=query), "label") == []
    query = f"SELECT DISTINCT ?g FROM NAMED <{STATISTICS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert json_column(sparql(endpoint_server, query=query), "g") == [STATISTICS]


def test_invalid_graph_iri_is_400(endpoint_server):
    response = sparql(endpoint_server, accept="application/json", query="ASK {}",
                      **{"default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "not a valid graph IRI" in _error(response)["error"]


# --------------------------------------------------------------------------- service description, CORS


@pytest.mark.parametrize("accept, rdflib_format, media_type", [
    ("text/turtle", "turtle", "text/turtle"), ("application/ld+json", "json-ld", "application/ld+json"),
    ("application/rdf+xml", "xml", "application/rdf+xml"), (None, "turtle", "text/turtle"),
])
def test_bare_get_returns_the_service_description(endpoint_server, accept, rdflib_format, media_type):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(endpoint_server.url + "/sparql", headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    endpoint = URIRef(endpoint_server.url + "/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(endpoint, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert (dataset, RDFS.seeAlso, URIRef(endpoint_server.url + "/.well-known/void")) in graph
    assert graph.value(dataset, SD.defaultGraph) is not None
    names = {str(graph.value(node, SD.name)) for node in graph.objects(dataset, SD.namedGraph)}
    assert names == {ACTORS, STATISTICS, TURTLE_FILE_GRAPH}
    comments = " ".join(str(c) for c in graph.objects(endpoint, RDFS.comment))
    assert "resolve against https://w3id.org/nkd/sparql" in comments


def test_relative_iris_resolve_against_the_endpoints_public_address(endpoint_server):
    response = sparql(endpoint_server, query="SELECT (<x> AS ?x) (<../y> AS ?y) (1 IN (2, <z>) AS ?in) {}")
    assert response.status_code == 200, response.text
    row = response.json()["results"]["bindings"][0]
    assert (row["x"]["value"], row["y"]["value"]) == ("https://w3id.org/nkd/x", "https://w3id.org/y")
    assert row["in"]["value"] == "false"
    based = sparql(endpoint_server, query="BASE <http://example.org/a/> SELECT (<x> AS ?x) {}")
    assert based.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/a/x"


def test_cors_allows_any_origin(endpoint_server):
    response = requests.get(endpoint_server.url + "/sparql", params={"query": "ASK {}"},
                            headers={"Origin": "https://yasgui.example"}, timeout=30)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = requests.get(endpoint_server.url + "/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html") and "Accept" in page.headers["Vary"]
    error = sparql(endpoint_server, query="SELECT")
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(endpoint_server):
    response = requests.options(endpoint_server.url + "/sparql", headers={
        "Origin": "https://yasgui.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept",
    }, timeout=30)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    headers = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= headers
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("query_string, media_type", [
    # SPARQLWrapper's spellings: repeated, with media types, comma-separated.
    ("format=rdf%2Bxml&format=application/rdf%2Bxml", "application/rdf+xml"),
    ("format=json-ld&format=application/ld%2Bjson%2Capplication/x-json%2Bld", "application/ld+json"),
    ("format=n-triples", "application/n-triples"),
    ("format=ttl", "text/turtle"),
    ("format=nonsense&format=turtle", "text/turtle"),
])
def test_format_parameter_spellings(endpoint_server, query_string, media_type):
    response = requests.get(f"{endpoint_server.url}/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D&"
                            + query_string, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_format_not_offered_for_the_query_form_is_406(endpoint_server):
    response = sparql(endpoint_server, accept="application/json", query="CONSTRUCT WHERE { ?s ?p ?o }", format="csv")
    assert response.status_code == 406
    assert "turtle" in response.json()["hint"]
