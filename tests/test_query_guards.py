"""The token-level checks that run before any parser sees a query."""

import pytest

from nkd.errors import PayloadTooLarge, QueryRefused, QuerySyntaxError, QueryTooComplex
from nkd.sparql import check_query


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
    text = "SELECT * WHERE " + opener * 10_000 + closer * 10_000
    with pytest.raises(QueryTooComplex) as caught:
        check_query(text, settings)
    assert caught.value.status == 400 and caught.value.setting == "max_query_depth"
    assert f"more than {settings.max_query_depth} levels deep (max_query_depth)" in caught.value.message


def test_long_query_is_413(settings):
    text = "SELECT * WHERE { ?s ?p ?o } #" + "x" * settings.max_query_bytes
    with pytest.raises(PayloadTooLarge) as caught:
        check_query(text, settings)
    assert "max_query_bytes" in caught.value.message


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


# One shape per construct whose cost explodes: make(n) has n of it, and the setting bounds n.
CONSTRUCTS = {
    "or": (lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(n + 1)) + ") }",
           "max_chain_operators", "an expression has more than"),
    "and": (lambda n: "SELECT ((true" + " && true" * n + ") AS ?x) WHERE {}",
            "max_chain_operators", "an expression has more than"),
    "plus": (lambda n: "SELECT ((1" + "+1" * n + ") AS ?x) WHERE {}", "max_chain_operators", "operators in a row"),
    "minus": (lambda n: "SELECT ((1" + "-1" * n + ") AS ?x) WHERE {}", "max_chain_operators", "operators in a row"),
    "not": (lambda n: "SELECT ((" + "!" * n + "true) AS ?x) WHERE {}", "max_chain_operators", "operators in a row"),
    "union": (lambda n: "SELECT * WHERE { {}" + " UNION {}" * (n - 1) + " }", "max_union_branches",
              "a UNION chain has more than"),
    "path": (lambda n: "SELECT * WHERE { ?s <http://x/p>" + "/<http://x/p>" * (n - 1) + " ?o }",
             "max_path_steps", "a property path has more than"),
    "path-in-parentheses": (lambda n: "SELECT * WHERE { ?s (<http://x/p>" + "/(<http://x/p>)" * (n - 1) + ") ?o }",
                            "max_path_steps", "a property path has more than"),
    "star": (lambda n: "SELECT * WHERE { " + " ".join(f"?s <http://x/p> ?o{i} ." for i in range(n)) + " }",
             "max_group_patterns", "triple patterns and subgroups joined"),
    "semicolons": (lambda n: "SELECT * WHERE { ?s " + " ; ".join(f"<http://x/p> ?o{i}" for i in range(n + 1)) + " }",
                   "max_group_patterns", "triple patterns and subgroups joined"),
    "optionals": (lambda n: "SELECT * WHERE { " + " ".join(f"OPTIONAL {{ ?s <http://x/p> ?o{i} }}"
                                                          for i in range(n)) + " }",
                  "max_group_patterns", "triple patterns and subgroups joined"),
    "blank-nodes": (lambda n: "SELECT * WHERE { ?s <http://x/p> " + "[ <http://x/p> " * n + "1" + " ]" * n + " }",
                    "max_group_patterns", "triple patterns and subgroups joined"),
}


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_each_construct_is_answered_up_to_its_limit_and_refused_past_it(name, settings):
    make, setting, words = CONSTRUCTS[name]
    limit = getattr(settings, setting)
    if name == "blank-nodes":
        limit = min(limit, settings.max_query_depth - 2)  # nested: the depth limit comes first
    assert check_query(make(limit - 1), settings).form == "SELECT"
    with pytest.raises(QueryTooComplex) as caught:
        check_query(make(limit + 2), settings)
    error = caught.value
    assert error.status == 400 and error.setting == setting and error.limit == getattr(settings, setting)
    assert words in error.message and f"{error.limit:,}" in error.message and f"({setting})" in error.message
    assert f"line {error.line}, column {error.column}" in error.message


def test_chains_are_counted_each_on_its_own(settings):
    """Two FILTERs, two UNION chains, two paths: each within its limit, together past it."""
    half = settings.max_chain_operators // 2 + 10
    filters = " ".join("FILTER(" + " || ".join(f"?o = {i}" for i in range(half)) + ")" for _ in range(3))
    unions = " . ".join("{}" + " UNION {}" * (settings.max_union_branches // 2 + 10) for _ in range(3))
    paths = " . ".join("?s <http://x/p>" + "/<http://x/p>" * (settings.max_path_steps // 2 + 10) + " ?o"
                       for _ in range(3))
    for text in (filters, unions, paths):
        assert check_query("SELECT * WHERE { ?s ?p ?o " + text + " }", settings).form == "SELECT"


def test_a_construct_template_is_not_a_join(settings):
    template = " ".join(f"?s <http://x/p{i}> ?o ." for i in range(settings.max_group_patterns * 3))
    assert check_query("CONSTRUCT { " + template + " } WHERE { ?s ?p ?o }", settings).form == "CONSTRUCT"


@pytest.mark.parametrize("text", [
    # What generated SPARQL routinely holds, and pyoxigraph answers at once.
    "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(130)) + ") }",
    "SELECT * WHERE { " + " UNION ".join(f"{{ ?s <http://x/p> {i} }}" for i in range(300)) + " }",
    "PREFIX id: <https://w3id.org/nkd/id/> SELECT * WHERE { VALUES ?e { "
    + " ".join(f"<https://w3id.org/nkd/id/person/defector-{n}>" for n in range(2000)) + " } ?e ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(str(n) for n in range(5000)) + ")) }",
    "SELECT * WHERE { ?s ?p ?o . ?s ?q ?r . }",  # `.` separators are no operators
    "SELECT * WHERE { VALUES ?n { " + " ".join(f'"{n}"^^<http://www.w3.org/2001/XMLSchema#int>' for n in range(300))
    + " } }",
    "SELECT * WHERE { ?s <http://x/p>" + "|<http://x/p>" * 2000 + " ?o }",  # alternatives grow linearly
])
def test_what_generated_queries_hold_is_answered(text, settings):
    assert check_query(text, settings).form == "SELECT"


def test_a_construct_past_its_limit_in_a_text_that_is_also_too_long_is_reported_as_such(settings):
    text = "SELECT * WHERE " + "{" * 1_000_000 + "}" * 1_000_000
    with pytest.raises(QueryTooComplex) as caught:
        check_query(text, settings)
    assert "levels deep" in caught.value.message


def _syntax_error(text, settings, store):
    from nkd.sparql import EmbeddedEngine

    engine = EmbeddedEngine(store, settings)
    with pytest.raises(QuerySyntaxError) as caught:
        engine.table(check_query(text, settings), 1)
    return caught.value


@pytest.mark.parametrize("text, line, column, words, hint", [
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL { ?s ?q ?r }\n", 4, 1, 'expected one of "$"',
     "The '{' at line 1, column 16 is never closed."),
    ("SELECT * WHERE { ?s ?p ?o }}", 1, 29, "expected", "The '}' at line 1, column 28 closes nothing"),
    ("SELECT * WHERE { FILTER(?x = 1] }", 1, 34, "expected", "The ']' at line 1, column 31 closes nothing"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3", 1, 35, "expected one of HAVING, OFFSET, OPTIONAL, VALUES",
     "reached the end of the query"),
    ("SELECT * WHERE { ?s <http://x y> ?o }", 1, 33, "IRI parsing failed", "Correct the query"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = ) }", 1, 42, "expected one of ABS", "reached the end of the query"),
    ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", 1, 41,
     "The SELECT contains a variable that is unbound (the parser expected one of", "Correct the query"),
])
def test_syntax_errors_keep_the_parsers_diagnosis_and_add_a_hint(text, line, column, words, hint, settings, store):
    error = _syntax_error(text, settings, store)
    assert (error.line, error.column) == (line, column)
    assert error.message.startswith(f"syntax error at line {line}, column {column}: ")
    assert words in error.message and hint in error.hint
    pointer = error.excerpt.splitlines()[-1]
    assert pointer == " " * (column - 1) + "^"


def test_a_long_list_of_expected_tokens_is_kept_whole(settings, store):
    error = _syntax_error("SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL { ?s ?q ?r }\n", settings, store)
    assert "[_]" in error.message and '"false", "true", "{", "}"' in error.message  # the end of the list


@pytest.mark.parametrize("text, line, column, words, hint", [
    ("PREFIX x: <http://x/>\nSELECT * WHERE { ?s y:p ?o }", 2, 21, "the prefix y: is not declared",
     "Add PREFIX y: <…>"),
    ("SELECT (fn:upper-case('a') AS ?x) WHERE {}", 1, 9,
     "the prefix fn: of the function fn:upper-case is not declared", "built-in UCASE(…)"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(bif:contains(?o, 'x')) }", 1, 34,
     "the prefix bif: of the function bif:contains is not declared", "built-in CONTAINS"),
])
def test_an_undeclared_prefix_keeps_its_own_message(text, line, column, words, hint, settings, store):
    error = _syntax_error(text, settings, store)
    assert (error.line, error.column) == (line, column)
    assert words in error.message and hint in error.hint


def test_read_example_takes_title_and_question(tmp_path):
    from nkd.examples import read_example

    path = tmp_path / "cq99.rq"
    path.write_text("# title: A title\n# question: Why?\nASK {}\n", encoding="utf-8")
    example = read_example(path)
    assert (example.name, example.title, example.question) == ("cq99", "A title", "Why?")
    assert example.text.endswith("ASK {}\n")
