"""A format is one row of the format table (nkd.negotiation.FORMATS), and every list of formats
is what the table implies: route converters, `nkd query --format`, the Service Description's
result formats, `Link` headers, download links, VoID's features and dumps, input suffixes.
So adding a row is all it takes to add a format."""

from __future__ import annotations

import re

import click
import pytest
import rdflib

from nkd.cli import cli
from nkd.negotiation import (ALL_FORMS, DATASET_FORMATS, FORMATS, GRAPH_FORMATS, HTML, QUERY_FORMATS,
                             RDF_SYNTAXES, RESULTS_FORMATS, W3C_FORMATS, find_format, negotiate)
from nkd.sparql import offered_formats
from nkd.guards import check_query

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
ENTITY = "/id/event/2019-11-sailors-repatriation"


def test_each_row_is_one_format():
    for attribute in ("name", "media_type", "extension"):
        values = [getattr(fmt, attribute) for fmt in FORMATS]
        assert len(values) == len(set(values)), f"two rows share a {attribute}"
    for fmt in QUERY_FORMATS:
        assert fmt.iri and fmt.iri.startswith(W3C_FORMATS) and fmt.ox is not None and fmt.forms
    assert {fmt.name for fmt in QUERY_FORMATS} == {f.name for f in FORMATS if f.forms and f is not HTML}


def test_the_groups_are_what_the_rows_say():
    assert RESULTS_FORMATS == tuple(f for f in FORMATS if f.forms == {"SELECT", "ASK"})
    assert GRAPH_FORMATS == tuple(f for f in FORMATS if f.forms == {"CONSTRUCT", "DESCRIBE"} and not f.quads)
    assert DATASET_FORMATS == tuple(f for f in FORMATS if f.quads)
    assert RDF_SYNTAXES == (*GRAPH_FORMATS, *DATASET_FORMATS)


@pytest.mark.parametrize("form", sorted(ALL_FORMS))
def test_each_query_form_is_offered_the_formats_that_serve_it(form, settings):
    text = {"SELECT": "SELECT * WHERE {}", "ASK": "ASK {}", "CONSTRUCT": "CONSTRUCT WHERE { ?s ?p ?o }",
            "DESCRIBE": "DESCRIBE <x:y>"}[form]
    offered = offered_formats(check_query(text, settings))
    assert offered == (*(f for f in QUERY_FORMATS if form in f.forms), HTML)
    for fmt in offered:  # each reachable by its media type and by its name
        assert negotiate(fmt.media_type, offered) is fmt and negotiate(None, offered, fmt.name) is fmt


def _any(rule: str) -> list[str]:
    return [item.strip() for item in re.search(r"<any\(([^)]*)\):suffix>", rule).group(1).split(",")]


def test_route_converters_take_the_suffix_of_each_format(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if "<any(" in rule.rule}
    pages = [rule for rule in rules if not rule.startswith("/dumps/")]
    assert pages and all(_any(rule) == [f.extension for f in (*GRAPH_FORMATS, HTML)] for rule in pages)
    (dumps,) = [rule for rule in rules if rule.startswith("/dumps/")]
    assert sorted(_any(dumps)) == sorted(f.extension for f in RDF_SYNTAXES)


def test_the_cli_offers_every_result_format():
    (option,) = [p for p in cli.commands["query"].params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == ["table", *(f.name for f in QUERY_FORMATS)]


def test_the_service_description_lists_every_result_format(client):
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=answer.data, format="turtle")
    listed = {str(iri) for iri in graph.objects(None, SD.resultFormat)}
    assert listed == {fmt.iri for fmt in QUERY_FORMATS}


def test_link_headers_name_every_document_format(client):
    answer = client.get(ENTITY, headers={"Accept": "text/turtle"})
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', answer.headers["Link"])
    assert links == [(f"{ENTITY}.{f.extension}", f.media_type) for f in (*GRAPH_FORMATS, HTML)]
    for fmt in GRAPH_FORMATS:
        assert client.get(f"{ENTITY}.{fmt.extension}").headers["Content-Type"] == fmt.content_type


@pytest.mark.parametrize("query, formats", [("SELECT * WHERE { ?s ?p ?o } LIMIT 1", RESULTS_FORMATS),
                                            ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", RDF_SYNTAXES)])
def test_download_links_offer_every_format_of_the_answer(client, query, formats):
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"}).get_data(as_text=True)
    downloads = page.split('class="downloads"', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'data-format="([^"]+)"', downloads) == [f.name for f in formats]


def test_void_names_a_dump_and_a_feature_per_rdf_syntax(client):
    graph = rdflib.Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    assert {str(iri) for iri in graph.objects(None, VOID.feature)} == {f.iri for f in RDF_SYNTAXES}
    dumps = {str(iri).rsplit(".", 1)[1] for iri in graph.objects(None, VOID.dataDump)}
    assert dumps == {f.extension for f in RDF_SYNTAXES}
    # The DCAT description beside it: a distribution per dump, in its W3C format.
    distributed = {str(iri) for iri in graph.objects(None, rdflib.DCTERMS.format)}
    assert distributed == {f.iri for f in RDF_SYNTAXES}


def test_input_files_are_read_in_every_rdf_syntax_by_each_of_its_suffixes():
    from nkd.store import _FORMATS_BY_SUFFIX

    assert _FORMATS_BY_SUFFIX == {suffix: f.ox for f in RDF_SYNTAXES for suffix in f.suffixes}
    assert {".ttl", ".turtle", ".nt", ".nq", ".trig", ".rdf", ".owl", ".jsonld"} <= set(_FORMATS_BY_SUFFIX)


def test_find_format_takes_name_suffix_and_media_type():
    for fmt in FORMATS:
        assert find_format(fmt.name, FORMATS) is fmt
        assert find_format(fmt.extension, (fmt,)) is fmt and find_format(fmt.media_type, (fmt,)) is fmt
