"""The W3C SPARQL 1.1 test suite (query side, tests/w3c-sparql11/), through a real `nkd serve`.

One server holds every data file of the suite, each as the named graph of its IRI; each
evaluation test chooses its dataset with ``default-graph-uri`` / ``named-graph-uri`` and
asks for its result in the format of its result file, and the answer is compared as the
suite prescribes (tests/w3c.py). Syntax tests are sent as queries: a positive one is
answered (200, or 403 where it uses SERVICE, which nkd refuses by design), a negative
one gets 400 (a positive one that calls a function the engine lacks gets 400 naming it: it was
parsed, and custom functions are not available here). The tests where pyoxigraph itself differs from the suite are listed in
tests/w3c_known_failures.txt; each must still fail, in process and through the server.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
import requests

from conftest import start_server
from w3c import (EMPTY_GRAPH, W3CTest, dataset_of, expected_result, known_failures, read_answer, read_tests,
                 same_result, with_base, write_dataset)

TESTS = read_tests()
SYNTAX = [t for t in TESTS if t.kind.endswith("syntax")]
EVALUATION = [t for t in TESTS if t.kind == "evaluation"]
KNOWN = known_failures()


@pytest.fixture(scope="module")
def suite_data(tmp_path_factory):
    """The N-Quads file of every data file the evaluation tests use."""
    path = tmp_path_factory.mktemp("w3c") / "w3c-sparql11.nq"
    write_dataset(EVALUATION, path)
    return path


@pytest.fixture(scope="module")
def w3c_server(suite_data):
    running = start_server(suite_data.parent, "--data", str(suite_data), "--workers", "1")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def suite_store(suite_data):
    """The same data in a pyoxigraph store in this process: what pyoxigraph answers by itself."""
    store = ox.Store()
    store.bulk_load(path=str(suite_data), format=ox.RdfFormat.N_QUADS)
    return store


def post(http: requests.Session, server, text: str, default: list[str], named: list[str],
         accept: str = "application/sparql-results+json") -> requests.Response:
    fields = [("query", text)] + [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
    return http.post(server.url + "/sparql", data=fields, headers={"Accept": accept}, timeout=60)


IN_PROCESS_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def in_process(store: ox.Store, test: W3CTest, media_type: str) -> Any:
    """The test's result as pyoxigraph gives it in process, in ``media_type``, read like the server's."""
    default, named = dataset_of(test)
    dataset = dict(default_graph=[ox.NamedNode(g) for g in default],
                   named_graphs=[ox.NamedNode(g) for g in named]) if default or named else {}
    result = store.query(with_base(test), **dataset)
    return read_answer(result.serialize(format=IN_PROCESS_FORMATS[media_type]), media_type)


def passes_in_process(store: ox.Store, test: W3CTest) -> bool:
    media_type, expected = expected_result(test)
    try:
        actual = in_process(store, test, media_type)
    except (SyntaxError, RuntimeError, ValueError, OSError):
        return False
    return same_result(expected, actual, test.ordered)


def parses_in_process(test: W3CTest) -> bool:
    try:
        ox.Store().query(with_base(test))
    except SyntaxError:
        return False
    except Exception:  # parsed, then refused to evaluate (SERVICE, an unknown function)
        return True
    return True


def settle(test: W3CTest, through_server: bool, by_pyoxigraph: bool, detail: str) -> None:
    """Pass, or fail with what to do: a listed test must still fail, an unlisted one pass."""
    if test.id in KNOWN:
        assert not through_server, f"{test.id} passes now: remove it from tests/w3c_known_failures.txt"
        assert not by_pyoxigraph, f"{test.id} passes in process but not through the server: {detail}"
    else:
        assert through_server, (f"{test.id} fails through the server ({detail}); pyoxigraph in process "
                                + ("passes it" if by_pyoxigraph else "fails it too: list it in w3c_known_failures.txt"))


@pytest.mark.parametrize("test", SYNTAX, ids=[t.id for t in SYNTAX])
def test_syntax(test, w3c_server, http):
    # Any format will do (a syntax test is about the parser); errors as JSON.
    response = post(http, w3c_server, test.text, [EMPTY_GRAPH], [], accept="*/*, application/json;q=0.1")
    if test.kind == "positive-syntax":
        # Parsed, and answered or refused by design: SERVICE (403), a function the engine lacks (400).
        refused = response.json() if response.status_code in (400, 403) else {}
        ok = response.status_code == 200 or "SERVICE" in refused.get("error", "") \
            or refused.get("title") == "Function not supported"
    else:
        ok = response.status_code == 400
    by_pyoxigraph = parses_in_process(test) == (test.kind == "positive-syntax")
    settle(test, ok, by_pyoxigraph, f"{response.status_code}: {response.text[:300]}")


@pytest.mark.parametrize("test", EVALUATION, ids=[t.id for t in EVALUATION])
def test_evaluation(test, w3c_server, http, suite_store):
    media_type, expected = expected_result(test)
    default, named = dataset_of(test)
    response = post(http, w3c_server, with_base(test), default, named, media_type)
    ok = response.status_code == 200 and same_result(expected, read_answer(response.content, media_type),
                                                     test.ordered)
    settle(test, ok, passes_in_process(suite_store, test), f"{response.status_code}: {response.text[:300]}")


def test_every_known_failure_is_a_test_of_the_suite():
    assert set(KNOWN) <= {t.id for t in TESTS}
    assert len(SYNTAX) >= 90 and len(EVALUATION) >= 230  # the whole query side, nothing skipped
