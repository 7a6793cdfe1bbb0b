"""Every response's security headers and compression (server/web/delivery.py).

Flask's test client for what one response shows; a real server for a streamed result,
whose chunks only a real HTTP server sends.
"""

from __future__ import annotations

import ast
import gzip
import json
import zlib

import pytest
import rdflib
import requests

from conftest import ROOT, isomorphic, start_server
from nkd.sparql import STREAM_BYTES
from nkd.web.delivery import MIN_BYTES

GZIP = {"Accept-Encoding": "gzip"}
SELECT_100 = "SELECT * WHERE { ?s ?p ?o } LIMIT 100"
# Every kind of answer: pages, RDF, results by both paths to /sparql, errors, files.
ANSWERS = {
    "landing page": dict(path="/", headers={"Accept": "text/html"}),
    "entity page": dict(path="/id/place/china", headers={"Accept": "text/html"}),
    "ontology as Turtle": dict(path="/ontology.ttl"),
    "query page": dict(path="/sparql", headers={"Accept": "text/html"}),
    "result, GET": dict(path="/sparql", query_string={"query": SELECT_100}),
    "result, POST": dict(path="/sparql", method="POST", data={"query": SELECT_100}),
    "error as JSON": dict(path="/sparql", query_string={"query": "SELECT"}, headers={"Accept": "application/json"}),
    "not found page": dict(path="/no/such/page", headers={"Accept": "text/html"}),
    "dump": dict(path="/dumps/nkd.ttl"),
    "source text": dict(path="/sources/000_76ada298a9581b2c.txt"),
    "stylesheet": dict(path="/static/nkd.css"),
    "health": dict(path="/healthz"),
}


def _open(client, name: str, headers: dict[str, str] | None = None):
    spec = dict(ANSWERS[name])
    spec["headers"] = {**spec.get("headers", {}), **(headers or {})}
    return client.open(spec.pop("path"), **spec)


@pytest.mark.parametrize("name", ANSWERS)
def test_every_answer_carries_the_security_headers(client, name):
    answer = _open(client, name, GZIP)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    policy = dict(d.strip().split(" ", 1) for d in answer.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["landing page", "entity page", "ontology as Turtle", "query page",
                                  "result, GET", "result, POST", "not found page", "source text", "stylesheet"])
def test_text_is_gzipped_for_clients_that_ask_and_only_for_them(client, name):
    plain = _open(client, name)
    zipped = _open(client, name, GZIP)
    assert plain.status_code == zipped.status_code
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    assert gzip.decompress(zipped.data) == plain.data
    refused = _open(client, name, {"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


def test_rdf_and_results_survive_compression(client):
    turtle = gzip.decompress(_open(client, "ontology as Turtle", GZIP).data)
    assert isomorphic(rdflib.Graph().parse(data=turtle, format="turtle"),
                      rdflib.Graph().parse(data=_open(client, "ontology as Turtle").data, format="turtle"))
    rows = json.loads(gzip.decompress(_open(client, "result, GET", GZIP).data))["results"]["bindings"]
    assert len(rows) == 100


def test_small_answers_and_images_are_left_alone(client):
    small = client.get("/sparql", query_string={"query": "ASK {}"}, headers=GZIP)
    assert len(small.data) < MIN_BYTES
    assert "Content-Encoding" not in small.headers
    # Not compressed, but its coding still depends on Accept-Encoding as far as a cache
    # knows: a 304 for it (which has no body to measure) must carry the same Vary.
    assert "Accept-Encoding" in small.headers.get("Vary", "")
    icon = client.get("/favicon.ico", headers=GZIP)
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    assert icon.data.startswith(b"\x00\x00\x01\x00")  # an ICO file, as stored


def test_a_dump_is_compressed_once(client):
    zipped = _open(client, "dump", GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"  # once: the header is not repeated
    assert len(zipped.headers.getlist("Content-Encoding")) == 1
    turtle = gzip.decompress(zipped.data)
    assert not turtle.startswith(b"\x1f\x8b")  # not gzip inside gzip
    rdflib.Graph().parse(data=turtle, format="turtle")


def test_a_compressed_answer_has_a_weak_etag_that_revalidates(client):
    plain = _open(client, "source text")
    zipped = _open(client, "source text", GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"].startswith("W/") and zipped.headers["ETag"] == plain.headers["ETag"]
    # Weak comparison (If-None-Match): the tag of either coding revalidates the other.
    again = _open(client, "source text", {**GZIP, "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == zipped.headers["ETag"]
    assert "Content-Encoding" not in again.headers
    assert _open(client, "source text", {"If-None-Match": zipped.headers["ETag"]}).status_code == 304


def test_head_says_what_get_would_send(client):
    head = client.head("/ontology.ttl", headers=GZIP)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in head.headers["Vary"]


def test_the_filter_imports_no_flask():
    tree = ast.parse((ROOT / "server" / "web" / "delivery.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.split(".")[0] == "flask" for name in imported)


# --------------------------------------------------------------------------- streams, over HTTP

# Pairs of triples of the shipped graph: as many rows as asked for, a few hundred bytes each.
PAIRS = "SELECT * WHERE {{ ?s ?p ?o . ?a ?b ?c }} LIMIT {limit}"


def _raw(server, query: str, encoding: str, **kwargs) -> requests.Response:
    return requests.post(server.url + "/sparql", data={"query": query}, stream=True, timeout=120,
                         headers={"Accept": "application/sparql-results+json", "Accept-Encoding": encoding},
                         **kwargs)


def _rows(result: bytes) -> list[tuple]:
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items()))
                  for row in json.loads(result)["results"]["bindings"])


def test_a_streamed_result_is_compressed_as_it_streams(server):
    # IRIs only: the two requests may reach two workers, whose blank node labels differ.
    query = "SELECT ?s ?a WHERE { ?s ?p ?o . ?a ?b ?c FILTER(isIRI(?s) && isIRI(?a)) } LIMIT 20000"
    with _raw(server, query, "gzip") as zipped:
        assert zipped.status_code == 200
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert zipped.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in zipped.headers
        # Each piece is flushed as it comes: the first chunk already decompresses to the
        # result's beginning, before the rest has been read.
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pieces = zipped.raw.stream(65536, decode_content=False)
        first = decompressor.decompress(next(pieces))
        assert first.startswith(b'{"head":')
        compressed = b"".join(pieces)
    whole = first + decompressor.decompress(compressed) + decompressor.flush()
    assert decompressor.eof  # the gzip trailer arrived: the stream is complete
    with _raw(server, query, "identity") as plain:
        identity = plain.content
    assert len(identity) > STREAM_BYTES
    assert _rows(whole) == _rows(identity)


def test_a_compressed_stream_that_is_cut_off_stays_incomplete(tmp_path):
    served = start_server(tmp_path, "--workers", "1", "--max-result-bytes", str(3 * STREAM_BYTES))
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _raw(served, PAIRS.format(limit=100_000), "gzip").content
        assert "larger than" in served.log()
    finally:
        served.stop()
