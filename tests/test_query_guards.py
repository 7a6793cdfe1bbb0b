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


@pytest.mark.parametrize("text", [
    "SELECT ((1" + "+1" * 300 + ") AS ?x) WHERE {}",
    "SELECT ((1" + "-1" * 300 + ") AS ?x) WHERE {}",
    "SELECT ((" + "!" * 300 + "true) AS ?x) WHERE {}",
    "SELECT * WHERE { ?s <http://x/p>" + "/<http://x/p>" * 300 + " ?o }",
    "SELECT * WHERE { {}" + " UNION {}" * 300 + " }",
])
def test_long_operator_chains_are_refused_before_parsing(text, settings):
    with pytest.raises(QuerySyntaxError) as caught:
        check_query(text, settings)
    assert f"more than {settings.max_query_operators} operators" in caught.value.message


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o . ?s ?q ?r . }",  # `.` separators are no operators
    "PREFIX id: <https://w3id.org/nkd/id/> SELECT * WHERE { VALUES ?e { "
    + " ".join(f"id:event-2019-11-item-{n}" for n in range(300)) + " } }",
    "SELECT * WHERE { VALUES ?n { " + " ".join(f'"{n}"^^<http://www.w3.org/2001/XMLSchema#int>' for n in range(300)) + " } }",
])
def test_names_and_typed_literals_are_not_counted_as_operators(text, settings):
    assert check_query(text, settings).form == "SELECT"


def test_a_nested_text_that_is_also_too_long_is_reported_as_nested(settings):
    text = "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000
    with pytest.raises(QuerySyntaxError) as caught:
        check_query(text, settings)
    assert "levels deep" in caught.value.message


@pytest.mark.parametrize("text, line, column, words", [
    ("PREFIX x: <http://x/>\nSELECT * WHERE { ?s y:p ?o }", 2, 21, "prefix y: is not declared"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL { ?s ?q ?r }\n", 1, 16, "'{' is never closed"),
    ("SELECT * WHERE { ?s ?p ?o }}", 1, 28, "'}' closes nothing"),
    ("SELECT * WHERE { FILTER(?x = 1] }", 1, 31, "']' closes nothing"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3", 1, 35, "end of the query"),
    ("SELECT * WHERE { ?s <http://x y> ?o }", 1, 33, "IRI parsing failed"),
])
def test_syntax_errors_name_the_real_mistake(text, line, column, words, settings, store):
    from server.sparql import EmbeddedEngine

    engine = EmbeddedEngine(store, settings)
    with pytest.raises(QuerySyntaxError) as caught:
        engine.table(check_query(text, settings), 1)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in error.message and f"line {line}, column {column}" in error.message
    pointer = error.excerpt.splitlines()[1]
    assert pointer == " " * (column - 1) + "^"


def test_read_example_takes_title_and_question(tmp_path):
    from server.sparql import read_example

    path = tmp_path / "cq99.rq"
    path.write_text("# title: A title\n# question: Why?\nASK {}\n", encoding="utf-8")
    example = read_example(path)
    assert (example.name, example.title, example.question) == ("cq99", "A title", "Why?")
    assert example.text.endswith("ASK {}\n")
