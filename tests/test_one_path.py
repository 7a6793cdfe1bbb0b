"""One request path for /sparql: the protocol handler answers every request that is not a page.

Only the query page and a bare GET (the page or the Service Description) reach Flask;
results and errors of every other request are answered ahead of it, errors in the same
shapes (JSON, HTML, text) as Flask's own.
"""

from __future__ import annotations

import pytest
import requests
from werkzeug.test import Client

from nkd.web.protocol import SparqlProtocol

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/nkd/ontology#Defector> } ORDER BY ?s LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } ORDER BY ?s ?c LIMIT 5"
FORM = "application/x-www-form-urlencoded"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

PROGRAMS = {
    "get-json": dict(method="GET", query_string={"query": SELECT}),
    "get-csv": dict(method="GET", query_string={"query": SELECT}, headers={"Accept": "text/csv"}),
    "get-format-tsv": dict(method="GET", query_string={"query": SELECT, "format": "tsv"}),
    "head": dict(method="HEAD", query_string={"query": SELECT}),
    "post-form": dict(method="POST", data={"query": SELECT}, content_type=FORM),
    "post-direct": dict(method="POST", data=SELECT, content_type="application/sparql-query"),
    "construct-turtle": dict(method="GET", query_string={"query": CONSTRUCT}, headers={"Accept": "text/turtle"}),
    "syntax-error": dict(method="GET", query_string={"query": "SELECT * WHERE { ?s ?p"},
                         headers={"Accept": "application/json"}),
    "not-acceptable": dict(method="GET", query_string={"query": SELECT}, headers={"Accept": "image/png"}),
    "browser-asks-turtle-of-a-select": dict(method="GET", query_string={"query": SELECT, "format": "turtle"},
                                            headers={"Accept": BROWSER}),
    "update": dict(method="POST", data={"update": "CLEAR ALL"}, content_type=FORM),
    "service": dict(method="GET", query_string={"query": "SELECT * WHERE { SERVICE <http://example.org/> {} }"}),
    "wrong-type": dict(method="POST", data=SELECT, content_type="text/plain"),
    "no-query": dict(method="GET", query_string={"default-graph-uri": "https://w3id.org/nkd/data/graph/actors"}),
    "repeated": dict(method="GET", query_string=[("query", SELECT), ("query", SELECT)]),
    "unknown-function": dict(method="GET", query_string={"query": "SELECT * { FILTER(<custom:f>(1)) }"}),
    "preflight": dict(method="OPTIONS"),
    "put": dict(method="PUT", data=SELECT),
}
PAGES = {
    "browser-query": dict(method="GET", query_string={"query": SELECT}, headers={"Accept": BROWSER}),
    "format-html": dict(method="GET", query_string={"query": SELECT, "format": "html"}),
    "browser-form": dict(method="POST", data={"query": SELECT}, content_type=FORM, headers={"Accept": "text/html"}),
    "browser-syntax-error": dict(method="GET", query_string={"query": "SELECT * WHERE {"},
                                 headers={"Accept": "text/html"}),
    "bare-get-browser": dict(method="GET", headers={"Accept": BROWSER}),
    "service-description": dict(method="GET"),
    "service-description-turtle": dict(method="GET", headers={"Accept": "text/turtle"}),
}


class CountingApp:
    """The Flask app behind the handler, counting the requests passed on to it."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture()
def handler(app):
    """A fresh protocol handler in front of a counting copy of ``app``'s Flask side."""
    protocol = app.wsgi_app
    while not isinstance(protocol, SparqlProtocol):  # under the outer filters (compression, headers)
        protocol = protocol.wsgi_app
    flask_side = CountingApp(protocol.wsgi_app)
    return SparqlProtocol(flask_side, app.extensions["nkd"], protocol.render_html), flask_side


@pytest.mark.parametrize("name", PROGRAMS)
def test_programs_are_answered_without_flask(handler, name):
    protocol, flask_side = handler
    response = Client(protocol).open("/sparql", **PROGRAMS[name])
    assert response.status_code < 500
    assert flask_side.calls == 0
    assert response.headers["Vary"] == "Accept" and response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", PAGES)
def test_pages_and_the_description_go_to_flask(handler, name):
    protocol, flask_side = handler
    response = Client(protocol).open("/sparql", **PAGES[name])
    assert flask_side.calls == 1
    expected = "text/turtle" if name.startswith("service-description") else "text/html"
    assert response.headers["Content-Type"].startswith(expected)


def test_an_html_error_of_the_handler_is_the_error_page(handler, client):
    protocol, _ = handler
    response = Client(protocol).open("/sparql", **PROGRAMS["browser-asks-turtle-of-a-select"])
    assert response.status_code == 406 and response.headers["Content-Type"].startswith("text/html")
    page = response.get_data(as_text=True)
    assert "406 Not acceptable" in page and 'href="/static/nkd.css"' in page
    # The same page Flask renders for its own errors, but for the error itself.
    flask_page = client.get("/no-such-page", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert page.split("<main")[0] == flask_page.split("<main")[0].replace("404 Not found", "406 Not acceptable")
    assert page.split("</main>")[1] == flask_page.split("</main>")[1]  # the footer too
    mounted = Client(protocol).open("/sparql", **PROGRAMS["browser-asks-turtle-of-a-select"],
                                    environ_overrides={"SCRIPT_NAME": "/nkd"})
    assert 'href="/nkd/static/nkd.css"' in mounted.get_data(as_text=True)  # where the app is mounted


def test_a_remembered_get_takes_its_decision_from_memory(handler):
    protocol, _ = handler
    for attempt in range(3):
        response = Client(protocol).get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    info = protocol._decide_get.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_remembered_get_still_follows_each_requests_accept_and_format(app):
    """The remembered decision of a GET is keyed by its query string and Accept header."""
    asked = [({}, "application/sparql-results+json"), ({"Accept": "text/csv"}, "text/csv"),
             ({}, "application/sparql-results+json"), ({"Accept": "text/csv"}, "text/csv"),
             ({"Accept": BROWSER}, "text/html")]
    for headers, expected in asked:
        response = Client(app).get("/sparql", query_string={"query": SELECT}, headers=headers)
        assert response.headers["Content-Type"].startswith(expected), headers
    tsv = Client(app).get("/sparql", query_string={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert tsv.headers["Content-Type"].startswith("text/tab-separated-values")


def test_head_has_the_headers_of_get_and_no_body(client):
    get = client.get("/sparql", query_string={"query": SELECT})
    head = client.head("/sparql", query_string={"query": SELECT})
    assert head.status_code == 200 and head.get_data() == b""
    for header in ("Content-Type", "Content-Length", "X-Query-Hash", "Vary"):
        assert head.headers[header] == get.headers[header]
    refused = client.head("/sparql", query_string={"query": "SELECT * WHERE {"})
    assert refused.status_code == 400 and refused.get_data() == b""


def test_syntax_error_wins_over_406(client):
    # A malformed query asking for a format its form cannot take: fixing the format first
    # would only lead to the 400 it should have had.
    malformed = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }", "format": "turtle"},
                           headers={"Accept": "application/json"})
    assert malformed.status_code == 400
    assert "line 1" in malformed.get_json()["error"]
    # relative IRIs resolve against the endpoint's base, as when the query runs
    relative = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s <p> ?o }"},
                          headers={"Accept": "text/turtle"})
    assert relative.status_code == 406
    well_formed = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert well_formed.status_code == 406 and "application/sparql-results+json" in well_formed.get_data(as_text=True)


def test_a_method_the_endpoint_lacks_is_405_with_allow(client):
    response = client.put("/sparql", data=SELECT, headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.get_json()["title"] == "Method not allowed"


def test_without_cors_no_answer_allows_other_origins(settings, store):
    from dataclasses import replace

    from nkd.web import create_app

    app = create_app(replace(settings, cors=False), store=store)
    for name in ("get-json", "post-form", "syntax-error", "head", "preflight", "browser-asks-turtle-of-a-select"):
        for attempt in ("first", "again"):
            response = Client(app).open("/sparql", **PROGRAMS[name])
            assert response.status_code < 500, (name, attempt)
            assert "Access-Control-Allow-Origin" not in response.headers, (name, attempt)
            assert "Accept" in response.headers.get_all("Vary")[0].split(", "), (name, attempt)


def test_a_chunked_query_body_is_answered_like_any_other(server):
    def chunks():
        yield SELECT[:20].encode()
        yield SELECT[20:].encode()

    headers = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    chunked = requests.post(server.url + "/sparql", data=chunks(), headers=headers, timeout=30)
    plain = requests.post(server.url + "/sparql", data=SELECT, headers=headers, timeout=30)
    assert chunked.status_code == 200 == plain.status_code
    assert chunked.text == plain.text
    assert len(plain.text.splitlines()) > 1  # a header and rows


def test_a_chunked_body_too_large_is_413(server, settings):
    def chunks():
        for _ in range(settings.max_request_bytes // 65536 + 2):
            yield b"#" * 65536

    response = requests.post(server.url + "/sparql", data=chunks(), timeout=60,
                             headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert response.status_code == 413 and "max_request_bytes" in response.json()["error"]


def test_a_form_posted_by_a_browser_still_reaches_the_page(server):
    """The handler reads a POST body to decide; Flask must still see it whole."""
    page = requests.post(server.url + "/sparql", data={"query": SELECT}, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    rows = requests.post(server.url + "/sparql", data={"query": SELECT}, timeout=30).json()["results"]["bindings"]
    assert len(rows) > 1
    assert '<table class="results-table">' in page.text and f"{len(rows)} rows." in page.text
