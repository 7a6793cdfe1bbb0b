"""The W3C RDF Data Cube integrity constraints IC-1 to IC-21, as the Recommendation writes
them (SPARQL ASK queries, section 11.1), run over ontology and graph after the normalization
its section 10.2 prescribes; and the same queries catch a broken cube."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from nkd.data import turtle_files

CUBE = FIXTURES / "datacube"
CONSTRAINTS = sorted(p for p in CUBE.glob("ic-*.rq") if "instantiation" not in p.name)


def normalized(extra: str = "") -> ox.Store:
    """Ontology and graph in one default graph, plus ``extra`` Turtle, normalized."""
    store = ox.Store()
    for path in turtle_files("ontology") + turtle_files("graph"):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    if extra:
        store.load(extra.encode(), format=ox.RdfFormat.TURTLE)
    for phase in ("normalize-phase-1.ru", "normalize-phase-2.ru"):
        store.update((CUBE / phase).read_text(encoding="utf-8"))
    return store


def violated(store: ox.Store, path: Path) -> bool:
    """Whether the constraint's ASK is true (a violation); IC-20 and IC-21 once per instantiation."""
    query = path.read_text(encoding="utf-8")
    if "$p" not in query:
        return bool(store.query(query))
    instantiation = path.with_name(path.stem + "-instantiation.rq").read_text(encoding="utf-8")
    return any(bool(store.query(query.replace("$p", row["p"].value))) for row in store.query(instantiation))


@pytest.fixture(scope="module")
def cube() -> ox.Store:
    return normalized()


def test_every_constraint_of_the_recommendation_is_here():
    names = {p.stem.removeprefix("ic-") for p in CONSTRAINTS}
    assert names == {f"{n:02d}" for n in range(1, 19)} | {"19a", "19b", "20", "21"}


@pytest.mark.parametrize("path", CONSTRAINTS, ids=lambda p: p.stem)
def test_the_shipped_cube_meets_the_integrity_constraint(cube, path):
    assert not violated(cube, path)


PREFIXES = """@prefix nkd: <https://w3id.org/nkd/ontology#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
"""


@pytest.mark.parametrize(("constraint", "extra"), [
    # A second statement of one cell in the same words: a duplicate (statedAs is in the key).
    ("ic-12", """<https://w3id.org/nkd/id/observation/copy> a qb:Observation ;
        qb:dataSet <https://w3id.org/nkd/id/dataset/defector-flows> ;
        sdmx-dimension:refPeriod "2019"^^xsd:gYear ;
        sdmx-dimension:refArea <https://w3id.org/nkd/id/place/south-korea> ;
        nkd:population <https://w3id.org/nkd/id/population/north-korean-defectors> ;
        nkd:variable <https://w3id.org/nkd/id/variable/arrivals-in-south-korea> ;
        nkd:source <https://w3id.org/nkd/id/source/number-of-defectors-declines> ;
        nkd:statedAs "1,047" ; sdmx-measure:obsValue 1047 ."""),
    # A dimension with no declared range.
    ("ic-04", """<https://w3id.org/nkd/id/structure/defection-statistics> qb:component [ qb:dimension nkd:rangeless ] ."""),
    # A variable outside the code list of nkd:variable.
    ("ic-19a", """<https://w3id.org/nkd/id/observation/arrivals-2021-article>
        nkd:variable <https://w3id.org/nkd/id/variable/not-in-the-scheme> ."""),
    # An observation without the number its structure measures.
    ("ic-14", """<https://w3id.org/nkd/id/observation/numberless> a qb:Observation ;
        qb:dataSet <https://w3id.org/nkd/id/dataset/defector-flows> ."""),
])
def test_a_broken_cube_fails_the_constraint(constraint, extra):
    assert violated(normalized(PREFIXES + extra), CUBE / f"{constraint}.rq")
