"""The ontology's axioms hold on the graph: OWL 2 RL reasoning (owlrl) over ontology and graph
finds no inconsistency, infers no nkd class that a node's own types do not already imply
(a domain or range that does not fit its values would), and the inferred graph still
conforms to the shapes (no inferred type a shape forbids)."""

from __future__ import annotations

import json

import owlrl
import pytest
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Literal

from conftest import run_nkd
from server.data import turtle_files

NKD = "https://w3id.org/nkd/ontology#"


@pytest.fixture(scope="module")
def asserted() -> rdflib.Graph:
    """Ontology and graph, as written."""
    graph = rdflib.Graph()
    for path in turtle_files("ontology") + turtle_files("graph"):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def inferred(asserted) -> rdflib.Graph:
    """Their OWL 2 RL closure."""
    graph = rdflib.Graph()
    for triple in asserted:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def test_owl_rl_finds_no_inconsistency(inferred):
    assert [str(message) for message in inferred.objects(None, ERRNS.error)] == []


def test_no_nkd_class_is_inferred_that_a_node_is_not_already(asserted, inferred):
    """Ranges and domains respected: a reasoner adds no nkd class to a node beyond the
    superclasses of the classes it is stated to be (e.g. no population made an nkd:Actor,
    and so a prov:Agent, by the range of nkd:affected)."""
    ontology = rdflib.Graph()
    for path in turtle_files("ontology"):
        ontology.parse(path, format="turtle")

    def with_superclasses(classes: set) -> set:
        return {ancestor for cls in classes for ancestor in ontology.transitive_objects(cls, RDFS.subClassOf)}

    gained = []
    for node in set(asserted.subjects(RDF.type, None)):
        stated = set(asserted.objects(node, RDF.type))
        if OWL.Class in stated or OWL.ObjectProperty in stated or OWL.DatatypeProperty in stated:
            continue  # the ontology's own terms
        expected = with_superclasses(stated)
        for cls in inferred.objects(node, RDF.type):
            if str(cls).startswith(NKD) and cls not in expected:
                gained.append((str(node), str(cls)))
    assert sorted(gained) == []


def test_the_inferred_graph_conforms_to_the_shapes(inferred, tmp_path):
    """No inferred type (or inferred triple) makes a shape fail. owlrl writes generalized
    RDF (literals as subjects: "2019"^^xsd:gYear a xsd:gYear); RDF 1.1 files cannot hold
    those, and no shape targets them. Validated by `nkd validate` in a process of its own:
    owlrl changes how rdflib converts XSD literals in the process it runs in."""
    path = tmp_path / "closure.nt"
    closure = rdflib.Graph()
    for s, p, o in inferred:
        if not isinstance(s, Literal) and p != ERRNS.error:
            closure.add((s, p, o))
    closure.serialize(path, format="nt", encoding="utf-8")
    run = run_nkd("validate", str(path), "--format", "json", timeout_s=300)
    report = json.loads(run.stdout)
    assert [(r["focus_node_name"], r["source_shape_name"], r["message"]) for r in report["results"]] == []
    assert run.returncode == 0
