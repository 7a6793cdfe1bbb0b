"""The ontology's axioms hold on the graph: OWL 2 RL reasoning (owlrl) over ontology and graph
finds no inconsistency, infers no nkd class that a node's own types do not already imply
(a domain or range that does not fit its values would), and the inferred graph still
conforms to the shapes (no inferred type a shape forbids). The closure is computed by
tests/owl_closure.py in a process of its own (owlrl changes rdflib's literal handling)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from conftest import ROOT, invoke_nkd
from nkd.data import turtle_files

NKD = "https://w3id.org/nkd/ontology#"


@pytest.fixture(scope="module")
def closure(tmp_path_factory) -> Path:
    """The file holding the OWL 2 RL closure of ontology and graph (errors beside it)."""
    path = tmp_path_factory.mktemp("owl") / "closure.nt"
    subprocess.run([sys.executable, str(ROOT / "tests" / "owl_closure.py"), str(path)], check=True, timeout=600)
    return path


@pytest.fixture(scope="module")
def asserted() -> rdflib.Graph:
    """Ontology and graph, as written."""
    graph = rdflib.Graph()
    for path in turtle_files("ontology") + turtle_files("graph"):
        graph.parse(path, format="turtle")
    return graph


def test_owl_rl_finds_no_inconsistency(closure):
    assert Path(str(closure) + ".errors").read_text(encoding="utf-8") == ""


def test_no_nkd_class_is_inferred_that_a_node_is_not_already(asserted, closure):
    """Ranges and domains respected: a reasoner adds no nkd class to a node beyond the
    superclasses of the classes it is stated to be (e.g. no population made an nkd:Actor,
    and so a prov:Agent, by the range of nkd:affected)."""
    inferred = rdflib.Graph().parse(closure, format="nt")
    ontology = rdflib.Graph()
    for path in turtle_files("ontology"):
        ontology.parse(path, format="turtle")

    def with_superclasses(classes: set) -> set:
        return {ancestor for cls in classes for ancestor in ontology.transitive_objects(cls, RDFS.subClassOf)}

    gained = []
    for node in set(asserted.subjects(RDF.type, None)):
        stated = set(asserted.objects(node, RDF.type))
        if stated & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}:
            continue  # the ontology's own terms
        expected = with_superclasses(stated)
        for cls in inferred.objects(node, RDF.type):
            if str(cls).startswith(NKD) and cls not in expected:
                gained.append((str(node), str(cls)))
    assert sorted(gained) == []


def test_the_inferred_graph_conforms_to_the_shapes(closure):
    """No inferred type (or inferred triple) makes a shape fail."""
    run = invoke_nkd("validate", str(closure), "--format", "json")
    report = json.loads(run.stdout)
    assert [(r["focus_node_name"], r["source_shape_name"], r["message"]) for r in report["results"]] == []
    assert run.returncode == 0
