"""Shared fixtures: the app and a test client (Flask style), and real servers on loopback.

Servers are started as ``python -m server serve`` from this checkout, so the code under
test is the code in the working tree, whatever is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests
from rdflib import Dataset, Graph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    command = [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
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
    """Run the `nkd` command of this checkout (``python -m server ARGS``) and capture its output."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, input=input, timeout=timeout_s)


def copy_graph(root: Path) -> Path:
    """A copy of the shipped graph/ (its Turtle and source texts, not its queries) under ``root``.

    For tests that change the graph or add to it: `nkd validate graph --sources graph/sources`
    run from ``root`` checks the copy as it checks the shipped graph.
    """
    from server.data import data_root

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
    from server.settings import load_settings

    return load_settings(environ={})


@pytest.fixture(scope="session")
def store(settings):
    """The shipped graph in an in-memory pyoxigraph store (read-only use only)."""
    from server.store import shipped_store

    return shipped_store(settings.public_base)


@pytest.fixture(scope="session")
def app(settings, store):
    """The Flask app over the shipped graph."""
    from server.web import create_app

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

    def start(self, ready_timeout_s: float = 30.0) -> "OxigraphServer":
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
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_oxigraph(tmp_dir: Path, timeout_s: float | None = None) -> OxigraphServer:
    """Start an empty Oxigraph server with a union default graph on a free loopback port."""
    port = free_port()
    return OxigraphServer(tmp_dir / f"oxigraph-{port}", port, tmp_dir / f"oxigraph-{port}.log",
                          timeout_s).start()


# The SPARQL endpoint's tests run on a small dataset of their own (two files, three
# named graphs), so they do not depend on what the shipped graph says.
ENDPOINT_DATA = ("tests/fixtures/sparql-endpoint.trig", "tests/fixtures/sparql-endpoint.ttl")


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
