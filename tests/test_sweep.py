"""Every combination a client can send: a well-formed answer each time, never a 5xx.

/sparql gets every method × kind of query × ``format`` value × Accept header × body
Content-Type (the product in full for GET, and across each other dimension for the
other methods), through the app in this process (Flask's test client: what it answers
is what negotiation and the guards decide); a real server gets a slice of it that
still takes every value of every dimension, through gunicorn and HTTP. The Linked Data
paths get odd headers (If-None-Match garbage, Range, Accept-Encoding, bad Accept) from
a real server. Each answer must have a status that fits the request, a body that parses
as its Content-Type says (results, RDF, the error shape as JSON, HTML or text), and no
traceback or file path.
"""

from __future__ import annotations

import itertools
import json
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests

from conftest import ROOT

# What each kind of query may get: its statuses (a browser may get the page instead of the
# result or the error, with the same status), whatever the format and Accept. The format
# is negotiated before the engine parses the query, except that a query offered no
# acceptable format is parsed first, so that a malformed one gets its 400, never a 406.
KINDS: dict[str, tuple[str | None, set[int]]] = {
    "select": ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3", {200, 406}),
    "ask": ("ASK { ?s ?p ?o }", {200, 406}),
    "construct": ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", {200, 406}),
    "describe": ("DESCRIBE ?s WHERE { ?s a ?type } LIMIT 1", {200, 406}),
    "syntax-error": ("SELECT * WHERE { ?s ?p }", {400}),
    "update": ("INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }", {403}),
    "service": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", {403}),
    "empty": ("", {400}),
    "too-deep": ("SELECT * WHERE " + "{" * 600 + "}" * 600, {400}),
    "too-complex": ("SELECT ((" + "!" * 1100 + "true) AS ?x) WHERE {}", {400}),
    "unknown-function": ("PREFIX fn: <http://www.w3.org/2005/xpath-functions#> "
                         "SELECT (fn:upper-case('a') AS ?x) WHERE {}", {400, 406}),
    "relative-iri": ("SELECT ?s WHERE { ?s ?p ?o FILTER(?o IN (1, <x>)) } LIMIT 3", {200, 406}),
    "non-ascii": ('SELECT ?s (" 북한 é " AS ?label) WHERE { ?s ?p ?o } LIMIT 2', {200, 406}),
    "no-query": (None, {200, 400, 406}),  # a bare GET is the Service Description or the page
}
FORMATS = [None, "", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig",
           "html", "png", "application/sparql-results+json", "text/turtle"]
ACCEPTS = [None, "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
           "application/rdf+xml", "application/trig", "application/n-quads", "application/json", "text/html",
           "*/*", "text/*", "application/*", "text/html;q=0.1, application/sparql-results+json",
           "text/csv;q=0.5, text/turtle;q=0.9, */*;q=0.1", "*/*, text/html;q=0",
           "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "image/png", "foo", ";;;,",
           "text/html;q=abc", "*/*;q=x"]
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
OTHER_BODIES = [None, "text/plain", "multipart/form-data; boundary=x", "application/sparql-update",
                "application/sparql-query; charset=latin1", FORM + "; charset=utf-8", "application/json"]

LEAKS = ("Traceback", 'File "', ".py\"", "site-packages", str(ROOT), "/usr/", "/home/", "/tmp/")
ERROR_STATUSES = {400, 403, 404, 405, 406, 413, 415, 416}
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS,
}


def sparql_requests(whole: bool = True) -> list[dict[str, Any]]:
    """Every request the sweep sends to /sparql, with the statuses its kind allows.

    ``whole=False``: the slice a real server gets; each kind of query with each format
    and each Accept header (not with each pair of them), and each other dimension with
    a few formats.
    """
    sent = []
    some_formats = FORMATS if whole else [None, "json", "turtle", "png"]

    def add(method: str, kind: str, fmt: str | None, accept: str | None, body_type: str | None = None) -> None:
        text, statuses = KINDS[kind]
        params = {} if text is None else {"query": text}
        if fmt is not None:
            params["format"] = fmt
        headers = {} if accept is None else {"Accept": accept}
        request: dict[str, Any] = {"method": method, "headers": headers, "kind": kind,
                                   "statuses": set(statuses)}
        if method in ("GET", "HEAD"):
            request["params"] = params
        elif body_type == DIRECT:
            request["params"] = {k: v for k, v in params.items() if k != "query"}
            request["data"] = (text or "").encode("utf-8")
            headers["Content-Type"] = DIRECT
        elif body_type == FORM:
            request["data"] = params
        else:
            request["data"] = b"query=ASK%20%7B%7D"
            if body_type:
                headers["Content-Type"] = body_type
            request["statuses"] = {400, 403, 406, 415} | statuses
        if method == "POST" and text is None:
            request["statuses"] |= {400, 415}  # a form with no field at all has no Content-Type
        sent.append(request)

    pairs = (itertools.product(FORMATS, ACCEPTS) if whole
             else [(fmt, None) for fmt in FORMATS] + [(None, accept) for accept in ACCEPTS[1:]])
    for kind, (fmt, accept) in itertools.product(KINDS, list(pairs)):
        add("GET", kind, fmt, accept)
    for kind, fmt in itertools.product(KINDS, some_formats):
        for accept in (None, "text/html", "application/json"):
            add("HEAD", kind, fmt, accept)
            add("POST", kind, fmt, accept, FORM)
    for kind, accept in itertools.product(KINDS, ACCEPTS):
        for fmt in (None, "csv", "turtle", "png") if whole else (None,):
            add("POST", kind, fmt, accept, DIRECT)
    for body_type, accept in itertools.product(OTHER_BODIES, (None, "text/html", "application/json")):
        add("POST", "select", None, accept, body_type)
    for method, accept in itertools.product(("PUT", "DELETE", "PATCH", "PROPFIND", "OPTIONS"), ACCEPTS[:13]):
        sent.append({"method": method, "headers": {} if accept is None else {"Accept": accept},
                     "kind": method, "statuses": {204} if method == "OPTIONS" else {405}})
    return sent


LINKED_DATA_PATHS = ["/", "/id/country/china", "/id/country/china.ttl", "/id/nothing/here", "/ontology",
                     "/ontology.rdf", "/shapes", "/.well-known/void", "/dumps/", "/dumps/nkd.ttl", "/dumps/nkd.nq",
                     "/sources/000_76ada298a9581b2c.txt", "/search?q=korea", "/search?q=", "/-/settings",
                     "/healthz", "/static/nkd.css", "/data/graph/events", "/no/such/page"]
ODD_HEADERS = [{}, {"If-None-Match": "garbage"}, {"If-None-Match": '"'}, {"If-None-Match": "*"},
               {"If-Modified-Since": "yesterday"}, {"Range": "bytes=0-10"}, {"Range": "bytes=abc"},
               {"Range": "bytes=999999999-"}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "br;q=garbage"},
               {"Accept": "foo"}, {"Accept": "text/html;q=abc"}, {"Accept": ";;"}, {"Accept": "image/png"},
               {"Accept": "text/turtle"}, {"Accept": "application/json"}]


@dataclass
class Answer:
    """What the checks read of a response, from a real server or from the test client."""

    status_code: int
    headers: Any
    content: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", errors="replace")


def well_formed(response: Answer, request: dict[str, Any]) -> str | None:
    """What is wrong with ``response`` to ``request``, or None."""
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    if status not in request["statuses"] | {304, 206}:
        return f"status {status}, expected one of {sorted(request['statuses'])}"
    text = response.content.decode("utf-8", errors="replace")
    leak = next((leak for leak in LEAKS if leak in text), None)
    if leak:
        return f"the body shows {leak!r}"
    if request["method"] == "HEAD" or status in (204, 304):
        return "a body where none belongs" if response.content else None
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    try:
        if status in ERROR_STATUSES and request.get("error_shape", True):
            check_error(media_type, response)
        else:
            check_body(media_type, response.content)
    except Exception as exc:  # any parse error is the finding
        return f"{media_type} body does not parse: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def check_error(media_type: str, response: Answer) -> None:
    """The error shape: JSON, an HTML page (the error page, or the query page), or text."""
    status = response.status_code
    if media_type == "application/json":
        body = json.loads(response.content)
        assert body["ok"] is False and body["status"] == status and body["error"] and body["hint"], body
    elif media_type == "text/html":
        assert response.text.lstrip().lower().startswith("<!doctype html>") and "</html>" in response.text
    else:
        assert media_type == "text/plain", media_type
        assert response.text.startswith(f"{status} ") and "How to fix: " in response.text, response.text[:200]


def check_body(media_type: str, body: bytes) -> None:
    """A result, an RDF document, a page or a text parses as its media type says."""
    if media_type in RESULT_FORMATS:
        parsed = ox.parse_query_results(body, format=RESULT_FORMATS[media_type])
        list(parsed) if not isinstance(parsed, ox.QueryBoolean) else bool(parsed)
    elif media_type == "text/csv":
        assert body.decode("utf-8").splitlines()
    elif media_type in RDF_FORMATS:
        list(ox.parse(body, format=RDF_FORMATS[media_type]))
    elif media_type == "text/html":
        text = body.decode("utf-8")
        assert text.lstrip().lower().startswith("<!doctype html>") and "</html>" in text
    elif media_type in ("application/json", "application/sparql-results+json"):
        json.loads(body)
    elif media_type == "application/xml":
        ET.fromstring(body)
    else:
        assert media_type in ("text/plain", "text/css"), media_type
        body.decode("utf-8")


def problem_with(answer: Answer, request: dict[str, Any]) -> str | None:
    """A finding about one answer, naming the request, or None."""
    problem = well_formed(answer, request)
    shown = {k: v for k, v in request.items() if k not in ("statuses", "data")}
    return None if problem is None else f"{problem}: {shown}"


def sweep(server, sent: list[dict[str, Any]], path: str = "/sparql") -> list[str]:
    """Send every request to a real server on four keep-alive connections; the findings, one line each."""
    local = threading.local()

    def send(request: dict[str, Any]) -> str | None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        response = local.session.request(
            request["method"], server.url + request.get("path", path), params=request.get("params"),
            data=request.get("data"), headers=request["headers"], timeout=60, allow_redirects=False)
        return problem_with(Answer(response.status_code, response.headers, response.content), request)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [found for found in pool.map(send, sent) if found]


def sweep_in_process(client, sent: list[dict[str, Any]], path: str = "/sparql") -> list[str]:
    """Send every request to the app through Flask's test client; the findings, one line each."""

    def send(request: dict[str, Any]) -> str | None:
        response = client.open(request.get("path", path), method=request["method"],
                               query_string=request.get("params"), data=request.get("data"),
                               headers=request["headers"])
        return problem_with(Answer(response.status_code, response.headers, response.get_data()), request)

    return [found for found in map(send, sent) if found]


def test_every_request_to_sparql_gets_a_well_formed_answer(client):
    sent = sparql_requests()
    assert len(sent) > 5000
    findings = sweep_in_process(client, sent)
    assert not findings, f"{len(findings)} of {len(sent)} requests:\n" + "\n".join(findings[:20])


def test_a_slice_of_the_requests_to_sparql_through_a_real_server(server):
    sent = sparql_requests(whole=False)
    # Every value of every dimension, if not every combination of them.
    assert {request["kind"] for request in sent} >= set(KINDS)
    assert {request["method"] for request in sent} >= {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}
    assert {request.get("params", {}).get("format") for request in sent} >= set(FORMATS)
    assert {request["headers"].get("Accept") for request in sent} >= set(ACCEPTS)
    # (A form's Content-Type is set by the client, from its fields.)
    assert {request["headers"].get("Content-Type") for request in sent} >= set(OTHER_BODIES) | {DIRECT}
    assert any(isinstance(request.get("data"), dict) for request in sent)
    findings = sweep(server, sent)
    assert not findings, f"{len(findings)} of {len(sent)} requests:\n" + "\n".join(findings[:20])


def test_every_linked_data_path_takes_odd_headers(server):
    sent = [{"method": method, "path": path, "headers": headers, "kind": "ld",
             "statuses": {200, 404, 406, 416}, "error_shape": path != "/static/nkd.css"}
            for path, headers, method in itertools.product(LINKED_DATA_PATHS, ODD_HEADERS, ("GET", "HEAD"))]
    findings = sweep(server, sent, path="")
    assert not findings, f"{len(findings)} of {len(sent)} requests:\n" + "\n".join(findings[:20])
