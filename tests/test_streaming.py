"""Large results stream: the first megabyte is buffered (so that a small result gets a
Content-Length and a limit hit early gets a clean error status), the rest reaches the
client while the query thread is still serializing it.

A limit passed after the status line was sent can only be signalled by closing the
connection without the final chunk; these tests pin that a client then sees an
incomplete response, never a well-formed truncated one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from conftest import ROOT, answer_again, run_nkd, start_server
from nkd.errors import QueryTimeout
from nkd.negotiation import CSV, JSON
from nkd.settings import Settings
from nkd.sparql import STREAM_BYTES, EmbeddedEngine, QueryRunner, ResultCutOff, ResultStream, check_query

# Pairs of triples of the shipped graph: as many rows as asked for, a few hundred bytes each.
PAIRS = "SELECT * WHERE {{ ?s ?p ?o . ?a ?b ?c }} LIMIT {limit}"
# Rows for as long as anyone reads them (the shipped graph's triples, squared and squared again).
ENDLESS = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _post(server, query: str, accept: str, **kwargs) -> requests.Response:
    # Uncompressed, so that lengths are the result's own (tests/test_delivery.py streams gzip).
    return requests.post(server.url + "/sparql", data={"query": query},
                         headers={"Accept": accept, "Accept-Encoding": "identity"}, timeout=120, **kwargs)


# Every typed IRI of the shipped graph twenty times over: several MB, no blank nodes,
# the same set of rows in any process.
TYPED_TWENTY_TIMES = ("SELECT ?s ?t ?n WHERE { ?s a ?t FILTER(isIRI(?s)) VALUES ?n { "
                      + " ".join(map(str, range(1, 21))) + " } }")


def test_a_large_result_is_sent_chunked_and_complete(server, store):
    answer = _post(server, TYPED_TWENTY_TIMES, "application/sparql-results+json")
    assert answer.status_code == 200
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in answer.headers
    assert len(answer.content) > STREAM_BYTES
    assert answer.headers["X-Query-Hash"]
    rows = json.loads(answer.content)["results"]["bindings"]
    got = {(row["s"]["value"], row["t"]["value"], row["n"]["value"]) for row in rows}
    expected = {(s["s"].value, s["t"].value, s["n"].value)
                for s in store.query(TYPED_TWENTY_TIMES, use_default_graph_as_union=True)}
    assert len(rows) == len(expected) > 20_000
    assert got == expected


def test_a_large_csv_result_streams_in_whole_rows(server):
    answer = _post(server, PAIRS.format(limit=15_000), "text/csv")
    assert answer.status_code == 200 and "Content-Length" not in answer.headers
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert sorted(rows[0]) == ["a", "b", "c", "o", "p", "s"]
    assert len(rows) == 15_001 and all(len(row) == 6 for row in rows)


def test_a_small_result_keeps_its_content_length(server):
    answer = _post(server, PAIRS.format(limit=10), "application/sparql-results+json")
    assert answer.status_code == 200
    assert int(answer.headers["Content-Length"]) == len(answer.content)
    assert "Transfer-Encoding" not in answer.headers


def test_a_stream_past_the_time_limit_is_cut_off_not_truncated_cleanly(tmp_path):
    served = start_server(tmp_path, "--workers", "1", "--timeout", "2")
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            answer = _post(served, ENDLESS, "text/tab-separated-values", stream=True)
            assert answer.status_code == 200  # the status line went out before the limit
            for _ in answer.iter_content(65536):
                pass
        assert requests.get(served.url + "/healthz", timeout=10).status_code == 200
        again = answer_again(served)
        assert again.json()["boolean"] is True
        log = served.log()
        assert "a streaming result was cut off" in log
        assert "Traceback" not in log
    finally:
        served.stop()


def test_a_stream_past_max_result_bytes_is_cut_off(tmp_path):
    served = start_server(tmp_path, "--workers", "1", "--max-result-bytes", str(3 * STREAM_BYTES))
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _post(served, PAIRS.format(limit=100_000), "application/sparql-results+json").content
        small = _post(served, PAIRS.format(limit=10), "application/sparql-results+json")
        assert small.status_code == 200
        assert "larger than" in served.log()
    finally:
        served.stop()


def test_a_result_over_the_limit_within_the_first_megabyte_gets_413(tmp_path):
    served = start_server(tmp_path, "--workers", "1", "--max-result-bytes", "100000")
    try:
        answer = _post(served, PAIRS.format(limit=100_000), "application/sparql-results+json")
        assert answer.status_code == 413
        assert "larger than 100,000 bytes" in answer.json()["error"]
    finally:
        served.stop()


@pytest.fixture()
def one_thread_engine(store):
    settings = Settings(query_timeout_s=60)
    return EmbeddedEngine(store, settings, QueryRunner(1))


def test_a_reader_that_goes_away_frees_the_query_thread(one_thread_engine):
    engine = one_thread_engine
    stream = engine.serialize_stream(check_query(ENDLESS, engine.settings), CSV)
    assert isinstance(stream, ResultStream)
    assert len(next(stream)) > STREAM_BYTES
    stream.close()
    # The query thread stops at its next write (it would take seconds to reach max_result_bytes),
    assert stream.producer_done.wait(2)
    # and the runner's only thread answers the next query.
    assert engine.serialize(check_query("ASK { ?s ?p ?o }", engine.settings), JSON) == \
        b'{"head":{},"boolean":true}'


def test_a_streaming_query_past_the_time_limit_stops_even_if_nobody_reads(store):
    engine = EmbeddedEngine(store, Settings(query_timeout_s=1), QueryRunner(1))
    stream = engine.serialize_stream(check_query(ENDLESS, engine.settings), CSV)
    next(stream)
    # The query thread stops at its first write past the deadline, and reading then fails.
    assert stream.producer_done.wait(10)
    with pytest.raises(ResultCutOff) as cut:
        stream.read_all()
    assert isinstance(cut.value.error, QueryTimeout)
    assert engine.runner.overruns == 0  # nothing was stuck in pyoxigraph


def test_a_slow_reader_gets_the_whole_result_after_the_time_limit(store):
    # The time limit bounds the query's work, not how long the client takes to read.
    engine = EmbeddedEngine(store, Settings(query_timeout_s=1), QueryRunner(1))
    stream = engine.serialize_stream(check_query(TYPED_TWENTY_TIMES, engine.settings), CSV)
    first = next(stream)
    time.sleep(1.5)
    body = first + stream.read_all()
    assert body == engine.serialize(check_query(TYPED_TWENTY_TIMES, engine.settings), CSV)


def test_serialize_returns_a_large_result_whole(one_thread_engine, store):
    engine = one_thread_engine
    body = engine.serialize(check_query(PAIRS.format(limit=10_000), engine.settings), CSV)
    assert len(body) > STREAM_BYTES
    assert body.count(b"\r\n") == 10_001


def test_nkd_query_writes_a_streamed_result_whole(store):
    done = run_nkd("query", TYPED_TWENTY_TIMES, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > STREAM_BYTES
    header, *rows = csv.reader(io.StringIO(done.stdout))
    assert header == ["s", "t", "n"]
    expected = {(s["s"].value, s["t"].value, s["n"].value)
                for s in store.query(TYPED_TWENTY_TIMES, use_default_graph_as_union=True)}
    assert len(rows) == len(expected) and set(map(tuple, rows)) == expected


def test_nkd_query_into_a_slow_pager_is_not_cut_off_by_the_time_limit(store):
    # A reader that waits (a pager, a full pipe) must not count against the query's time.
    process = subprocess.Popen([sys.executable, "-m", "nkd", "query", TYPED_TWENTY_TIMES, "--format", "csv",
                                "--timeout", "1"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(3)  # the pipe holds 64 KiB; the rest waits for us
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err.decode()
    assert out.count(b"\r\n") == len(list(store.query(TYPED_TWENTY_TIMES, use_default_graph_as_union=True))) + 1


def _ask_within(served, seconds: float) -> requests.Response:
    return requests.get(served.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                        headers={"Accept": "application/json"}, timeout=seconds)


def test_a_head_or_a_hang_up_stops_a_streaming_query_over_http(tmp_path):
    # One query thread, a long time limit: if the endless query kept running after its
    # client was gone, the next query would wait for the thread until the limit.
    # The result limit is high enough that only the hang-up can stop the query in time.
    served = start_server(tmp_path, "--workers", "1", "--threads", "1", "--timeout", "60",
                          "--max-result-bytes", str(4 * 2**30))
    try:
        head = requests.head(served.url + "/sparql", params={"query": ENDLESS}, headers={"Accept": "text/csv"},
                             timeout=30)
        assert head.status_code == 200 and "Content-Length" not in head.headers
        assert _ask_within(served, 3).json()["boolean"] is True

        with _post(served, ENDLESS, "text/csv", stream=True) as answer:
            assert answer.status_code == 200
            assert len(next(answer.iter_content(STREAM_BYTES))) > 0
        # The connection is closed with most of the result unread.
        assert _ask_within(served, 3).json()["boolean"] is True
    finally:
        served.stop()
