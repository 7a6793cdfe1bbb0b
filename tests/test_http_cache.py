"""Conditional requests: every GET answer that depends only on the data and the request
carries a weak ETag, Last-Modified and Cache-Control, and revalidates with 304.

In process, with Flask's test client over the shipped graph (it goes through the /sparql
middleware too); the shared cache in front of a real server is tests/test_shared_cache.py.
"""

from __future__ import annotations

import pytest

from nkd.http_cache import DataVersion, validators
from nkd.settings import load_settings

EVENT = "/id/event/2020-north-korea-border-closure"
QUERY = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
SOURCE = "/sources/000_76ada298a9581b2c.txt"

# Every kind of GET answer: (path, query string, Accept).
ANSWERS = [
    ("/sparql", QUERY, "application/sparql-results+json"),
    ("/sparql", QUERY, "text/csv"),
    ("/sparql", {"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 3"}, "text/turtle"),
    ("/sparql", QUERY, "text/html"),  # the query page with its result
    ("/sparql", {}, "text/turtle"),  # the Service Description
    (EVENT, {}, "text/turtle"),
    (EVENT, {}, "application/ld+json"),
    (EVENT, {}, "text/html"),
    (EVENT + ".nt", {}, None),
    ("/ontology", {}, "text/turtle"),
    ("/ontology", {}, "text/html"),
    ("/shapes", {}, "application/rdf+xml"),
    ("/.well-known/void", {}, "text/turtle"),
    ("/", {}, "text/html"),
    ("/", {}, "text/turtle"),
    ("/data/graph/events", {}, "application/n-triples"),
    ("/dumps/nkd.nq", {}, None),
    ("/dumps/", {}, "text/html"),
    (SOURCE, {}, None),
    ("/search", {"q": "border"}, "text/html"),
    ("/-/settings", {}, "application/json"),
]
IDS = [f"{path}?{'&'.join(params)}-{accept}" for path, params, accept in ANSWERS]


def get(client, path, params=None, accept=None, **headers):
    """A GET with an optional Accept header and any other headers."""
    if accept:
        headers["Accept"] = accept
    return client.get(path, query_string=params or {}, headers=headers)


@pytest.mark.parametrize("path, params, accept", ANSWERS, ids=IDS)
def test_every_get_answer_has_validators_and_a_max_age(client, path, params, accept):
    answer = get(client, path, params, accept)
    assert answer.status_code == 200
    assert answer.headers["ETag"].startswith('W/"')
    assert answer.headers["Last-Modified"].endswith(" GMT")
    assert answer.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"


@pytest.mark.parametrize("path, params, accept", ANSWERS, ids=IDS)
def test_every_get_answer_revalidates_with_304(client, path, params, accept):
    answer = get(client, path, params, accept)
    tag = answer.headers["ETag"]
    again = get(client, path, params, accept, **{"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag and again.headers["Cache-Control"] == answer.headers["Cache-Control"]
    for name in ("Vary", "Content-Location"):  # what a 304 repeats of its 200 (RFC 9110 §15.4.5)
        assert again.headers.get(name) == answer.headers.get(name), name
    since = get(client, path, params, accept, **{"If-Modified-Since": answer.headers["Last-Modified"]})
    assert since.status_code == 304


def test_the_comparison_is_weak_and_takes_lists(client):
    tag = get(client, EVENT, accept="text/turtle").headers["ETag"]
    strong = tag[2:]  # the same tag without W/: equal under the weak comparison
    assert get(client, EVENT, accept="text/turtle", **{"If-None-Match": strong}).status_code == 304
    assert get(client, EVENT, accept="text/turtle", **{"If-None-Match": f'W/"other", {tag}'}).status_code == 304
    assert get(client, EVENT, accept="text/turtle", **{"If-None-Match": "*"}).status_code == 304


def test_a_tag_that_does_not_match_gets_the_answer(client):
    answer = get(client, EVENT, accept="text/turtle", **{"If-None-Match": 'W/"not-this-one"'})
    assert answer.status_code == 200 and answer.data
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    last = answer.headers["Last-Modified"]
    both = get(client, EVENT, accept="text/turtle", **{"If-None-Match": 'W/"x"', "If-Modified-Since": last})
    assert both.status_code == 200


def test_each_representation_has_its_own_tag(client):
    tags = {get(client, EVENT, accept=accept).headers["ETag"] for accept in ("text/turtle", "text/html",
                                                                                "application/ld+json")}
    tags.add(get(client, "/sparql", QUERY, "application/sparql-results+json").headers["ETag"])
    tags.add(get(client, "/sparql", {"query": "ASK {}"}, "application/sparql-results+json").headers["ETag"])
    assert len(tags) == 5
    turtle = get(client, EVENT, accept="text/turtle").headers["ETag"]
    assert get(client, EVENT, accept="text/html", **{"If-None-Match": turtle}).status_code == 200


def test_the_same_data_gives_the_same_tags_in_another_process(settings, client):
    # Another worker or replica parses the same files: its tags must match, or a shared
    # cache could never revalidate across them.
    from nkd.store import shipped_store
    from nkd.web import create_app

    other = create_app(settings, store=shipped_store(settings.public_base)).test_client()
    for path, params, accept in (("/sparql", QUERY, "text/csv"), (EVENT, {}, "text/html"), ("/dumps/nkd.nt", {}, None)):
        assert get(other, path, params, accept).headers["ETag"] == get(client, path, params, accept).headers["ETag"]


@pytest.mark.parametrize("path, params, accept, status", [
    ("/id/no-such-thing", {}, "text/turtle", 404),
    ("/sparql", {"query": "SELECT * WHERE {"}, "application/json", 400),
    ("/sparql", {"query": "INSERT DATA { <x:a> <x:b> <x:c> }"}, "application/json", 403),
    (EVENT, {}, "image/png", 406),
    ("/sparql", {"query": "SELECT * WHERE {"}, "text/html", 400),  # the query page, with the error
])
def test_errors_are_not_stored(client, path, params, accept, status):
    answer = get(client, path, params, accept)
    assert answer.status_code == status
    assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers


def test_post_answers_are_not_stored(client):
    answer = client.post("/sparql", data=QUERY, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers


def test_head_has_the_headers_of_get(client):
    head = client.head("/sparql", query_string=QUERY, headers={"Accept": "text/csv"})
    assert head.headers["ETag"] == get(client, "/sparql", QUERY, "text/csv").headers["ETag"]


def test_caching_can_be_turned_off(settings, store):
    from nkd.web import create_app

    off = create_app(settings.replace(cache_max_age_s=0), store=store).test_client()
    for path, params, accept in (("/sparql", QUERY, "text/csv"), (EVENT, {}, "text/turtle"), ("/dumps/nkd.nt", {}, None),
                                 ("/", {}, "text/html")):
        answer = get(off, path, params, accept, **{"If-None-Match": "*"})
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers


def test_data_version_changes_every_tag(settings, store):
    from nkd.web import create_app

    relabelled = create_app(settings.replace(data_version="2"), store=store).test_client()
    plain = create_app(settings, store=store).test_client()
    assert get(relabelled, EVENT, accept="text/turtle").headers["ETag"] != \
        get(plain, EVENT, accept="text/turtle").headers["ETag"]


def test_tags_are_made_of_the_data_and_the_representation():
    settings = load_settings(environ={})
    version = DataVersion("a" * 64, 0.0)
    tag = validators(version, settings, "/x", "", "text/turtle").etag
    assert tag == validators(version, settings, "/x", b"", "text/turtle; charset=utf-8").etag
    assert tag != validators(DataVersion("b" * 64, 0.0), settings, "/x", "", "text/turtle").etag
    assert tag != validators(version, settings, "/x", "a=1", "text/turtle").etag
    assert tag != validators(version, settings, "/x", "", "text/html").etag
    assert validators(None, settings, "/x", "", "text/turtle") is None
