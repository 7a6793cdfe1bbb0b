"""The guards of a public, read-only endpoint, each through a real server on loopback."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import PRODUCT, ROOT, RUNAWAY, answer_again, endpoint_data_args, run_nkd, start_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
ERROR_JSON = {"Accept": "application/json"}


def triple_count(server) -> int:
    response = requests.get(server.url + "/sparql", params={"query": COUNT}, timeout=30)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_alive(server) -> None:
    response = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert response.status_code == 200 and response.json()["boolean"] is True


# --------------------------------------------------------------------------- updates


UPDATES = [
    "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 'x' } WHERE { ?s ?p ?o }",
    "PREFIX x: <http://x/>\n# a comment\ninsert data { x:s x:p x:o }",
    "WITH <https://w3id.org/nkd/data/test/actors> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "DROP ALL",
    "DROP GRAPH <https://w3id.org/nkd/data/test/actors>",
    "CREATE GRAPH <http://x/g>",
    "ADD DEFAULT TO <http://x/g>",
    "MOVE <https://w3id.org/nkd/data/test/actors> TO <http://x/g>",
    "COPY DEFAULT TO <http://x/g>",
    "LOAD <http://x/data.ttl>",
    "ASK {} ; CLEAR ALL",
]


@pytest.mark.parametrize("text", UPDATES)
def test_updates_are_refused_and_change_nothing(endpoint_server, text):
    before = triple_count(endpoint_server)
    url = endpoint_server.url + "/sparql"
    responses = [
        requests.post(url, data={"update": text}, headers=ERROR_JSON, timeout=30),
        requests.post(url, data=text.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-update", **ERROR_JSON}),
        requests.get(url, params={"update": text}, headers=ERROR_JSON, timeout=30),
        requests.get(url, params={"query": text}, headers=ERROR_JSON, timeout=30),
        requests.post(url, data={"query": text}, headers=ERROR_JSON, timeout=30),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["ok"] is False
    assert any("read-only" in r.json()["error"] for r in responses)
    assert triple_count(endpoint_server) == before == 36


# --------------------------------------------------------------------------- no network


class Canary:
    """A TCP listener on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture()
def canary():
    listener = Canary()
    yield listener
    listener.close()


def test_no_query_makes_the_server_open_a_connection(endpoint_server, canary):
    url = endpoint_server.url + "/sparql"
    c = canary.url
    refused = [
        {"query": f"SELECT * WHERE {{ SERVICE <{c}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ SERVICE SILENT <{c}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ BIND(<{c}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"},
        {"query": f"LOAD <{c}>"},
        {"update": f"LOAD <{c}>"},
        {"update": f"LOAD SILENT <{c}> INTO GRAPH <http://x/g>"},
    ]
    for params in refused:
        response = requests.post(url, data=params, headers=ERROR_JSON, timeout=30)
        assert response.status_code == 403, response.text
    answered = [
        {"query": f"SELECT * FROM <{c}> WHERE {{ ?s ?p ?o }}"},
        {"query": f"SELECT * FROM NAMED <{c}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        {"query": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{c}data.ttl> WHERE {{ ?s ?p ?o }}"},
        {"query": f"DESCRIBE <{c}>"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": c},
        {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": c},
    ]
    for params in answered:
        response = requests.post(url, data=params, headers={"Accept": "application/sparql-results+json, text/turtle"},
                                 timeout=30)
        assert response.status_code == 200, response.text
    refused_update = requests.post(url, data=f"LOAD <{c}>".encode(), timeout=30,
                                   headers={"Content-Type": "application/sparql-update"})
    assert refused_update.status_code == 403
    # Every request above has been answered, so any fetch would have happened already.
    assert canary.connections == 0


# --------------------------------------------------------------------------- nesting, chains, size


@pytest.mark.parametrize("levels", [10_000, 200_000])
@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")")])
def test_deep_nesting_is_400_and_the_server_lives(endpoint_server, levels, opener, closer):
    # 200,000 nested braces crash pyoxigraph's parser even on a 512 MB stack.
    text = "SELECT * WHERE " + opener * levels + closer * levels
    response = requests.post(endpoint_server.url + "/sparql", data=text.encode(), timeout=60,
                             headers={"Content-Type": "application/sparql-query", **ERROR_JSON})
    assert response.status_code == 400
    assert "levels deep" in response.json()["error"]
    assert_alive(endpoint_server)


CONSTRUCTS = {
    "or": (lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(?o = 0" + " || ?o = 1" * n + ") }", "max_chain_operators"),
    "plus": (lambda n: "SELECT ((1" + "+1" * n + ") AS ?x) WHERE {}", "max_chain_operators"),
    "not": (lambda n: "SELECT ((" + "!" * n + "true) AS ?x) WHERE {}", "max_chain_operators"),
    "union": (lambda n: "SELECT * WHERE { {}" + " UNION {}" * (n - 1) + " }", "max_union_branches"),
    "path": (lambda n: "SELECT * WHERE { ?s <http://x/p>" + "/<http://x/p>" * (n - 1) + " ?o }", "max_path_steps"),
    "join": (lambda n: "SELECT * WHERE { " + " ".join(f"?s <http://x/p{i % 5}> ?o{i} ." for i in range(n)) + " }",
             "max_group_patterns"),
    "nesting": (lambda n: "SELECT * WHERE " + "{" * n + "}" * n, "max_query_depth"),
}


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_each_construct_is_answered_at_its_limit_and_refused_past_it(endpoint_server, settings, name):
    make, setting = CONSTRUCTS[name]

    def post(text: str) -> requests.Response:
        return requests.post(endpoint_server.url + "/sparql", data=text.encode(), timeout=60,
                             headers={"Content-Type": "application/sparql-query", **ERROR_JSON})

    limit = getattr(settings, setting)
    at_limit = post(make(limit - 1))
    assert at_limit.status_code == 200, at_limit.text
    # Past the limit, up to the longest that fits in max_query_bytes: refused, naming the setting.
    n = limit + 1
    while len(make(n * 2).encode()) <= settings.max_query_bytes:
        n *= 2
    for size in (limit + 1, n):
        refused = post(make(size))
        assert refused.status_code == 400, refused.text
        body = refused.json()
        assert body["title"] == "Query too complex" and body["setting"] == setting and body["limit"] == limit
        assert f"({setting})" in body["error"] and f"{limit:,}" in body["error"]
    assert_alive(endpoint_server)


GENERATED = {
    # What generated SPARQL routinely holds, and what pyoxigraph answers at once.
    "130 alternatives": "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(130)) + ") }",
    "300 union branches": "SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(300)) + " }",
    "1,000 VALUES IRIs": "SELECT * WHERE { VALUES ?s { " + " ".join(
        f"<https://w3id.org/nkd/id/person/defector-{i}>" for i in range(1000)) + " } ?s ?p ?o }",
    "2,000 VALUES IRIs": "SELECT * WHERE { VALUES ?s { " + " ".join(
        f"<https://w3id.org/nkd/id/person/defector-{i}>" for i in range(2000)) + " } ?s ?p ?o }",
    "a relative IRI": "SELECT ?o WHERE { ?s ?p ?o FILTER(?o IN (1, <x>)) }",
}


@pytest.mark.parametrize("name", GENERATED)
def test_what_generated_queries_hold_is_answered(endpoint_server, name):
    for data in ({"query": GENERATED[name]}, GENERATED[name].encode()):  # form-encoded, and as the body
        headers = ERROR_JSON if isinstance(data, dict) else {"Content-Type": "application/sparql-query", **ERROR_JSON}
        response = requests.post(endpoint_server.url + "/sparql", data=data, headers=headers, timeout=60)
        assert response.status_code == 200, response.text[:500]
        assert "results" in response.json()


@pytest.mark.parametrize("function", ["fn:upper-case", "bif:contains", "<custom:function>"])
def test_a_function_the_engine_lacks_is_400_naming_it(endpoint_server, function):
    prefixes = "PREFIX fn: <http://www.w3.org/2005/xpath-functions#> PREFIX bif: <bif:> "
    text = prefixes + f"SELECT ?o WHERE {{ ?s ?p ?o FILTER({function}(?o, 'a')) }}"
    response = requests.get(endpoint_server.url + "/sparql", params={"query": text}, headers=ERROR_JSON, timeout=60)
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Function not supported"
    iri = {"fn:upper-case": "http://www.w3.org/2005/xpath-functions#upper-case", "bif:contains": "bif:contains",
           "<custom:function>": "custom:function"}[function]
    assert f"<{iri}>" in body["error"] and body["function"] == iri


def test_query_threads_have_the_stack_for_the_longest_chain_allowed(settings):
    # With the chain limit lifted, the parser and evaluator recurse once per operator;
    # the 512 MB stack of a query thread must hold a chain as long as max_query_bytes allows.
    length = settings.max_query_bytes - 50
    text = "SELECT ((" + "!" * length + "true) AS ?x) WHERE {}"
    result = run_nkd("query", "@-", "--format", "csv", "--max-chain-operators", "10000000",
                     *endpoint_data_args(), input=text, timeout_s=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["x", "true"]  # an even number of negations


# --------------------------------------------------------------------------- pyoxigraph and threads


def test_regression_pyoxigraph_results_serialized_off_their_thread(endpoint_server):
    # pyoxigraph's result objects crash the process when serialized on another thread
    # than the one that ran the query. Many concurrent queries in every format, over
    # the same worker threads, must all be answered and leave the server up.
    formats = ["json", "xml", "csv", "tsv"]
    graph_formats = ["turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"]

    def ask(i: int) -> int:
        if i % 2:
            params = {"query": "SELECT * WHERE { ?s ?p ?o }", "format": formats[i % 4]}
        else:
            params = {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": graph_formats[i % 6]}
        return requests.get(endpoint_server.url + "/sparql", params=params, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(ask, range(120)))
    assert statuses == [200] * 120
    assert_alive(endpoint_server)


def test_regression_pyoxigraph_objects_never_leave_the_query_thread(settings):
    # The engine hands back only bytes, streams of bytes and plain data, never pyoxigraph objects.
    from nkd.sparql import EmbeddedEngine, Table, Term, check_query
    from nkd.negotiation import JSON
    from nkd.store import memory_store

    engine = EmbeddedEngine(memory_store([ROOT / "tests/fixtures/sparql-endpoint.trig"],
                                         settings.public_base), settings)
    body = engine.serialize_stream(check_query("SELECT * { ?s ?p ?o }", settings), JSON)
    assert isinstance(body, bytes) and body.startswith(b'{"head"')
    assert engine.serialize(check_query("ASK {}", settings), JSON) == b'{"head":{},"boolean":true}'
    table = engine.table(check_query("SELECT * { ?s ?p ?o }", settings), max_rows=5)
    triples = engine.triples(check_query("CONSTRUCT WHERE { ?s ?p ?o }", settings), max_rows=5)
    assert isinstance(table, Table) and isinstance(triples, list) and len(triples) == 5
    terms = [t for row in table.rows for t in row] + [t for triple in triples for t in triple]
    assert terms and all(type(t) is Term for t in terms)


def test_regression_rdflib_sparql_parser_is_not_in_the_server():
    # rdflib's SPARQL parser is not thread-safe at a cold start (rdflib#1282) and its
    # engine fetches FROM <url>: the server must not load it at all.
    script = (
        "import sys\n"
        "from server.settings import load_settings\n"
        "from server.store import memory_store\n"
        "from server.web import create_app\n"
        "s = load_settings(environ={})\n"
        "app = create_app(s, store=memory_store(['tests/fixtures/sparql-endpoint.trig'], s.public_base))\n"
        "c = app.test_client()\n"
        "for q in ('SELECT * { ?s ?p ?o }', 'CONSTRUCT WHERE { ?s ?p ?o }', 'ASK {}'):\n"
        "    for accept in ('text/html', 'application/sparql-results+json', 'text/turtle'):\n"
        "        assert c.get('/sparql', query_string={'query': q}, headers={'Accept': accept}).status_code in (200, 406)\n"
        "c.get('/sparql', headers={'Accept': 'text/turtle'})\n"
        "print(sorted(m for m in sys.modules if m.startswith('rdflib')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the time limit


@pytest.fixture(scope="module")
def short_timeout_server(tmp_path_factory):
    # A memory limit well above what 2 s of sorting takes, so that the time limit answers.
    running = start_server(tmp_path_factory.mktemp("timeout"), "--timeout", "2", "--workers", "1",
                           "--threads", "4", "--max-query-memory-mb", "8192", *endpoint_data_args())
    yield running
    running.stop()



@pytest.mark.slow
@pytest.mark.parametrize("text", [
    RUNAWAY,
    "SELECT ?s0 " + PRODUCT + " ORDER BY ?s0 ?o3 ?p7 ?o11 LIMIT 1",
], ids=["count", "order-by"])
def test_time_limit_holds_for_a_query_that_yields_no_row(short_timeout_server, text):
    server = short_timeout_server
    finished: dict[str, float] = {}

    def slow() -> requests.Response:
        response = requests.get(server.url + "/sparql", params={"query": text}, headers=ERROR_JSON, timeout=120)
        finished["slow"] = time.monotonic()
        return response

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(slow)
        time.sleep(0.3)  # let the slow query reach its query thread
        # Other clients are answered while it runs, by the same (only) worker process.
        for _ in range(3):
            fast = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
            assert fast.status_code == 200 and fast.json()["boolean"] is True
        finished["fast"] = time.monotonic()
        response = future.result()
    assert finished["fast"] < finished["slow"]
    assert response.status_code == 503
    body = response.json()
    assert "2 s limit" in body["error"] and "LIMIT" in body["hint"]
    # The worker that ran it retires and gunicorn replaces it; queries work again.
    assert answer_again(server).json()["boolean"] is True
    assert "retires" in server.log()


# --------------------------------------------------------------------------- fuzz


LEAKS = ("Traceback", 'File "', ".py", "site-packages", str(ROOT), "/usr/", "/home/", "/tmp/")


def _assert_clean(status: int, body: bytes) -> None:
    assert status < 500 or status == 503, body[:500]
    text = body.decode("utf-8", errors="replace")
    for leak in LEAKS:
        assert leak not in text, (leak, text[:500])


def _raw(server, request: bytes) -> tuple[int, bytes]:
    """Send raw bytes; return the status and body (0 if the server just closed)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        return 0, b""
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


def test_fuzz_no_traceback_or_path_in_any_response(endpoint_server):
    rng = random.Random(20240607)
    url = endpoint_server.url + "/sparql"
    fragments = ["SELECT", "*", "WHERE", "{", "}", "?s", "<http://x>", "'a", '"', "\\u0000", "FILTER(",
                 "PREFIX", ":", "GRAPH", "OPTIONAL", "}}", "((", "#", "\n", "ASK", "CONSTRUCT", "DESCRIBE",
                 "VALUES", "BIND(", "AS", ")", "1e999", "<", ">", "^^", "@en", "@", "SERVICE", "é", "\udcff"]
    for i in range(300):
        kind = i % 5
        if kind == 0:  # random bytes as a direct POST body
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
            r = requests.post(url, data=body, headers={"Content-Type": "application/sparql-query"}, timeout=30)
        elif kind == 1:  # SPARQL-ish token soup
            text = " ".join(rng.choice(fragments) for _ in range(rng.randrange(1, 40)))
            r = requests.get(url, params={"query": text.encode("utf-8", "surrogatepass")},
                             headers={"Accept": rng.choice(["*/*", "text/html", "application/json", ""])},
                             timeout=30)
        elif kind == 2:  # broken UTF-8 and odd escapes in the URL
            junk = "".join(rng.choice(["%FF", "%C3", "%00", "%E2%82", "%", "%zz", "a", "+", "&", "="])
                           for _ in range(rng.randrange(1, 30)))
            r = requests.get(f"{url}?query={junk}&format={junk}", timeout=30)
        elif kind == 3:  # odd methods and content types
            method = rng.choice(["PROPFIND", "TRACE", "FOO", "PATCH", "PUT", "DELETE", "POST"])
            ctype = rng.choice(["", "text/plain", "application/sparql-query; charset=latin1",
                                "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"])
            r = requests.request(method, url, data=bytes(rng.randrange(256) for _ in range(50)),
                                 headers={"Content-Type": ctype} if ctype else {}, timeout=30)
        else:  # odd Accept headers and parameters
            accept = "".join(rng.choice(["*/*", ";q=", "0.", "9", ",", "text/", "html", ";", "q=x", " "])
                             for _ in range(rng.randrange(1, 12)))
            r = requests.get(url, params={"query": "ASK {}", "format": rng.choice(["", "x", "html", "..", "ttl"]),
                                          "default-graph-uri": rng.choice(["", "x y", "http://a/"])},
                             headers={"Accept": accept.strip() or "*/*"}, timeout=30)
        _assert_clean(r.status_code, r.content)
    raw_requests = [
        b"GET /sparql?query=" + b"A" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 20_000 + b"\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(200)) + b"\r\n",
        b"\xff\xfe /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /sparql?query=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 5\r\nConnection: close\r\n\r\n\xc3\x28\xa0\xa1\xff",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"GARBAGE\r\n\r\n",
    ]
    for raw in raw_requests:
        status, body = _raw(endpoint_server, raw)
        _assert_clean(status, body)
    assert_alive(endpoint_server)
