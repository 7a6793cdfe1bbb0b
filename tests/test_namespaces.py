"""Each namespace, link, datatype, example query and unreadable-file error is declared once.

The namespace table (``nkd.namespaces``) is the only place in the package that spells out a
namespace; everything that shows an IRI short, a literal's datatype or a link to an IRI,
and every reader of an input file, goes through the one function for it.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape  # as the templates escape

from conftest import ROOT
from nkd.errors import InputError
from nkd.examples import examples, read_example
from nkd.linked_data import link
from nkd.namespaces import (BASE, NAMESPACES, RDF, XSD, datatype_name, known, longest_first, prefixed_name,
                            prefixes)

PACKAGE = ROOT / "server"


def test_no_module_but_the_table_spells_out_a_namespace():
    spelled = {ns for ns in NAMESPACES.values()} | set(prefixes(BASE).values())
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "namespaces.py":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {ns}" for ns in spelled if f'"{ns}' in text or f"<{ns}" in text]
    assert found == []


def test_prefixes_are_the_table_with_nkds_own_under_the_base():
    base = "http://example.org/kg/"
    declared = prefixes(base)
    assert declared["nkd"] == base + "ontology#" and declared["nkdsh"] == base + "shapes#"
    assert declared["rdfs"] == NAMESPACES["rdfs"] and "formats" not in declared  # not predeclared
    assert "formats" in prefixes(base, every=True)


@pytest.mark.parametrize("iri,short", [
    (XSD + "gYear", "xsd:gYear"),
    (RDF + "type", "rdf:type"),
    (BASE + "ontology#Event", "nkd:Event"),
    (BASE + "ontology#", "nkd:"),
    (XSD + "not.", None),            # a local name may not end with a dot
    (BASE + "id/event/x", None),     # nor hold a slash, outside pages
    ("http://example.org/x", None),
])
def test_an_iri_is_written_short_only_when_sparql_and_turtle_take_the_name(iri, short):
    assert prefixed_name(iri, known()) == short


def test_pages_name_instances_with_slashes():
    declared = longest_first({"id": BASE + "id/"})
    assert prefixed_name(BASE + "id/event/x", declared, slashes=True) == "id:event/x"


@pytest.mark.parametrize("datatype,shown", [
    (XSD + "gYear", "xsd:gYear"), (XSD + "integer", "xsd:integer"), (XSD + "string", ""),
    (RDF + "langString", ""), (None, ""), ("http://example.org/dt", "http://example.org/dt"),
])
def test_one_way_to_show_a_literals_datatype(datatype, shown):
    assert datatype_name(datatype) == shown


def test_pages_query_page_and_terminal_show_a_datatype_alike(client):
    from nkd.sparql import Term
    from nkd.textual import term_text

    assert term_text(Term("literal", "2019", XSD + "gYear")) == '"2019"^^xsd:gYear'
    assert term_text(Term("literal", "63", XSD + "integer")) == "63"
    page = client.get("/sparql", query_string={"query": 'SELECT ?y WHERE { BIND("2019"^^<' + XSD + 'gYear> AS ?y) }'},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "xsd:gYear" in page


@pytest.mark.parametrize("iri,href", [
    (BASE + "id/event/x", "/id/event/x"),
    (BASE + "ontology#Event", "/ontology#Event"),
    ("http://example.org/x", "http://example.org/x"),
])
def test_one_way_to_link_an_iri(iri, href):
    assert link(BASE, iri) == href


def test_one_reader_of_the_example_queries(tmp_path, client):
    path = tmp_path / "cq99.rq"
    path.write_text("# title: A title\n# question: Why?\nASK {}\n", encoding="utf-8")
    example = read_example(path)
    assert (example.name, example.title, example.question) == ("cq99", "A title", "Why?")
    shipped = examples()
    assert len(shipped) > 6 and all(e.title != e.name and e.question for e in shipped)
    landing = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    query_page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    for e in shipped[:6]:
        assert str(escape(e.title)) in landing
    for e in shipped:
        assert str(escape(e.title)) in query_page


def test_one_error_for_an_unreadable_input_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    error = InputError.for_file(bad, SyntaxError("expected an object", (str(bad), 3, 7, "")))
    assert error.message == f"{bad}:3:7: expected an object" and (error.line, error.column) == (3, 7)
    assert InputError.for_file(bad, UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")).message == f"{bad}: not UTF-8 text"
    missing = InputError.for_file(tmp_path / "nowhere.ttl", FileNotFoundError())
    assert missing.message.endswith("nowhere.ttl: no such file") and "Check the path" in missing.hint
    assert "is a directory" in InputError.for_file(tmp_path, IsADirectoryError()).message
    assert InputError.for_file(bad, PermissionError(13, "Permission denied")).message == f"{bad}: Permission denied"
    # Every reader of RDF files says it the same way: the store, and the validator.
    from nkd.store import memory_store
    from nkd.validation import load_file

    with pytest.raises(InputError) as by_store:
        memory_store([bad], BASE)
    with pytest.raises(InputError) as by_validator:
        load_file(bad)
    assert by_store.value.message == by_validator.value.message
    assert re.match(rf"{re.escape(str(bad))}:1:\d+: ", by_store.value.message)
