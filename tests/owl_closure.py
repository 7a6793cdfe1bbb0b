"""The OWL 2 RL closure of the shipped ontology and graph, computed with owlrl and written to
a file: ``python tests/owl_closure.py OUT.nt`` writes the closure's RDF 1.1 triples to OUT.nt
and owlrl's inconsistency messages to OUT.nt.errors, one per line.

A process of its own, for the tests: owlrl changes how rdflib converts XSD literals in the
process it runs in (gMonth and others), which would break the tests that run after it in the same process.
It also writes generalized RDF (literal subjects: ``"2019"^^xsd:gYear a xsd:gYear``), which
no RDF 1.1 file can hold and no shape targets; those triples are left out.

``owl:sameAs`` (a place and its GeoNames feature) makes two IRIs one individual, and the
closure says everything of both. SHACL counts nodes, not individuals: a country's
jurisdiction would count twice. So each group of equal nodes is written as one node, the
graph's own IRI, as the one individual it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

import owlrl
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib.namespace import OWL
from rdflib.term import Literal

NKD_BASE = "https://w3id.org/nkd/"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nkd.data import turtle_files  # noqa: E402 - after the path is set


def main(out: str) -> None:
    """Write the closure to ``out`` and owlrl's error messages to ``out.errors``."""
    graph = rdflib.Graph()
    for path in turtle_files("ontology") + turtle_files("graph"):
        graph.parse(path, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = [str(message) for message in graph.objects(None, ERRNS.error)]
    same = _individuals(graph)
    closure = rdflib.Graph()
    for s, p, o in graph:
        if not isinstance(s, Literal) and p != ERRNS.error:
            s, o = same.get(s, s), same.get(o, o)
            if not (p == OWL.sameAs and s == o):
                closure.add((s, p, o))
    closure.serialize(out, format="nt", encoding="utf-8")
    Path(out + ".errors").write_text("".join(f"{e}\n" for e in errors), encoding="utf-8")


def _individuals(graph: rdflib.Graph) -> dict:
    """Each node that is owl:sameAs another, mapped to its group's one name: an IRI of the
    graph's own (``https://w3id.org/nkd/``) where the group has one, else the smallest."""
    groups: dict = {}
    for s, o in graph.subject_objects(OWL.sameAs):
        if s != o:
            group = groups.get(s, {s}) | groups.get(o, {o})
            for node in group:
                groups[node] = group
    name = {}
    for node, group in groups.items():
        name[node] = min(group, key=lambda n: (not str(n).startswith(NKD_BASE), str(n)))
    return name


if __name__ == "__main__":
    main(sys.argv[1])
