"""An external SPARQL store: `nkd push` through the Graph Store Protocol, and RemoteEngine's failures.

All against a real Oxigraph server on loopback.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests

from conftest import FIXTURES, RUNAWAY, free_port, invoke_nkd, isomorphic, start_oxigraph
from nkd.namespaces import BASE

ACTORS, EVENTS = FIXTURES / "prod-actors.ttl", FIXTURES / "prod-events.ttl"
BROKEN, DATASET = FIXTURES / "prod-broken.ttl", FIXTURES / "prod-dataset.trig"


@pytest.fixture()
def oxigraph(tmp_path):
    """An empty Oxigraph server, stopped after the test."""
    server = start_oxigraph(tmp_path, timeout_s=10)
    yield server
    server.stop()


def store_graphs(oxigraph) -> dict[str, rdflib.Graph]:
    """Every graph the Oxigraph server holds, read back through its Graph Store endpoint."""
    names = requests.post(oxigraph.query_url, data={"query": "SELECT DISTINCT ?g { GRAPH ?g {} }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    result = {}
    for name in [row["g"]["value"] for row in names["results"]["bindings"]] + [None]:
        params = {"graph": name} if name else {"default": ""}
        response = requests.get(oxigraph.store_url, params=params, headers={"Accept": "application/n-triples"},
                                timeout=30)
        assert response.status_code == 200, response.text
        if response.content.strip():
            result[name or ""] = rdflib.Graph().parse(data=response.content, format="nt")
    return result


def memory_graphs(files) -> dict[str, rdflib.Graph]:
    """Every graph of the embedded in-memory store over the same files."""
    from nkd.store import memory_store

    store = memory_store(files, BASE)
    result = {}
    for name in [ox.DefaultGraph(), *store.named_graphs()]:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        if data:
            result["" if isinstance(name, ox.DefaultGraph) else name.value] = rdflib.Graph().parse(data=data, format="nt")
    return result


def test_push_names_graphs_like_the_embedded_store(oxigraph):
    files = [ACTORS, EVENTS, DATASET]
    pushed = invoke_nkd("push", "--to", oxigraph.store_url, *map(str, files))
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed 5 graph(s)" in pushed.stderr
    got, expected = store_graphs(oxigraph), memory_graphs(files)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert isomorphic(got[name], expected[name]), name


def test_push_twice_replaces_rather_than_adds(oxigraph):
    for _ in range(2):
        assert invoke_nkd("push", "--to", oxigraph.store_url, str(ACTORS)).returncode == 0
    assert len(store_graphs(oxigraph)[BASE + "data/prod-actors"]) == 12


def test_push_with_a_syntax_error_sends_nothing(oxigraph):
    refused = invoke_nkd("push", "--to", oxigraph.store_url, str(ACTORS), str(BROKEN))
    assert refused.returncode == 2
    assert "prod-broken.ttl:9" in refused.stderr
    assert store_graphs(oxigraph) == {}


def test_push_to_an_unreachable_store_says_so():
    url = f"http://127.0.0.1:{free_port()}/store"
    failed = invoke_nkd("push", "--to", url, str(ACTORS))
    assert failed.returncode == 1
    assert "could not be reached" in failed.stderr and "Traceback" not in failed.stderr


def test_push_to_a_wrong_path_names_the_status(oxigraph):
    failed = invoke_nkd("push", "--to", oxigraph.url + "/no-such-endpoint", str(ACTORS))
    assert failed.returncode == 1
    assert "HTTP 404" in failed.stderr and "Graph Store endpoint" in failed.stderr


def test_push_rejects_a_url_that_is_not_http():
    failed = invoke_nkd("push", "--to", "ftp://example.org/store", str(ACTORS))
    assert failed.returncode == 2 and "not an http(s) URL" in failed.stderr


# --------------------------------------------------------------------------- RemoteEngine


def engine_for(url: str, **changes):
    from nkd.remote import RemoteEngine
    from nkd.settings import load_settings

    return RemoteEngine(url, load_settings(overrides=changes, environ={}))


def checked(text: str):
    from nkd.settings import load_settings
    from nkd.sparql import check_query

    return check_query(text, load_settings(environ={}))


def test_unreachable_store_is_502():
    from nkd.errors import UpstreamError, UpstreamTimeout

    engine = engine_for(f"http://127.0.0.1:{free_port()}/query")
    with pytest.raises(UpstreamError) as caught:
        engine.table(checked("ASK {}"), 10)
    assert caught.value.status == 502 and not isinstance(caught.value, UpstreamTimeout)
    assert "could not be reached" in caught.value.message
    assert "127.0.0.1" not in caught.value.message  # the store's address stays in the log


def test_store_that_does_not_answer_in_time_is_504(oxigraph):
    from nkd.errors import UpstreamTimeout

    assert invoke_nkd("push", "--to", oxigraph.store_url).returncode == 0  # the shipped graph
    engine = engine_for(oxigraph.query_url, query_timeout_s=1)
    with pytest.raises(UpstreamTimeout) as caught:
        engine.table(checked(RUNAWAY), 10)
    assert caught.value.status == 504


def test_result_over_the_size_limit_is_413(oxigraph):
    from nkd.errors import PayloadTooLarge
    from nkd.negotiation import JSON

    assert invoke_nkd("push", "--to", oxigraph.store_url, str(ACTORS)).returncode == 0
    engine = engine_for(oxigraph.query_url, max_result_bytes=1000)
    with pytest.raises(PayloadTooLarge):
        engine.serialize(checked("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"), JSON)


def test_engine_recovers_when_the_store_comes_back(oxigraph):
    from nkd.errors import UpstreamError

    assert invoke_nkd("push", "--to", oxigraph.store_url, str(ACTORS)).returncode == 0
    engine = engine_for(oxigraph.query_url)
    query = checked("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert engine.table(query, 10).rows[0][0].value == "12"
    oxigraph.stop()
    with pytest.raises(UpstreamError):
        engine.table(query, 10)
    oxigraph.start()
    assert engine.table(query, 10).rows[0][0].value == "12"


def test_triples_and_ask_through_the_engine(oxigraph):
    assert invoke_nkd("push", "--to", oxigraph.store_url, str(EVENTS)).returncode == 0
    engine = engine_for(oxigraph.query_url)
    triples = engine.triples(checked("CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"))
    assert len(triples) == 4 and {t[2].language for t in triples} == {"en"}
    assert engine.table(checked("ASK { ?s ?p 12 }"), 1).boolean is True


def test_credentials_in_the_url_stay_out_of_messages():
    failed = invoke_nkd("push", "--to", f"http://nkd:s3cret@127.0.0.1:{free_port()}/store", str(ACTORS))
    assert failed.returncode == 1
    assert "could not be reached" in failed.stderr and "s3cret" not in failed.stderr



def test_nkd_query_asks_an_external_store_as_serve_does(oxigraph):
    pushed = invoke_nkd("push", "--to", oxigraph.store_url, str(ACTORS), str(EVENTS))
    assert pushed.returncode == 0, pushed.stderr
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o"
    remote = invoke_nkd("query", "--endpoint", oxigraph.query_url, "--format", "csv", query)
    local = invoke_nkd("query", "--data", str(ACTORS), "--data", str(EVENTS), "--format", "csv", query)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and remote.stdout.count("\n") > 10
    both = invoke_nkd("query", "--endpoint", oxigraph.query_url, "--data", str(ACTORS), "ASK {}")
    assert both.returncode == 2 and "one source of data" in both.stderr
