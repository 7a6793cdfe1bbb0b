"""The /ontology and /shapes documents of the shipped data, through Flask's test client."""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import RDF, SH

from conftest import isomorphic, shipped_graph as shipped


def test_shapes_document_holds_every_shapes_file_regression_11_of_89(client):
    expected = shipped("shapes")
    node_shapes = set(expected.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) > 11
    turtle = client.get("/shapes.ttl")
    served = rdflib.Graph().parse(data=turtle.data, format="turtle")
    assert set(served.subjects(RDF.type, SH.NodeShape)) == node_shapes
    assert isomorphic(served, expected)
    page = client.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True)
    anchors = set(re.findall(r'<article class="term" id="([^"]+)"', page))
    assert {str(s).split("#", 1)[1] for s in node_shapes} <= anchors


def test_ontology_document_is_still_only_the_ontology(client):
    served = rdflib.Graph().parse(data=client.get("/ontology.ttl").data, format="turtle")
    assert isomorphic(served, shipped("ontology"))
