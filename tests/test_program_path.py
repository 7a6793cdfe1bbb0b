"""Queries from programs take a short path ahead of Flask (``ProgramQueries``); whatever it
passes on is answered by the Flask view in the same way. Both paths must give the same
answer, byte for byte, for every kind of request."""

from __future__ import annotations

import pytest
import requests
from werkzeug.test import Client

from server.web.sparql import ProgramQueries, _prepare_get_remembered

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/nkd/ontology#Defector> } ORDER BY ?s LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } ORDER BY ?s ?c LIMIT 5"
FORM = "application/x-www-form-urlencoded"

REQUESTS = {
    "get-json": dict(method="GET", query_string={"query": SELECT}),
    "get-csv": dict(method="GET", query_string={"query": SELECT}, headers={"Accept": "text/csv"}),
    "get-format-tsv": dict(method="GET", query_string={"query": SELECT, "format": "tsv"}),
    "head": dict(method="HEAD", query_string={"query": SELECT}),
    "post-form": dict(method="POST", data={"query": SELECT}, content_type=FORM),
    "post-direct": dict(method="POST", data=SELECT, content_type="application/sparql-query"),
    "construct-turtle": dict(method="GET", query_string={"query": CONSTRUCT}, headers={"Accept": "text/turtle"}),
    "named-graph": dict(method="GET", query_string={
        "query": SELECT, "default-graph-uri": "https://w3id.org/nkd/data/graph/actors"}),
    "syntax-error": dict(method="GET", query_string={"query": "SELECT * WHERE { ?s ?p"},
                         headers={"Accept": "application/json"}),
    "not-acceptable": dict(method="GET", query_string={"query": SELECT}, headers={"Accept": "image/png"}),
    "update": dict(method="POST", data={"update": "CLEAR ALL"}, content_type=FORM),
    "service": dict(method="GET", query_string={"query": "SELECT * WHERE { SERVICE <http://example.org/> {} }"}),
    "wrong-type": dict(method="POST", data=SELECT, content_type="text/plain"),
    "no-query": dict(method="GET", query_string={"default-graph-uri": "https://w3id.org/nkd/data/graph/actors"}),
    "repeated": dict(method="GET", query_string=[("query", SELECT), ("query", SELECT)]),
}
HEADERS = ("Content-Type", "Content-Length", "Vary", "Access-Control-Allow-Origin", "X-Query-Hash",
           "Cache-Control")


class CountingApp:
    """The Flask app behind the middleware, counting the requests passed on to it."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.wsgi_app(environ, start_response)


def flask_wsgi(app):
    """The Flask app alone, inside the response filter and the short path (Delivery → ProgramQueries)."""
    return app.wsgi_app.wsgi_app.wsgi_app


def short_path(app) -> tuple[ProgramQueries, CountingApp]:
    """The middleware in front of a counting copy of ``app``'s Flask side."""
    flask_side = CountingApp(flask_wsgi(app))
    return ProgramQueries(flask_side, app.extensions["nkd"]), flask_side


@pytest.mark.parametrize("name", REQUESTS)
def test_short_path_and_flask_view_answer_alike(app, name):
    # The Flask app without the middleware in front: the view's own path.
    flask_only = Client(flask_wsgi(app)).open("/sparql", **REQUESTS[name])
    middleware, flask_side = short_path(app)
    # Twice: a GET's preparation is remembered, so the second answer takes a shorter path.
    for attempt in ("first", "again"):
        remembered = _prepare_get_remembered.cache_info().hits
        short = Client(middleware).open("/sparql", **REQUESTS[name])
        assert short.status_code == flask_only.status_code, attempt
        for header in HEADERS:
            assert short.headers.get(header) == flask_only.headers.get(header), (attempt, header)
        assert short.get_data() == flask_only.get_data(), attempt
        if attempt == "again" and REQUESTS[name]["method"] == "GET" and short.status_code == 200:
            assert _prepare_get_remembered.cache_info().hits == remembered + 1
    assert flask_side.calls == 0  # every one of them answered ahead of Flask


def test_short_path_answers_programs_and_leaves_pages_to_flask(app):
    middleware, flask_side = short_path(app)
    assert Client(middleware).get("/sparql", query_string={"query": SELECT}).headers["Content-Type"].startswith(
        "application/sparql-results+json")
    assert flask_side.calls == 0
    page = Client(middleware).get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/html"})
    assert flask_side.calls == 1
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<table class="results-table">' in page.get_data(as_text=True)


def test_a_chunked_query_body_is_answered_like_any_other(server):
    """A body with no Content-Length goes past the short path to the Flask view."""
    def chunks():
        yield SELECT[:20].encode()
        yield SELECT[20:].encode()

    chunked = requests.post(server.url + "/sparql", data=chunks(),
                            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, timeout=30)
    plain = requests.post(server.url + "/sparql", data=SELECT,
                          headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, timeout=30)
    assert chunked.status_code == 200 == plain.status_code
    assert chunked.text == plain.text
    assert len(plain.text.splitlines()) > 1  # a header and rows


def test_a_form_posted_by_a_browser_still_reaches_the_page(server):
    """The short path reads a POST body to decide; Flask must still see it whole."""
    page = requests.post(server.url + "/sparql", data={"query": SELECT},
                         headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    rows = requests.post(server.url + "/sparql", data={"query": SELECT}, timeout=30).json()["results"]["bindings"]
    assert len(rows) > 1
    assert '<table class="results-table">' in page.text and f"{len(rows)} rows." in page.text


def test_without_cors_neither_path_allows_other_origins(settings, store):
    from dataclasses import replace

    from server.web import create_app

    app = create_app(replace(settings, cors=False), store=store)
    for name in ("get-json", "post-form", "syntax-error", "head"):
        for attempt in ("first", "again"):
            short = Client(app).open("/sparql", **REQUESTS[name])
            assert short.status_code in (200, 400), (name, attempt)
            assert "Access-Control-Allow-Origin" not in short.headers, (name, attempt)
            assert short.headers["Vary"] == "Accept", (name, attempt)


def test_a_remembered_get_still_follows_each_requests_accept_and_format(app):
    """The remembered preparation of a GET is keyed by its query string and Accept header."""
    asked = [({}, "application/sparql-results+json"), ({"Accept": "text/csv"}, "text/csv"),
             ({}, "application/sparql-results+json"), ({"Accept": "text/csv"}, "text/csv")]
    for headers, expected in asked:
        response = Client(app).get("/sparql", query_string={"query": SELECT}, headers=headers)
        assert response.headers["Content-Type"].startswith(expected), headers
    tsv = Client(app).get("/sparql", query_string={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert tsv.headers["Content-Type"].startswith("text/tab-separated-values")
    page = Client(app).get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html")
