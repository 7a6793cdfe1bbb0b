"""The shipped nginx configuration (deploy/nginx/nkd.conf) as a shared cache in front of nkd.

The layout the README describes: two `nkd serve` replicas on one on-disk store, one
nginx (Debian's nginx-light) in front. nginx runs with a configuration of its own in a
temporary directory, on a loopback port, never the system service: the shipped file
with only its addresses and cache directory changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

from conftest import ROOT, Server, free_port, invoke_nkd, require_tool, start_server, terminate

pytestmark = pytest.mark.slow

DEPLOYED = ROOT / "deploy" / "nginx" / "nkd.conf"
EVENT = "/id/event/2020-north-korea-border-closure"
QUERY = "SELECT ?s WHERE { ?s a <https://w3id.org/nkd/ontology#BorderClosure> } ORDER BY ?s"
# Each copy is fresh for a second, then revalidated (no stale serving: the 304 is seen at once).
MAX_AGE = ["--cache-max-age-s", "1", "--stale-while-revalidate-s", "0"]
PATIENCE_S = 60


@dataclass
class Nginx:
    """A running nginx with its own prefix directory."""

    process: subprocess.Popen
    url: str
    directory: Path

    def stop(self) -> None:
        """Stop nginx (SIGTERM, then SIGKILL) and wait for it."""
        terminate(self.process, grace_s=20)


def nginx_binary() -> str:
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack)."""
    for candidate in ("/usr/sbin/nginx",):
        if os.access(candidate, os.X_OK):
            return candidate
    return require_tool("nginx", "nginx-light")


def start_nginx(directory: Path, upstreams: list[str]) -> Nginx:
    """nginx with the shipped configuration, its addresses and directories moved into ``directory``."""
    binary = nginx_binary()
    port = free_port()
    cache = directory / "cache"
    for sub in ("cache", "temp", "logs"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    site = DEPLOYED.read_text(encoding="utf-8")
    site = site.replace("/var/cache/nginx/nkd", str(cache))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    servers = "\n".join(f"    server {upstream};" for upstream in upstreams)
    site, replaced = re.subn(r"(upstream nkd \{\n)(?:\s*#.*\n)?(?:\s*server [^;]+;\n)+", rf"\1{servers}\n", site)
    assert replaced == 1, "the shipped configuration's upstream block has changed shape"
    (directory / "nkd.conf").write_text(site, encoding="utf-8")
    temp = directory / "temp"
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/nkd.conf;
}}
"""
    (directory / "nginx.conf").write_text(main, encoding="utf-8")
    command = [binary, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e",
               str(directory / "logs" / "error.log"), "-g", "daemon off;"]
    checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    with open(directory / "logs" / "stdout.log", "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Nginx(process, f"http://127.0.0.1:{port}", directory)
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((directory / "logs" / "error.log").read_text(errors="replace"))
        try:
            requests.get(running.url + "/healthz", timeout=2)
            return running
        except requests.RequestException:
            time.sleep(0.1)
    running.stop()
    raise RuntimeError("nginx did not start")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory) -> Iterator[list[Server]]:
    """Two `nkd serve` replicas on one on-disk store of the shipped graph."""
    directory = tmp_path_factory.mktemp("replicas")
    built = invoke_nkd("load", "--store", str(directory / "store"))
    assert built.returncode == 0, built.stderr
    started = []
    try:
        for _ in range(2):
            started.append(start_server(directory, "--store", str(directory / "store"), "--workers", "1", *MAX_AGE))
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def cache(replicas, tmp_path_factory) -> Iterator[Nginx]:
    """nginx with the shipped configuration in front of both replicas."""
    running = start_nginx(tmp_path_factory.mktemp("nginx"), [server.url.split("//")[1] for server in replicas])
    yield running
    running.stop()
    shutil.rmtree(running.directory / "cache", ignore_errors=True)


def seen_by_nkd(replicas: list[Server], request: str, status: int) -> int:
    """How many times the replicas logged ``request`` ("GET /path") with ``status``."""
    return sum(len(re.findall(rf'"{re.escape(request)}" {status} ', server.log())) for server in replicas)


def fetch(cache: Nginx, path: str, accept: str, **params) -> requests.Response:
    """A GET through the cache."""
    return requests.get(cache.url + path, params=params, headers={"Accept": accept}, timeout=PATIENCE_S)


def wait_for(condition, what: str):
    """Poll ``condition`` until it is true; fail after PATIENCE_S."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.mark.parametrize("path, params, accept", [
    ("/sparql", {"query": QUERY}, "application/sparql-results+json"),
    (EVENT, {}, "text/turtle"),
], ids=["query", "entity"])
def test_a_repeated_request_comes_from_the_cache_and_revalidates_with_304(cache, replicas, path, params, accept):
    request = f"GET {path}"
    before = seen_by_nkd(replicas, request, 200)
    first = fetch(cache, path, accept, **params)
    assert first.status_code == 200 and first.headers["X-Cache-Status"] == "MISS"
    second = fetch(cache, path, accept, **params)
    assert second.status_code == 200 and second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content and second.headers["ETag"] == first.headers["ETag"]
    wait_for(lambda: seen_by_nkd(replicas, request, 200) == before + 1, "nkd's log of the first request")
    assert seen_by_nkd(replicas, request, 200) == before + 1  # the second never reached nkd

    # Past max-age nginx asks again with the copy's validators; nkd says 304 (whichever
    # replica answers: both give the same tags), and nginx serves its copy.
    revalidations = seen_by_nkd(replicas, request, 304)
    time.sleep(2.5)  # nginx counts max-age in whole seconds: past 2 s, a 1 s copy has expired
    third = fetch(cache, path, accept, **params)
    assert third.status_code == 200 and third.headers["X-Cache-Status"] == "REVALIDATED"
    assert third.content == first.content
    wait_for(lambda: seen_by_nkd(replicas, request, 304) == revalidations + 1, "nkd's 304")
    assert seen_by_nkd(replicas, request, 200) == before + 1


def test_errors_and_posts_are_not_kept(cache, replicas):
    for _ in range(2):
        refused = fetch(cache, "/sparql", "application/json", query="SELECT * WHERE {")
        assert refused.status_code == 400 and refused.headers.get("X-Cache-Status") != "HIT"
        posted = requests.post(cache.url + "/sparql", data={"query": QUERY}, timeout=PATIENCE_S,
                               headers={"Accept": "application/sparql-results+json"})
        assert posted.status_code == 200 and posted.headers.get("X-Cache-Status") != "HIT"


def test_each_accept_header_gets_its_own_copy(cache):
    turtle = fetch(cache, "/ontology", "text/turtle")
    html = fetch(cache, "/ontology", "text/html")
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert html.headers["Content-Type"].startswith("text/html")
    assert fetch(cache, "/ontology", "text/turtle").content == turtle.content


def test_a_gzip_copy_revalidates_with_the_tag_of_the_plain_one(cache):
    plain = requests.get(cache.url + "/dumps/nkd.nt", headers={"Accept-Encoding": "identity"}, timeout=PATIENCE_S)
    zipped = requests.get(cache.url + "/dumps/nkd.nt", headers={"Accept-Encoding": "gzip"}, timeout=PATIENCE_S)
    assert zipped.headers.get("Content-Encoding") == "gzip" and "Content-Encoding" not in plain.headers
    again = requests.get(cache.url + "/dumps/nkd.nt", timeout=PATIENCE_S,
                         headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
