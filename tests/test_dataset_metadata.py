"""Who made the dataset, its licence, version and dates, how to cite it: in the footer of every
page, on the About page, as DCAT beside the VoID, as schema.org JSON-LD on the landing page, and
in CITATION.cff, all parsed back (rdflib, json, yaml) and checked against graph/dataset.ttl."""

from __future__ import annotations

import html
import json
import re

import pytest
import rdflib
import yaml
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from conftest import ROOT
from nkd.namespaces import BASE

DATASET = rdflib.URIRef(BASE)
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # rdflib's DCAT is version 2, without versions
HTML = {"Accept": "text/html"}
PAGES = ("/", "/about", "/browse/", "/browse/people", "/timeline", "/search?q=kim", "/sparql", "/ontology",
         "/id/event/2019-11-sailors-repatriation", "/sources/000_76ada298a9581b2c", "/.well-known/void",
         "/dumps/", "/-/settings", "/id/no-such-thing")


@pytest.fixture(scope="module")
def stated():
    """graph/dataset.ttl, the one place the dataset's description is written."""
    return rdflib.Graph().parse(ROOT / "graph" / "dataset.ttl")


@pytest.fixture(scope="module")
def void(app):
    """The VoID and DCAT description the server computes, parsed by rdflib."""
    response = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


def footer(page: str) -> str:
    """The footer of a page (its HTML)."""
    found = re.search(r'<footer class="site-footer">.*?</footer>', page, re.DOTALL)
    assert found, "the page has no footer"
    return found.group(0)


def test_every_page_has_the_footer_with_licences_version_date_maintainers_and_citation(client, stated):
    licence = str(stated.value(DATASET, DCTERMS.license))
    version = str(stated.value(DATASET, DCAT.version))
    modified = str(stated.value(DATASET, DCTERMS.modified))
    maintainers = str(stated.value(stated.value(DATASET, DCTERMS.creator), rdflib.RDFS.label))
    for path in PAGES:
        response = client.get(path, headers=HTML)
        assert response.status_code in (200, 404), path
        part = html.unescape(footer(response.get_data(as_text=True)))
        assert f'rel="license" href="{licence}"' in part, path
        assert "Code: " in part and "MIT" in part, path  # the code's licence, from pyproject.toml
        assert f"version {version}" in part and modified in part and maintainers in part, path
        citation = re.search(r'<p class="citation" id="citation"[^>]*>(.*?)</p>', part, re.DOTALL).group(1)
        assert version in citation and str(stated.value(DATASET, DCAT.hasCurrentVersion)) in citation, path
        assert 'href="/about"' in part, path


def test_dcat_beside_void_holds_the_stated_description_a_distribution_per_dump_and_the_endpoint(void, stated):
    assert (DATASET, RDF.type, VOID.Dataset) in void and (DATASET, RDF.type, DCAT.Dataset) in void
    for p, o in stated.predicate_objects(DATASET):  # everything the data says of itself, as said
        assert (DATASET, p, o) in void, p
    version = stated.value(DATASET, DCAT.hasCurrentVersion)
    assert void.value(DATASET, DCAT.hasCurrentVersion) == version
    assert (version, DCTERMS.isVersionOf, DATASET) in stated
    for name in ("issued", "modified"):
        date = void.value(DATASET, DCTERMS[name])
        assert date is not None and date.datatype == XSD.date
    dumps = set(void.objects(DATASET, VOID.dataDump))
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(dumps) == 6 and distributions == dumps
    for dist in distributions:
        assert (dist, RDF.type, DCAT.Distribution) in void
        assert void.value(dist, DCAT.downloadURL) == dist
        media = str(void.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
        assert void.value(dist, DCTERMS.license) == stated.value(DATASET, DCTERMS.license)
    service = rdflib.URIRef(BASE + "sparql")
    assert (service, RDF.type, DCAT.DataService) in void and (service, DCAT.servesDataset, DATASET) in void
    citation = str(void.value(DATASET, DCTERMS.bibliographicCitation))
    assert str(version) in citation


def test_the_version_iri_dereferences(client):
    response = client.get("/version/0.1.0", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (rdflib.URIRef(BASE + "version/0.1.0"), DCTERMS.isVersionOf, DATASET) in graph


def test_landing_page_embeds_a_schema_org_dataset_that_agrees_with_the_rdf(client, void):
    page = client.get("/", headers=HTML).get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
    assert data["@id"] == BASE and data["license"] == str(void.value(DATASET, DCTERMS.license))
    assert data["version"] == str(void.value(DATASET, DCAT.version))
    assert data["dateModified"] == str(void.value(DATASET, DCTERMS.modified))
    assert len(data["description"]) >= 50  # what dataset search engines require
    assert {d["contentUrl"] for d in data["distribution"]} == {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert set(data["isBasedOn"]) == {str(s) for s in void.objects(DATASET, DCTERMS.source)}
    # It is JSON-LD: with schema.org's vocabulary given inline (no fetch), rdflib reads it as RDF.
    data["@context"] = {"@vocab": "https://schema.org/"}
    graph = rdflib.Graph().parse(data=json.dumps(data), format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    assert (DATASET, RDF.type, schema.Dataset) in graph
    assert len(list(graph.objects(DATASET, schema.distribution))) == 6


def test_citation_cff_says_what_the_dataset_description_says(stated):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["message"] and cff["type"] == "dataset"
    assert cff["title"] == str(stated.value(DATASET, DCTERMS.title))
    assert cff["version"] == str(stated.value(DATASET, DCAT.version))
    assert cff["date-released"] == str(stated.value(DATASET, DCTERMS.modified))
    creators = {str(stated.value(c, rdflib.RDFS.label)) for c in stated.objects(DATASET, DCTERMS.creator)}
    assert {a["name"] for a in cff["authors"]} == creators
    assert str(stated.value(DATASET, DCAT.hasCurrentVersion)) in [i["value"] for i in cff["identifiers"]]
    assert "CC-BY-4.0" in cff["license"] and "MIT" in cff["license"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{cff["version"]}"' in pyproject


def test_about_page_says_what_the_graph_rests_on_and_the_rights_of_each_text(client, store):
    page = html.unescape(client.get("/about", headers=HTML).get_data(as_text=True))
    sources = list(store.query("""SELECT ?s ?label ?rights WHERE {
        ?s <https://w3id.org/nkd/ontology#textCopy> ?c ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
        OPTIONAL { ?s <http://purl.org/dc/terms/rights>/<http://www.w3.org/2000/01/rdf-schema#label> ?rights } }""",
                               use_default_graph_as_union=True))
    assert len(sources) == 4  # two documents and the two reader responses under one of them
    for row in sources:
        assert row["label"].value in page
        assert row["rights"] is not None and row["rights"].value in page  # every text's rights are stated
    assert "2 texts" in page and "1 news article, 1 blog post, 2 reader responses" in page
    for stem in ("000_76ada298a9581b2c", "001_147da7631101f1fd"):
        assert f'href="/sources/{stem}"' in page and f'href="/sources/{stem}.txt"' in page
    assert "How facts are extracted and checked" in page and "@misc{" in page


def test_sources_name_their_author_and_outlet_where_the_text_gives_them(store):
    rows = {(r["p"].value, r["o"].value) for r in store.query("""SELECT ?p ?o WHERE {
        <https://w3id.org/nkd/id/source/number-of-defectors-declines> ?p ?o }""", use_default_graph_as_union=True)}
    assert ("http://purl.org/dc/terms/creator", BASE + "id/person/robert-r-king") in rows
    assert ("https://schema.org/isPartOf", BASE + "id/publication/the-peninsula") in rows
    assert ("http://purl.org/dc/terms/publisher", BASE + "id/org/korea-economic-institute-of-america") in rows
