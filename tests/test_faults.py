"""Faults, each through real processes: killed workers, a killed server, runaway queries, a store gone.

Worker processes are found as the children of the gunicorn master in /proc (Linux).
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import rdflib
import requests

from conftest import FIXTURES, RUNAWAY, Server, invoke_nkd, isomorphic, start_oxigraph, start_server

pytestmark = pytest.mark.slow

FILES = [str(FIXTURES / "prod-actors.ttl"), str(FIXTURES / "prod-events.ttl")]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Bounds on waiting for processes to change state; none of them is a measurement.
PATIENCE_S = 60


def workers(server: Server) -> set[int]:
    """The pids of the gunicorn worker processes under a server's master."""
    master = server.process.pid
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == master and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time a process has used, in clock ticks (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def wait_for(condition, what: str):
    """Poll ``condition`` until it returns something truthy; fail after PATIENCE_S."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def busy_workers(server: Server, pids: set[int]) -> set[int]:
    """The workers among ``pids`` that burn CPU over a short sample (a query is running there)."""
    before = {pid: cpu_ticks(pid) for pid in pids}
    time.sleep(0.5)
    # An idle worker uses next to nothing; a running query at least a share of a core
    # (a tick is 10 ms), even on a machine that is busy with other work.
    return {pid for pid in pids if cpu_ticks(pid) - before[pid] >= 5}


def count(server: Server) -> str:
    """The number of triples, as the server answers it."""
    response = requests.get(server.url + "/sparql", params={"query": COUNT},
                            headers={"Accept": "application/sparql-results+json"}, timeout=PATIENCE_S)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"][0]["n"]["value"]


def send_in_background(server: Server, query: str) -> tuple[threading.Thread, list]:
    """Send a query on a thread; its outcome (a response or an exception) lands in the list."""
    outcome: list = []

    def send() -> None:
        try:
            outcome.append(requests.get(server.url + "/sparql", params={"query": query},
                                        headers={"Accept": "application/sparql-results+json"},
                                        timeout=PATIENCE_S * 2))
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread, outcome


@pytest.fixture()
def store_dir(tmp_path) -> Path:
    """An on-disk store of the fixture files."""
    loaded = invoke_nkd("load", "--store", str(tmp_path / "store"), *FILES)
    assert loaded.returncode == 0, loaded.stderr
    return tmp_path / "store"


def test_worker_killed_mid_query_is_replaced(tmp_path, store_dir):
    server = start_server(tmp_path, "--store", str(store_dir), "--workers", "1", "--timeout", "600")
    try:
        (victim,) = workers(server)
        thread, outcome = send_in_background(server, RUNAWAY)
        wait_for(lambda: busy_workers(server, {victim}), "the query to start")
        os.kill(victim, signal.SIGKILL)
        thread.join(PATIENCE_S)
        assert outcome and isinstance(outcome[0], requests.ConnectionError), outcome
        replacement = wait_for(lambda: workers(server) - {victim}, "a new worker")
        assert victim not in replacement
        assert [count(server) for _ in range(5)] == ["31"] * 5
    finally:
        server.stop()


def test_server_killed_and_restarted_on_the_same_store_serves_the_same_data(tmp_path, store_dir):
    construct = {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}
    graphs = []
    for _ in range(2):
        server = start_server(tmp_path, "--store", str(store_dir), "--workers", "2")
        try:
            response = requests.get(server.url + "/sparql", params=construct,
                                    headers={"Accept": "application/n-triples"}, timeout=PATIENCE_S)
            assert response.status_code == 200
            graphs.append(rdflib.Graph().parse(data=response.content, format="nt"))
        finally:
            os.killpg(server.process.pid, signal.SIGKILL)  # master and workers, no clean shutdown
            server.process.wait(timeout=PATIENCE_S)
    expected = rdflib.Graph()
    for path in FILES:
        expected.parse(path, format="turtle")
    assert isomorphic(graphs[0], expected) and isomorphic(graphs[1], expected)


def test_runaway_query_on_every_worker_leaves_healthz_answering(tmp_path, store_dir):
    # The limit leaves time to see every worker busy before the first query is stopped
    # (at most 16 samples of 0.5 s; two or three as a rule), and no more: until then the
    # runaway queries take every core of the machine.
    server = start_server(tmp_path, "--store", str(store_dir), "--workers", "2", "--threads", "4",
                          "--timeout", "12")
    try:
        # The server answers as soon as one worker is up; the second may still be starting.
        first = wait_for(lambda: pids if len(pids := workers(server)) == 2 else None, "two workers")
        runaways = [send_in_background(server, RUNAWAY)]
        # gunicorn hands each connection to whichever worker accepts first, and one
        # worker may take several in a row: send runaway queries until every worker
        # is running one. A worker given more than its 4 query threads queues the rest.
        while busy_workers(server, first) != first and len(runaways) < 16:
            runaways.append(send_in_background(server, RUNAWAY))
        assert busy_workers(server, first) == first
        health = [requests.get(server.url + "/healthz", timeout=PATIENCE_S) for _ in range(10)]
        assert [r.status_code for r in health] == [200] * 10
        for thread, outcome in runaways:
            thread.join(PATIENCE_S * 2)
            assert outcome[0].status_code == 503, outcome[0].text
            error = outcome[0].json()["error"]
            assert "limit" in error or "free query thread" in error, error
        # Each worker that ran a runaway query retires and is replaced; queries work again.
        wait_for(lambda: len(workers(server) - first) == 2, "both workers to be replaced")
        assert [count(server) for _ in range(5)] == ["31"] * 5
        assert requests.get(server.url + "/healthz", timeout=PATIENCE_S).status_code == 200
    finally:
        server.stop()


def test_access_log_has_one_line_per_request_with_status_duration_and_query_hash(tmp_path):
    server = start_server(tmp_path, *FILES, "--workers", "1")
    try:
        query = "SELECT * WHERE { ?s ?p ?o } LIMIT 3"
        digest = hashlib.sha256(query.encode()).hexdigest()[:12]
        response = requests.get(server.url + "/sparql", params={"query": query}, timeout=PATIENCE_S)
        assert response.headers["X-Query-Hash"] == digest
        requests.get(server.url + "/healthz", timeout=PATIENCE_S)
        requests.get(server.url + "/no-such-page", timeout=PATIENCE_S)
        # Errors of every kind get their line too: the engine's, the negotiation's (in HTML).
        unknown = requests.get(server.url + "/sparql", timeout=PATIENCE_S, params={
            "query": "SELECT * WHERE { ?s ?p ?o FILTER(<custom:function>(?o)) }"})
        assert unknown.status_code == 400 and "<custom:function>" in unknown.text
        browser = requests.get(server.url + "/sparql", params={"query": query, "format": "turtle"},
                               headers={"Accept": "text/html"}, timeout=PATIENCE_S)
        assert browser.status_code == 406 and browser.headers["Content-Type"].startswith("text/html")
    finally:
        server.stop()
    lines = server.log().splitlines()
    assert sum('"GET /sparql" 400 ' in line for line in lines) == 1
    assert sum('"GET /sparql" 406 ' in line for line in lines) == 1
    assert "Traceback" not in server.log() and "Error handling request" not in server.log()
    query_lines = [line for line in lines if digest in line]
    assert len(query_lines) == 1, lines
    assert '"GET /sparql" 200 ' in query_lines[0] and "ms query=" in query_lines[0]
    assert "SELECT" not in query_lines[0]  # the hash stands for the text
    assert any('"GET /healthz" 200 ' in line and line.endswith("query=-") for line in lines)
    assert any('"GET /no-such-page" 404 ' in line for line in lines)


def test_external_store_stopped_then_restarted(tmp_path):
    oxigraph = start_oxigraph(tmp_path, timeout_s=10)
    server = None
    try:
        assert invoke_nkd("push", "--to", oxigraph.store_url, *FILES).returncode == 0
        server = start_server(tmp_path, "--endpoint", oxigraph.query_url, "--workers", "2")
        assert count(server) == "31"
        oxigraph.stop()
        for _ in range(4):  # whichever worker answers, and with a pooled connection or not
            down = requests.get(server.url + "/sparql", params={"query": COUNT},
                                headers={"Accept": "application/json"}, timeout=PATIENCE_S)
            assert down.status_code == 502, down.text
            assert "could not be reached" in down.json()["error"]
        assert requests.get(server.url + "/healthz", timeout=PATIENCE_S).status_code == 200
        oxigraph.start()
        assert [count(server) for _ in range(6)] == ["31"] * 6
    finally:
        if server is not None:
            server.stop()
        oxigraph.stop()
