"""Running pySHACL, and adding the provenance checks' findings to its report graph."""

from __future__ import annotations

from typing import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from .. import provenance
from ..errors import InputError
from ..namespaces import NKDSH
from .terms import Terms


def run_pyshacl(data_graph: Graph, shapes_graph: Graph) -> Graph:
    """pySHACL's report graph for the data against the shapes; :class:`InputError` for unusable shapes."""
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    try:
        _conforms, report_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,       # SHACL-AF: SPARQL-based targets
            inplace=True,        # the graph is ours; no copy
            allow_infos=False,   # sh:conforms as SHACL defines it; exit codes are decided here
            allow_warnings=False,
        )
    except (ShapeLoadError, ConstraintLoadError) as exc:
        raise InputError(f"the shapes cannot be used: {exc.message}",
                         hint="Fix the shape named in the message; see https://www.w3.org/TR/shacl/.") from None
    except ReportableRuntimeError as exc:
        raise InputError(f"validation could not run: {exc.message}",
                         hint="Check the shapes files passed with --shapes.") from None
    if not isinstance(report_graph, Graph):  # pySHACL returns a ValidationFailure it caught
        raise InputError(f"validation could not run: {getattr(report_graph, 'message', report_graph)}",
                         hint="A shape could not be evaluated; fix the shape named in the message.")
    return report_graph


def add_findings(report: Graph, findings: Sequence[provenance.Finding]) -> None:
    """Add the provenance findings to the SHACL report graph as sh:ValidationResults.

    Each names its check as the source shape and an nkd constraint component
    (``nkdsh:QuoteInSourceComponent``…), declared in shapes/provenance.ttl; the report
    then reads as one, whichever engine found a result.
    """
    if not findings:
        return
    terms = Terms()
    root = next(iter(report.subjects(RDF.type, SH.ValidationReport)))
    report.set((root, SH.conforms, Literal(False)))
    for finding in findings:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, terms(finding.focus)))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.sourceShape, URIRef(NKDSH + finding.shape)))
        report.add((node, SH.sourceConstraintComponent, URIRef(NKDSH + finding.component)))
        report.add((node, SH.resultMessage, Literal(finding.message, lang="en")))
        if finding.value is not None:
            report.add((node, SH.value, terms(finding.value)))
        if len(finding.path) == 1:
            report.add((node, SH.resultPath, URIRef(finding.path[0])))
        elif finding.path:
            steps = [URIRef(step) for step in finding.path]
            head = BNode()
            report.add((node, SH.resultPath, head))
            Collection(report, head, steps)
