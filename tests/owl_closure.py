"""The OWL 2 RL closure of the shipped ontology and graph, computed with owlrl and written to
a file: ``python tests/owl_closure.py OUT.nt`` writes the closure's RDF 1.1 triples to OUT.nt
and owlrl's inconsistency messages to OUT.nt.errors, one per line.

A process of its own, for the tests: owlrl changes how rdflib converts XSD literals in the
process it runs in (gMonth and others), which would break the tests that run after it in the same process.
It also writes generalized RDF (literal subjects: ``"2019"^^xsd:gYear a xsd:gYear``), which
no RDF 1.1 file can hold and no shape targets; those triples are left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import owlrl
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib.term import Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.data import turtle_files  # noqa: E402 - after the path is set


def main(out: str) -> None:
    """Write the closure to ``out`` and owlrl's error messages to ``out.errors``."""
    graph = rdflib.Graph()
    for path in turtle_files("ontology") + turtle_files("graph"):
        graph.parse(path, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = [str(message) for message in graph.objects(None, ERRNS.error)]
    closure = rdflib.Graph()
    for s, p, o in graph:
        if not isinstance(s, Literal) and p != ERRNS.error:
            closure.add((s, p, o))
    closure.serialize(out, format="nt", encoding="utf-8")
    Path(out + ".errors").write_text("".join(f"{e}\n" for e in errors), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
