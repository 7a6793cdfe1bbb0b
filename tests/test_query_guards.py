"""The token-level checks that run before any parser sees a query."""

import pytest

from server.errors import PayloadTooLarge, QueryRefused, QuerySyntaxError
from server.sparql import check_query


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX s: <http://x/>\nSELECT * WHERE {\n  # a comment\n  SeRvIcE <http://x> {}\n}",
    "SELECT * WHERE { S\\u0045RVICE <http://example.org/sparql> {} }",
    "SELECT * WHERE { FILTER(?a<?b) SERVICE <http://example.org/> {} }",
    "SELECT * WHERE { ?s <http://x#> ?o . SERVICE <http://example.org/> {} }",
])
def test_service_is_refused(text, settings):
    with pytest.raises(QueryRefused) as caught:
        check_query(text, settings)
    assert "SERVICE" in caught.value.message


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service a <http://x/Service> }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:service ?o }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT * WHERE { ?s ?p 'SERVICE <http://x> {}' }",
    'SELECT * WHERE { ?s ?p """SERVICE\n<http://x> {}""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x> {}",
])
def test_service_as_a_name_or_in_a_string_is_fine(text, settings):
    assert check_query(text, settings).form == "SELECT"


@pytest.mark.parametrize("text, word", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
    ("PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("drop graph <http://x>", "DROP"),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
])
def test_updates_are_refused(text, word, settings):
    with pytest.raises(QueryRefused) as caught:
        check_query(text, settings)
    assert word in caught.value.message


@pytest.mark.parametrize("opener, closer", [("{", "}"), ("(", ")"), ("[", "]")])
def test_deep_nesting_is_refused_before_parsing(opener, closer, settings):
    text = "SELECT * WHERE " + opener * 5000 + closer * 5000
    with pytest.raises(QuerySyntaxError) as caught:
        check_query(text, settings)
    assert caught.value.status == 400
    assert str(settings.max_query_depth) in caught.value.message


def test_long_query_is_413(settings):
    text = "SELECT * WHERE { ?s ?p ?o } #" + "x" * settings.max_query_bytes
    with pytest.raises(PayloadTooLarge):
        check_query(text, settings)


@pytest.mark.parametrize("text, form, has_from", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
    ("PREFIX ask: <http://x/> BASE <http://b/> ASK { ?s ?p ?o }", "ASK", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("DESCRIBE <http://x>", "DESCRIBE", False),
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", "SELECT", True),
    ("SELECT * FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
    ("SELECT ?from WHERE { ?from ?p 'FROM' }", "SELECT", False),
])
def test_form_and_dataset_clause(text, form, has_from, settings):
    query = check_query(text, settings)
    assert (query.form, query.has_dataset_clause) == (form, has_from)


def test_no_query_form_is_a_syntax_error(settings):
    with pytest.raises(QuerySyntaxError):
        check_query("PREFIX x: <http://x/>", settings)
