"""The one content-negotiation function, as a matrix of Accept headers."""

import pytest

from nkd.errors import NotAcceptable
from nkd.negotiation import (CSV, GRAPH_FORMATS, HTML, JSON, JSONLD, NTRIPLES, PLAIN_JSON,
                                RDFXML, RESULTS_FORMATS, TEXT, TSV, TURTLE, XML, error_format,
                                negotiate)

RESULTS = (*RESULTS_FORMATS, HTML)
GRAPHS = (*GRAPH_FORMATS, HTML)


@pytest.mark.parametrize("accept, offered, expected", [
    (None, RESULTS, JSON),
    ("", RESULTS, JSON),
    ("*/*", RESULTS, JSON),
    ("application/sparql-results+json", RESULTS, JSON),
    ("application/json", RESULTS, JSON),
    ("application/sparql-results+xml", RESULTS, XML),
    ("text/csv", RESULTS, CSV),
    ("text/tab-separated-values", RESULTS, TSV),
    ("text/csv;q=0.5, text/tab-separated-values", RESULTS, TSV),
    ("text/*", RESULTS, CSV),
    ("text/*, text/csv;q=0", RESULTS, TSV),
    ("*/*, application/sparql-results+json;q=0", RESULTS, XML),
    # SPARQLWrapper's JSON request
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", RESULTS, JSON),
    # A browser
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULTS, HTML),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GRAPHS, HTML),
    (None, GRAPHS, TURTLE),
    ("text/turtle", GRAPHS, TURTLE),
    ("application/n-triples", GRAPHS, NTRIPLES),
    ("application/ld+json", GRAPHS, JSONLD),
    ("application/rdf+xml", GRAPHS, RDFXML),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", GRAPHS, TURTLE),
    ("application/turtle,text/turtle", GRAPHS, TURTLE),
    ("TEXT/TURTLE", GRAPHS, TURTLE),
    ('text/turtle;charset="utf-8";q=0.8, application/ld+json;q=0.9', GRAPHS, JSONLD),
])
def test_accept_matrix(accept, offered, expected):
    assert negotiate(accept, offered) is expected


@pytest.mark.parametrize("explicit, expected", [
    ("csv", CSV), ("tsv", TSV), ("json", JSON), ("srj", JSON), ("xml", XML),
    ("text/csv", CSV), (" CSV ", CSV), ("html", HTML),
])
def test_format_parameter_overrides_accept(explicit, expected):
    assert negotiate("application/sparql-results+json", RESULTS, explicit) is expected


def test_unsatisfiable_accept_lists_what_is_offered():
    with pytest.raises(NotAcceptable) as caught:
        negotiate("image/png", RESULTS)
    assert caught.value.status == 406
    assert "application/sparql-results+json" in caught.value.offered
    assert "text/csv" in caught.value.offered


def test_everything_excluded_is_not_acceptable():
    with pytest.raises(NotAcceptable):
        negotiate("*/*;q=0", RESULTS)


def test_unknown_format_parameter_is_not_acceptable():
    with pytest.raises(NotAcceptable) as caught:
        negotiate(None, GRAPHS, "csv")
    assert "turtle" in caught.value.offered


@pytest.mark.parametrize("accept, expected", [
    (None, TEXT), ("*/*", TEXT),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("application/json", PLAIN_JSON),
    ("application/sparql-results+json", PLAIN_JSON),
    ("application/sparql-results+xml", TEXT),
    ("text/html;q=0, */*", TEXT),
])
def test_error_shape_follows_the_client(accept, expected):
    assert error_format(accept) is expected
