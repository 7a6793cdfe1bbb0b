"""The same HTTP interface over every back end: in memory, an on-disk store, an external store.

Each back end is a real `nkd serve` on loopback holding the same two fixture files:
parsed into memory, built with `nkd load --store`, or pushed with `nkd push` into a real
Oxigraph server that `nkd serve --endpoint` fronts. Every test here runs against all
three, and answers are compared with what the in-process embedded engine says.
"""

from __future__ import annotations

import io
from typing import Iterator

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from conftest import FIXTURES, Server, run_nkd, start_oxigraph, start_server

FILES = [FIXTURES / "prod-actors.ttl", FIXTURES / "prod-events.ttl"]
BASE = "https://w3id.org/nkd/"
ACTORS_GRAPH = BASE + "data/prod-actors"
EVENTS_GRAPH = BASE + "data/prod-events"
TIMEOUT_S = 3
MAX_RESULT_BYTES = 50_000
# Runs until stopped: a cartesian product of every triple with itself six times.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"""


@pytest.fixture(scope="module", params=["memory", "store", "endpoint"])
def backend(request, tmp_path_factory) -> Iterator[Server]:
    """A running `nkd serve` over the fixture files, one per back end."""
    tmp = tmp_path_factory.mktemp(request.param)
    common = ["--workers", "1", "--threads", "4", "--timeout", str(TIMEOUT_S),
              "--max-result-bytes", str(MAX_RESULT_BYTES)]
    files = [str(path) for path in FILES]
    oxigraph = None
    if request.param == "memory":
        server = start_server(tmp, *common, *files)
    elif request.param == "store":
        built = run_nkd("load", "--store", str(tmp / "store"), *files)
        assert built.returncode == 0, built.stderr
        server = start_server(tmp, *common, "--store", str(tmp / "store"))
    else:
        # Oxigraph's own limit, above ours, stops the runaway query there too.
        oxigraph = start_oxigraph(tmp, timeout_s=TIMEOUT_S + 2)
        pushed = run_nkd("push", "--to", oxigraph.store_url, *files)
        assert pushed.returncode == 0, pushed.stderr
        server = start_server(tmp, *common, "--endpoint", oxigraph.query_url)
    server.backend = request.param
    yield server
    server.stop()
    if oxigraph is not None:
        oxigraph.stop()


@pytest.fixture(scope="module")
def reference():
    """The embedded engine, in process, over the same files: what every back end must answer."""
    from server.settings import load_settings
    from server.sparql import EmbeddedEngine
    from server.store import memory_store

    settings = load_settings(environ={})
    return EmbeddedEngine(memory_store(FILES, settings.public_base), settings)


def sparql(server: Server, query: str, accept: str = "application/sparql-results+json",
           method: str = "GET", **params) -> requests.Response:
    """Send a query with the SPARQL Protocol as a GET, a form POST or a direct POST."""
    url = server.url + "/sparql"
    headers = {"Accept": accept}
    if method == "GET":
        return requests.get(url, params={"query": query, **params}, headers=headers, timeout=60)
    if method == "form":
        return requests.post(url, data={"query": query, **params}, headers=headers, timeout=60)
    headers["Content-Type"] = "application/sparql-query"
    return requests.post(url, params=params, data=query.encode(), headers=headers, timeout=60)


def bindings(response: requests.Response) -> list[dict]:
    """The rows of a SPARQL JSON result, as comparable dicts (blank node labels blanked out)."""
    assert response.status_code == 200, response.text
    return _without_bnode_labels(response.json()["results"]["bindings"])


def _without_bnode_labels(rows: list[dict]) -> list[dict]:
    # Blank node labels are local to one result: each back end picks its own.
    return [{name: ({**term, "value": "_"} if term["type"] == "bnode" else term)
             for name, term in row.items()} for row in rows]


def reference_rows(reference, query: str) -> list[dict]:
    """What the embedded engine answers, in SPARQL JSON rows."""
    import json

    from server.negotiation import JSON as JSON_FORMAT
    from server.sparql import check_query

    body = reference.serialize(check_query(query, reference.settings), JSON_FORMAT)
    return _without_bnode_labels(json.loads(body)["results"]["bindings"])


def fixture_graph() -> rdflib.Graph:
    """Both fixture files merged: the union default graph."""
    graph = rdflib.Graph()
    for path in FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_select_answers_like_the_embedded_engine(backend, reference, method):
    rows = bindings(sparql(backend, LABELS, method=method))
    assert rows == reference_rows(reference, LABELS)
    assert len(rows) == 10


@pytest.mark.parametrize("accept, content_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_result_formats(backend, accept, content_type):
    response = sparql(backend, LABELS, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert "Test organisation one" in response.text
    assert response.headers["X-Query-Hash"]


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
])
def test_construct_is_the_union_of_the_files(backend, accept, rdflib_format):
    response = sparql(backend, "CONSTRUCT WHERE { ?s ?p ?o }", accept=accept)
    assert response.status_code == 200, response.text
    got = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(got, fixture_graph())


def test_ask(backend):
    response = sparql(backend, "ASK { ?s a <https://w3id.org/nkd/ontology#Event> }")
    assert response.json()["boolean"] is True


def test_default_graph_uri_picks_one_file(backend):
    rows = bindings(sparql(backend, LABELS, **{"default-graph-uri": ACTORS_GRAPH}))
    assert {row["s"]["value"].rsplit("/", 1)[1] for row in rows} == {f"actor-{i}" for i in range(1, 6)}


def test_named_graph_uri_limits_graph_patterns(backend):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert {row["g"]["value"] for row in bindings(sparql(backend, query))} == {ACTORS_GRAPH, EVENTS_GRAPH}
    rows = bindings(sparql(backend, query, **{"named-graph-uri": EVENTS_GRAPH}))
    assert [row["g"]["value"] for row in rows] == [EVENTS_GRAPH]


def test_sparqlwrapper_client(backend):
    client = SPARQLWrapper(backend.url + "/sparql")
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == 10
    client.setReturnFormat(XML)
    client.setMethod("POST")
    assert len(client.query().convert().getElementsByTagName("result")) == 10


def test_rdflib_sparqlstore_client(backend):
    graph = rdflib.Graph(store=SPARQLStore(backend.url + "/sparql"))
    labels = {str(row[1]) for row in graph.query(LABELS)}
    assert "테스트" in labels and "An unnamed place" in labels


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", 403),
    ("SELECT * WHERE " + "{" * 500 + "}" * 500, 400),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_001, 413),
])
def test_guards_hold(backend, query, status):
    response = sparql(backend, query, method="form")
    assert response.status_code == status, response.text
    assert response.json()["ok"] is False


def test_syntax_error_is_400_with_position(backend):
    response = sparql(backend, "SELECT * WHERE {\n  ?s ?p \n}", method="form")
    assert response.status_code == 400
    body = response.json()
    assert body["line"] == 3 and body["column"] >= 1, body
    assert "line 3" in body["error"]


def test_unacceptable_accept_is_406(backend):
    assert sparql(backend, LABELS, accept="image/png").status_code == 406


def test_result_larger_than_the_limit_is_413(backend):
    response = sparql(backend, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert response.status_code == 413, response.text[:300]
    assert f"{MAX_RESULT_BYTES:,}" in response.json()["error"]


def test_runaway_query_times_out_then_queries_work_again(backend):
    response = sparql(backend, RUNAWAY)
    # The embedded engine says the query ran too long; a store behind us did not answer in time.
    assert response.status_code == (504 if backend.backend == "endpoint" else 503), response.text
    assert response.json()["error"]
    assert len(bindings(sparql(backend, LABELS))) == 10
    assert requests.get(backend.url + "/healthz", timeout=30).status_code == 200


def test_csv_parses_back(backend, reference):
    import csv

    response = sparql(backend, LABELS, accept="text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["label"] for row in rows] == [row["label"]["value"] for row in reference_rows(reference, LABELS)]
