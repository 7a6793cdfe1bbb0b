"""Virtuoso 7 (Debian's virtuoso-opensource) as the store behind `nkd serve --endpoint`.

One Virtuoso for the session, with a database, ports and configuration of its own
(tests/fixtures/virtuoso.ini: a 10,000-row cap, a 5 s time limit), loaded by `nkd push`
through its Digest-protected Graph Store endpoint. Beside nkd's graphs it holds its own
system graphs and the other test data sets, which nkd must keep out of what it serves.
The endpoint and Linked Data tests also run over it, in tests/test_backends.py.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib
import requests

from conftest import FIXTURES, RUNAWAY, invoke_nkd, isomorphic, start_server, virtuoso_holding
from nkd.namespaces import BASE

pytestmark = pytest.mark.slow

LD_FILES = [FIXTURES / "ld-ontology.ttl", FIXTURES / "ld-graph.ttl", FIXTURES / "ld-shapes.ttl"]
# Twice the store's 10,000-row cap, from its own data.
PAIRS = "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 20000"
BLANK = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s)) } ORDER BY ?p LIMIT 20"
JSON_ACCEPT = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def shipped(virtuoso, tmp_path_factory):
    """`nkd serve --endpoint` over the shipped graph, pushed into the session's Virtuoso."""
    graphs = virtuoso_holding(virtuoso, [])
    server = start_server(tmp_path_factory.mktemp("virtuoso-shipped"), "--endpoint", virtuoso.query_url,
                          "--store-graphs", " ".join(graphs), "--workers", "1", "--timeout", "20")
    yield server
    server.stop()


def query(server, text: str, accept: str = "application/sparql-results+json", **params) -> requests.Response:
    """A GET query to nkd's /sparql."""
    return requests.get(server.url + "/sparql", params={"query": text, **params}, headers={"Accept": accept},
                        timeout=120)


def store_graph(virtuoso, name: str) -> rdflib.Graph:
    """One graph as Virtuoso holds it, read from its own endpoint."""
    answer = requests.post(virtuoso.query_url, data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> "
                                                              "{ ?s ?p ?o } }"},
                           headers={"Accept": "text/turtle"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return rdflib.Graph().parse(data=answer.text, format="turtle")


# --------------------------------------------------------------------------- nkd push


def test_push_answers_the_digest_challenge_and_loads_every_graph(virtuoso):
    graphs = virtuoso_holding(virtuoso, LD_FILES)
    for path, name in zip(LD_FILES, graphs):
        assert isomorphic(store_graph(virtuoso, name), rdflib.Graph().parse(path, format="turtle")), name


def test_push_keeps_escaped_names_whole(virtuoso):
    # ld-graph.ttl writes `id:source\/news-…`; Virtuoso's own Turtle parser kept the backslash.
    graphs = virtuoso_holding(virtuoso, LD_FILES)
    subjects = {str(s) for s in store_graph(virtuoso, graphs[1]).subjects()}
    assert BASE + "id/source/news-2024-defections" in subjects
    assert not any("\\" in subject for subject in subjects)


def test_push_to_the_anonymous_endpoint_shows_virtuosos_words_and_what_to_grant(virtuoso):
    failed = invoke_nkd("push", "--to", virtuoso.anonymous_gsp_url, str(FIXTURES / "prod-actors.ttl"))
    assert failed.returncode == 1
    assert "HTTP 403" in failed.stderr and "Permission denied" in failed.stderr
    assert "<!DOCTYPE" not in failed.stderr and "<html" not in failed.stderr.lower()
    assert "GRANT SPARQL_UPDATE" in failed.stderr


def test_push_without_or_with_wrong_credentials_says_which(virtuoso):
    url = virtuoso.gsp_url
    anonymous = url.replace(url.split("//")[1].split("@")[0] + "@", "")
    failed = invoke_nkd("push", "--to", anonymous, str(FIXTURES / "prod-actors.ttl"))
    assert failed.returncode == 1 and "HTTP 401" in failed.stderr
    assert "give them in the URL" in failed.stderr
    wrong = url.replace(url.split(":")[2].split("@")[0], "not-the-password")
    failed = invoke_nkd("push", "--to", wrong, str(FIXTURES / "prod-actors.ttl"))
    assert failed.returncode == 1 and "refused these credentials" in failed.stderr
    assert "not-the-password" not in failed.stderr


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_blank_nodes_answer_in_every_results_format(shipped, accept):
    answer = query(shipped, BLANK, accept)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith(accept)
    assert "nodeID" not in answer.text
    if accept == "text/csv":
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert len(rows) == 20 and all(row["s"].startswith("_:") for row in rows)
    elif accept.endswith("json"):
        rows = answer.json()["results"]["bindings"]
        assert len(rows) == 20 and {row["s"]["type"] for row in rows} == {"bnode"}


@pytest.mark.parametrize("accept, parser", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                            ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                            ("application/n-quads", "nquads"), ("application/trig", "trig")])
def test_blank_nodes_answer_in_every_graph_format(shipped, accept, parser):
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }"
    answer = query(shipped, construct, accept)
    assert answer.status_code == 200, answer.text
    graph = rdflib.Dataset().parse(data=answer.content, format=parser)
    assert len(graph) > 100 and all(isinstance(s, rdflib.BNode) for s, _, _, _ in graph.quads())


def test_a_select_the_store_capped_is_an_error_not_a_shorter_result(shipped):
    answer = query(shipped, PAIRS)
    assert answer.status_code == 413, answer.text[:300]
    body = answer.json()
    assert body["title"] == "Result capped by the store" and "10,000 rows" in body["error"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_construct_the_store_capped_is_an_error_too(shipped):
    # Virtuoso caps a CONSTRUCT's triples without saying so: nkd counts them. 20,000
    # short triples reach the cap within the first MiB, which nkd keeps back: a 413.
    digits = " ".join(f"VALUES ?{v} {{ 0 1 2 3 4 5 6 7 8 9 }}" for v in "abcd")
    short = f"CONSTRUCT {{ <x:s> <x:p> ?n }} WHERE {{ {digits} VALUES ?e {{ 0 1 }} " \
            "BIND(?a + 10 * ?b + 100 * ?c + 1000 * ?d + 10000 * ?e AS ?n) }"
    for accept in ("text/turtle", "application/n-triples"):
        answer = query(shipped, short, accept)
        assert answer.status_code == 413, answer.text[:300]
        assert "10,000 rows" in answer.text  # the error in plain text, as that client asked


def test_a_capped_construct_past_the_first_megabyte_is_cut_off(shipped):
    # Each of the 7,401 triples twice over, about 14,000 long triples: the cap is reached
    # after the answer began to stream, so the connection closes without its last chunk.
    twice = "CONSTRUCT { ?s ?p ?o . ?s <x:again> ?o } WHERE { ?s ?p ?o }"
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        query(shipped, twice, "application/n-triples")


def test_the_query_page_asks_the_store_for_the_rows_it_shows(shipped):
    # The store caps at 10,000 rows; the page shows 1,000 and asks for 1,001, so it works.
    page = query(shipped, PAIRS.replace(" LIMIT 20000", ""), "text/html")
    assert page.status_code == 200, page.text[:500]
    assert page.text.count("<tr") > 1000


def test_a_store_timeout_is_504_with_the_stores_words(shipped):
    answer = query(shipped, RUNAWAY)
    assert answer.status_code == 504, answer.text
    assert "Transaction timed out" in answer.json()["error"]


def test_a_function_the_store_lacks_is_400_saying_so(shipped):
    answer = query(shipped, "SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}")
    assert answer.status_code == 400, answer.text
    assert "does not support the function <http://example.org/no-such-function>" in answer.json()["error"]


def test_a_store_error_on_the_query_page_has_the_one_shape(shipped):
    page = query(shipped, "SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}", "text/html")
    assert page.status_code == 400
    assert "does not support the function" in page.text


def test_ask_is_a_boolean_though_virtuoso_writes_a_table(shipped):
    for accept, expected in (("application/sparql-results+json", None), ("text/csv", "true")):
        answer = query(shipped, "ASK { ?s ?p ?o }", accept)
        assert answer.status_code == 200
        if expected is None:
            assert answer.json()["boolean"] is True
        else:
            assert answer.text.strip() == expected


def test_only_nkds_graphs_are_queried(shipped, virtuoso):
    # Virtuoso holds its own graphs and the other test data sets; nkd's dataset is its graphs.
    own = set(virtuoso_holding(virtuoso, []))
    answer = query(shipped, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {row["g"]["value"] for row in answer.json()["results"]["bindings"]} == own


# --------------------------------------------------------------------------- VoID, dumps, state


def test_void_and_dumps_hold_nkds_graphs_only(shipped, virtuoso):
    own = set(virtuoso_holding(virtuoso, []))
    void = rdflib.Graph().parse(data=requests.get(shipped.url + "/.well-known/void", timeout=60,
                                                  headers={"Accept": "text/turtle"}).text, format="turtle")
    void_ns = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert {str(o) for o in void.objects(rdflib.URIRef(BASE), void_ns.subset)} == own
    dump = rdflib.Dataset()
    dump.parse(data=requests.get(shipped.url + "/dumps/nkd.nq", timeout=120).content, format="nquads")
    assert {str(g.identifier) for g in dump.graphs() if len(g)} == own
    triples = int(void.value(rdflib.URIRef(BASE), void_ns.triples))
    assert triples == len({(s, p, o) for s, p, o, _ in dump.quads()})


def test_void_and_etags_follow_the_store(virtuoso, tmp_path):
    data = tmp_path / "state-check.ttl"
    data.write_text("<https://w3id.org/nkd/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n")
    assert invoke_nkd("push", "--to", virtuoso.gsp_url, str(data)).returncode == 0
    server = start_server(tmp_path, "--endpoint", virtuoso.query_url, "--workers", "1", "--store-check-s", "0",
                          "--store-graphs", BASE + "data/state-check")
    try:
        def void() -> tuple[int, str]:
            answer = requests.get(server.url + "/.well-known/void", headers={"Accept": "application/n-triples"},
                                  timeout=60)
            graph = rdflib.Graph().parse(data=answer.text, format="nt")
            count = graph.value(rdflib.URIRef(BASE), rdflib.URIRef("http://rdfs.org/ns/void#triples"))
            return int(count), answer.headers["ETag"]

        before, tag = void()
        assert before == 1
        assert requests.get(server.url + "/.well-known/void", timeout=60,
                            headers={"Accept": "application/n-triples", "If-None-Match": tag}).status_code == 304
        data.write_text(data.read_text() + "<https://w3id.org/nkd/id/test/b> "
                                           "<http://www.w3.org/2000/01/rdf-schema#label> \"b\" .\n")
        assert invoke_nkd("push", "--to", virtuoso.gsp_url, str(data)).returncode == 0
        after, new_tag = void()
        assert after == 2 and new_tag != tag
    finally:
        server.stop()


def shipped_triples() -> int:
    """How many distinct triples the shipped graph's files hold together (their union)."""
    from nkd.settings import load_settings
    from nkd.store import shipped_store

    store = shipped_store(load_settings(environ={}).public_base)
    return len({(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)})


def test_example_query_results_carry_the_stores_state_as_their_etag(shipped):
    first = query(shipped, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert first.headers["ETag"].startswith('W/"') and "max-age=" in first.headers["Cache-Control"]
    again = requests.get(shipped.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json", "If-None-Match": first.headers["ETag"]},
                         timeout=60)
    assert again.status_code == 304
    assert int(json.loads(first.content)["results"]["bindings"][0]["n"]["value"]) == shipped_triples()


def test_a_large_result_streams_from_the_store(shipped):
    answer = query(shipped, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert answer.status_code == 200
    assert answer.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in answer.headers
    assert len(answer.json()["results"]["bindings"]) == shipped_triples()
