"""Shared fixtures: the app and a test client (Flask style), and real servers on loopback.

Servers are started as ``python -m nkd serve`` from this checkout, so the code under
test is the code in the working tree, whatever is installed.

The suite runs in parallel (pytest-xdist, ``-n auto --dist loadfile`` in pyproject.toml):
the tests of a module run on one worker process, so that what a module starts it starts
once; each worker has its own session fixtures (servers, browser, Virtuoso), its own
temporary directories and its own share of the free ports (:func:`free_port`).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
import pytest
import requests
from rdflib import Dataset, Graph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A pattern no store finishes: the twelve-fold cartesian product of the data, at least
# 22**12 (about 10**16) rows on the smallest fixture a runaway test uses, and 10**46 on
# the shipped graph. A test that needs a query to run past a time limit must use one
# that cannot finish on any machine: a six-fold product of a 12-triple fixture is 3
# million rows, which a quiet machine counts in 0.6 s.
PRODUCT = "WHERE { " + " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(12)) + " }"
# Counting it yields no row until the end, so only a time limit stops it.
RUNAWAY = "SELECT (COUNT(*) AS ?n) " + PRODUCT


# The modules that take longest, longest first (measured with --durations=0): they start
# first, so that no worker is left running one of them alone at the end; the rest follow
# in file order (pyproject.toml turns off xdist's own order, by number of tests).
SLOWEST_MODULES = ("test_site_pages.py", "test_shapes.py", "test_backends.py", "test_faults.py",
                   "test_provenance.py", "test_streaming.py", "test_virtuoso.py", "test_sparql_guards_http.py",
                   "test_query_page.py", "test_packaging.py", "test_sweep.py", "test_content_pages_browser.py",
                   "test_reasoning.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the slowest modules first (see :data:`SLOWEST_MODULES`); the rest keep their order."""
    rank = {name: n for n, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Iterator[int]:
    """``-n auto``: one worker more than pytest-xdist would start (one per usable core).

    The suite keeps every core busy but for the tenth of its time that its workers wait
    on servers, time limits and child processes; one more worker fills those waits. A
    number set in PYTEST_XDIST_AUTO_NUM_WORKERS is taken as it is.
    """
    workers = yield
    return workers if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else workers + 1


def client_port_range() -> range:
    """The ports the kernel gives to outgoing connections (Linux's ``ip_local_port_range``)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a server to listen on.

    Never one of the ports the kernel hands to outgoing connections: a port found free
    there could become a client's (one of the suite's thousands of requests) before the
    server binds it, which then fails with "Address already in use". Under pytest-xdist
    each worker takes only the ports of its own residue (the port number modulo the
    number of workers), so that two workers never both pick the same port; the search
    starts at a random port, so that two picks of one worker before either is bound
    rarely meet.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    clients = client_port_range()
    ports = range(10000, clients.start) if clients.start > 12000 else range(clients.stop, 65536)
    start = random.randrange(len(ports))
    for offset in range(len(ports)):
        port = ports[(start + offset) % len(ports)]
        if port % workers != worker:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@dataclass
class Server:
    """A running `nkd serve` process and its base URL."""

    process: subprocess.Popen
    url: str
    log_path: Path
    args: list[str] = field(default_factory=list)

    def log(self) -> str:
        """Everything the server has written to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_server(tmp_dir: Path, *args: str, env: dict[str, str] | None = None,
                 ready_timeout_s: float = 60.0) -> Server:
    """Start ``nkd serve ARGS`` on a free loopback port; return once /healthz answers."""
    port = free_port()
    log_path = tmp_dir / f"server-{port}.log"
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    command = [sys.executable, "-m", "nkd", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log_path, list(args))
    deadline = time.monotonic() + ready_timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nkd serve exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                # /healthz answers before the store is needed; make sure queries work too.
                requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"nkd serve did not become ready in {ready_timeout_s} s:\n{server.log()}")


def run_nkd(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout_s: float = 600.0, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the `nkd` command of this checkout (``python -m nkd ARGS``) and capture its output."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "nkd", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, input=input, timeout=timeout_s)


def invoke_nkd(*args: str, input: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the `nkd` command in this process, from ``cwd``: its entry point (``nkd.cli.main``),
    with stdin, stdout and stderr captured, and its exit status as a return code.

    What a command prints and exits with, without starting Python and importing nkd again
    (half a second each); :func:`run_nkd` runs the real process, for what only a process
    shows (``python -m nkd``, signals, a query thread left running at exit).
    """
    from click.testing import CliRunner

    from nkd.cli import main

    with contextlib.chdir(cwd), CliRunner().isolation(input=input) as (stdout, stderr, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else int(exited.code is not None)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return subprocess.CompletedProcess(["nkd", *args], code, stdout.getvalue().decode("utf-8"),
                                       stderr.getvalue().decode("utf-8", errors="backslashreplace"))


def copy_graph(root: Path) -> Path:
    """A copy of the shipped graph/ (its Turtle and source texts, not its queries) under ``root``.

    For tests that change the graph or add to it: `nkd validate graph --sources graph/sources`
    run from ``root`` checks the copy as it checks the shipped graph.
    """
    from nkd.data import data_root

    shutil.copytree(data_root() / "graph", root / "graph", ignore=shutil.ignore_patterns("queries"))
    return root


def answer_again(server: Server, patience_s: float = 60.0) -> requests.Response:
    """``ASK { ?s ?p ?o }`` until it gets a 200 or the patience runs out; the last answer.

    For after a worker was retired or abandoned: gunicorn is forking its replacement.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            answer = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                  headers={"Accept": "application/json"}, timeout=10)
            if answer.status_code == 200 or time.monotonic() > deadline:
                return answer
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@pytest.fixture(scope="session")
def settings():
    """Default settings (no environment overrides)."""
    from nkd.settings import load_settings

    return load_settings(environ={})


@pytest.fixture(scope="session")
def store(settings):
    """The shipped graph in an in-memory pyoxigraph store (read-only use only)."""
    from nkd.store import shipped_store

    return shipped_store(settings.public_base)


@pytest.fixture(scope="session")
def app(settings, store):
    """The Flask app over the shipped graph."""
    from nkd.web import create_app

    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    return application


@pytest.fixture()
def client(app):
    """A Flask test client (for checks that need no real server)."""
    return app.test_client()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """One real `nkd serve` on the shipped graph, shared by the whole session."""
    running = start_server(tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The path of Debian's chromium; skipped locally when missing, an error in CI."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("NKD_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (NKD_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Debian chromium under Playwright, shared by the session's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# --------------------------------------------------------------------------- external store


def terminate(process: subprocess.Popen | None, grace_s: float = 10) -> None:
    """Stop a process a test started: SIGTERM, SIGKILL after ``grace_s``, and wait for it."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class OxigraphServer:
    """A running Oxigraph server (the `oxigraph` package) on loopback, restartable on its port."""

    location: Path
    port: int
    log_path: Path
    timeout_s: float | None = None  # Oxigraph's own query time limit
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return self.url + "/query"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return self.url + "/store"

    def start(self, ready_timeout_s: float = 60.0) -> "OxigraphServer":
        """Start (or restart) the server on its location and port; return once it answers."""
        binary = Path(sys.executable).with_name("oxigraph")
        command = [str(binary if binary.exists() else shutil.which("oxigraph") or "oxigraph"),
                   "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
                   "--union-default-graph"]
        if self.timeout_s is not None:
            command += ["--timeout-s", f"{self.timeout_s:g}"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}:\n"
                                   + self.log_path.read_text(errors="replace"))
            try:
                requests.get(self.query_url, params={"query": "ASK {}"}, timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph did not start in time:\n" + self.log_path.read_text(errors="replace"))

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it."""
        terminate(self.process)


def start_oxigraph(tmp_dir: Path, timeout_s: float | None = None) -> OxigraphServer:
    """Start an empty Oxigraph server with a union default graph on a free loopback port."""
    port = free_port()
    return OxigraphServer(tmp_dir / f"oxigraph-{port}", port, tmp_dir / f"oxigraph-{port}.log",
                          timeout_s).start()


# The SPARQL endpoint's tests run on a small dataset of their own (two files, three
# named graphs), so they do not depend on what the shipped graph says.
ENDPOINT_DATA = ("tests/fixtures/sparql-endpoint.trig", "tests/fixtures/sparql-endpoint.ttl")


def shipped_graph(kind: str) -> Graph:
    """The union of the shipped Turtle files of one data directory (ontology, graph, shapes), by rdflib."""
    graph = Graph()
    for path in sorted((ROOT / kind).glob("*.ttl")):
        graph.parse(path)
    return graph


def isomorphic(first: Graph, second: Graph) -> bool:
    """Whether two rdflib graphs are the same graph, whatever their blank nodes are called.

    Each is put in canonical form by pyoxigraph (its blank nodes renamed from the graph's
    own structure) and the two are compared as sets of triples. Renaming blank nodes is an
    isomorphism, so graphs that differ never compare equal. This decides what
    rdflib.compare.isomorphic decides, in milliseconds where rdflib takes seconds on the
    shapes' thousand blank nodes.
    """
    def canonical(graph: Graph) -> ox.Dataset:
        dataset = ox.Dataset(ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                                      format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return dataset

    return len(first) == len(second) and canonical(first) == canonical(second)


def all_triples(dataset: Dataset) -> Graph:
    """Every triple of an rdflib Dataset, whatever its graph, as one Graph (to compare by isomorphism)."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def endpoint_data_args() -> list[str]:
    """`nkd serve` / `nkd query` arguments that load the endpoint's test dataset."""
    return [arg for path in ENDPOINT_DATA for arg in ("--data", path)]


@pytest.fixture(scope="session")
def endpoint_server(tmp_path_factory) -> Iterator[Server]:
    """One real `nkd serve` on the endpoint's test dataset, shared by the session."""
    running = start_server(tmp_path_factory.mktemp("endpoint"), *endpoint_data_args())
    yield running
    running.stop()


# --------------------------------------------------------------------------- Debian's tools


def require_tool(name: str, package: str) -> str:
    """The path of a program the test needs; skipped locally when missing, an error in CI.

    CI (``.ci/run``) installs them and sets NKD_REQUIRE_TOOLS, so these tests run there.
    """
    path = shutil.which(name)
    if path is None:
        if os.environ.get("NKD_REQUIRE_TOOLS"):
            pytest.fail(f"{name} is required (NKD_REQUIRE_TOOLS is set) but not installed")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return path


# --------------------------------------------------------------------------- Virtuoso

# The user `nkd push` writes as, created in each test Virtuoso and granted SPARQL_UPDATE.
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "nkd", "nkd-test-secret"


@dataclass
class VirtuosoServer:
    """A running Virtuoso 7 (Debian's virtuoso-opensource) with a database and ports of its own."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint (anonymous, read-only)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        """The Graph Store endpoint that takes writes (HTTP Digest), with the test user's credentials."""
        return f"http://{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}@127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def anonymous_gsp_url(self) -> str:
        """The anonymous Graph Store endpoint (read-only)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def log(self) -> str:
        """Virtuoso's own log."""
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it."""
        terminate(self.process, grace_s=30)


def start_virtuoso(directory: Path, ready_timeout_s: float = 120.0) -> VirtuosoServer:
    """Start virtuoso-t in the foreground on free loopback ports, with the test user made."""
    binary = require_tool("virtuoso-t", "virtuoso-opensource")
    isql = require_tool("isql-vt", "virtuoso-opensource")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port = free_port()
    http_port = next(port for port in iter(free_port, None) if port != sql_port)
    template = string.Template((FIXTURES / "virtuoso.ini").read_text(encoding="utf-8"))
    ini = directory / "virtuoso.ini"
    ini.write_text(template.substitute(dir=directory, sql_port=sql_port, http_port=http_port, max_rows=10000,
                                       time_limit_s=5), encoding="utf-8")
    with open(directory / "stdout.log", "wb") as out:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = VirtuosoServer(directory, sql_port, http_port, process)
    deadline = time.monotonic() + ready_timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(server.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"virtuoso-t did not start in {ready_timeout_s} s:\n{server.log()}")
        time.sleep(0.2)
    # A fresh database's administrator is dba/dba; it makes the user `nkd push` writes as.
    made = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba",
                           f"exec=DB.DBA.USER_CREATE('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
                           f"GRANT SPARQL_UPDATE TO \"{VIRTUOSO_USER}\";"],
                          capture_output=True, text=True, timeout=60)
    if made.returncode != 0 or "Error" in made.stdout + made.stderr:
        server.stop()
        raise RuntimeError(f"could not create the Virtuoso user: {made.stdout}{made.stderr}")
    return server


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the session (a start takes seconds); tests push what they need into it."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


_PUSHED: dict[tuple[int, tuple[str, ...]], list[str]] = {}


def virtuoso_holding(server: VirtuosoServer, files: list[Path]) -> list[str]:
    """Push ``files`` (none: the shipped graph) into ``server`` once; return their graphs' names.

    The test data sets name their graphs apart, so they live side by side in one store,
    and `nkd serve --endpoint … --store-graphs` picks one of them.
    """
    from nkd.store import file_sources, shipped_sources

    key = (server.http_port, tuple(str(path) for path in files))
    if key not in _PUSHED:
        pushed = invoke_nkd("push", "--to", server.gsp_url, *key[1])
        assert pushed.returncode == 0, pushed.stderr
        sources = file_sources(files, "https://w3id.org/nkd/") if files else shipped_sources("https://w3id.org/nkd/")
        _PUSHED[key] = [source.graph for source in sources if source.graph]
    return _PUSHED[key]
