"""The memory guard: a query that makes its worker grow past max_query_memory_mb gets 503
and the worker is replaced, before the machine runs out of memory.

pyoxigraph evaluates ORDER BY over a cartesian product by materialising it: on the
shipped graph that grows by hundreds of megabytes a second, faster than any time limit.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from conftest import answer_again, start_server
from nkd.errors import QueryTooExpensive
from nkd.sparql import QueryRunner, resident_bytes

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"


def _grow(megabytes: int, stop: threading.Event) -> int:
    chunks = []
    for _ in range(megabytes):
        if stop.is_set():
            break
        chunks.append(bytearray(2**20))  # touched, so resident
        time.sleep(0.002)
    return len(chunks)


@pytest.mark.skipif(resident_bytes() is None, reason="needs /proc/self/statm")
def test_runner_fails_running_queries_past_the_memory_limit_and_reports_it():
    reported = threading.Event()
    stop = threading.Event()
    runner = QueryRunner(2, memory_limit_bytes=64 * 2**20, on_memory_overrun=reported.set)
    try:
        with pytest.raises(QueryTooExpensive) as caught:
            runner.run(lambda: _grow(1024, stop), timeout_s=60)
        assert caught.value.status == 503
        assert "64 MB" in caught.value.message
        assert reported.wait(5)
        assert runner.overruns == 1
    finally:
        stop.set()
        runner.close()


@pytest.mark.skipif(resident_bytes() is None, reason="needs /proc/self/statm")
def test_runner_leaves_queries_within_the_limit_alone():
    runner = QueryRunner(1, memory_limit_bytes=512 * 2**20)
    try:
        assert runner.run(lambda: _grow(16, threading.Event()), timeout_s=60) == 16
        assert runner.overruns == 0
    finally:
        runner.close()


def test_sorting_a_cartesian_product_cannot_exhaust_memory(tmp_path):
    server = start_server(tmp_path, "--workers", "1", "--max-query-memory-mb", "150", "--timeout", "120")
    try:
        answer = requests.post(server.url + "/sparql", data={"query": RUNAWAY},
                               headers={"Accept": "application/json"}, timeout=120)
        assert answer.status_code == 503
        assert "memory" in answer.json()["error"]  # the guard answered, not the time limit
        # The worker was replaced and the server answers again.
        assert answer_again(server).json()["boolean"] is True
        assert "outgrew max_query_memory_mb" in server.log()
    finally:
        server.stop()
