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


# The SPARQL endpoint's tests run on a small dataset of their own (two files, three
# named graphs), so they do not depend on what the shipped graph says.
ENDPOINT_DATA = ("tests/fixtures/sparql-endpoint.trig", "tests/fixtures/sparql-endpoint.ttl")


def endpoint_data_args() -> list[str]:
    """`nkd serve` / `nkd query` arguments that load the endpoint's test dataset."""
    return [arg for path in ENDPOINT_DATA for arg in ("--data", path)]


@pytest.fixture(scope="session")
def endpoint_server(tmp_path_factory) -> Iterator[Server]:
    """One real `nkd serve` on the endpoint's test dataset, shared by the session."""
    running = start_server(tmp_path_factory.mktemp("endpoint"), *endpoint_data_args())
    yield running
    running.stop()
