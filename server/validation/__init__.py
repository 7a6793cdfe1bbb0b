"""Validating RDF files against the SHACL shapes and the source texts: load, run pySHACL and
the provenance checks (:mod:`nkd.provenance`), return one typed report.

The data graph is the union of the given files (by default the shipped ``graph/``)
and the shipped ontology, so that ``sh:targetClass`` reaches instances of subclasses
through the ontology's ``rdfs:subClassOf`` triples. The shapes graph is the union of
the shapes files (by default the shipped ``shapes/``). The provenance checks run on the
same data (the pyoxigraph copy) and their findings join pySHACL's report graph as
sh:ValidationResults, so every format shows both alike.

The package, by what each part holds:

- ``report``: the typed report (:class:`ValidationReport`, :class:`ValidationResult`);
- ``files``: the files read, each parsed once by pyoxigraph; ``lines``: where each
  subject of a Turtle file is described; ``terms``: pyoxigraph and rdflib terms;
- ``graphs``: the data and shapes graphs pySHACL reads, and the report's prefixes;
- ``shacl``: running pySHACL and adding the provenance findings to its report;
- ``results``: each result with readable names, file and line;
- ``renderers``: the report as text, Turtle, JSON, JUnit XML or GitHub annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH

from .. import provenance
from ..data import sources_dir, turtle_files
from ..errors import InputError
from ..namespaces import NKDSH
from .files import LoadedFile, display_name, expand_paths, load_file, load_files
from .graphs import DataGraph, default_shapes_files, load_shapes, namespaces_of, quiet_rdflib, union
from .lines import subject_lines
from .renderers import FORMATS, render, summary
from .report import SEVERITIES, ValidationReport, ValidationResult
from .results import Locator, prefixed, result_of, shape_name
from .shacl import add_findings, run_pyshacl

# The file and line of a result's focus node, on each sh:ValidationResult (shapes/common.ttl).
REPORT_FILE = URIRef(NKDSH + "file")
REPORT_LINE = URIRef(NKDSH + "line")


def default_data_files() -> list[Path]:
    """The shipped instance data: ``graph/*.ttl``."""
    return turtle_files("graph")


def default_ontology_files() -> list[Path]:
    """The shipped ontology, always part of the data graph: ``ontology/*.ttl``."""
    return turtle_files("ontology")


def validate(data: Sequence[str | Path] | None = None, shapes: Sequence[str | Path] | None = None,
             ontology: Sequence[str | Path] | None = None, sources: str | Path | None = None) -> ValidationReport:
    """Validate RDF files against SHACL shapes, and their provenance against the source texts.

    ``data``: files or directories (default: the shipped graph); the ``ontology``
    (default: the shipped one) joins the data graph so that subclass targets work;
    ``shapes``: shapes files or directories (default: the shipped shapes); ``sources``:
    the directory holding the texts of the sources' ``nkd:textCopy`` (default: the
    shipped ``graph/sources/``), read by the provenance checks (:mod:`nkd.provenance`),
    whose results join the SHACL results in one report.
    Raises :class:`InputError` when a file cannot be read or the shapes cannot be used.
    """
    quiet_rdflib()
    texts = Path(sources) if sources is not None else sources_dir()
    if not texts.is_dir():
        raise InputError(f"{texts}: no such directory", path=str(texts),
                         hint="Pass --sources DIR, the directory holding the source texts the graph quotes.")
    data_files = load_files(expand_paths(data) if data is not None else default_data_files())
    ontology_paths = expand_paths(ontology) if ontology is not None else default_ontology_files()
    loaded_data = {f.path.resolve() for f in data_files}
    data_files += load_files([p for p in ontology_paths if p.resolve() not in loaded_data])
    shapes_files = load_files(expand_paths(shapes) if shapes is not None else default_shapes_files())
    if not shapes_files:
        raise InputError("no shapes to validate against", hint="Pass --shapes FILE, or run from a complete checkout.")

    data_graph = DataGraph(data_files)
    shapes_graph = union(shapes_files)
    namespaces = namespaces_of(shapes_files + data_files)
    report_graph = run_pyshacl(data_graph, shapes_graph)
    add_findings(report_graph, provenance.check(data_graph.ox_store, texts))
    for prefix, namespace in namespaces.namespaces():
        report_graph.bind(prefix, namespace, override=False)
    locator = Locator(data_graph, namespaces)
    results = []
    for node in list(report_graph.objects(None, SH.result)):
        result = result_of(report_graph, node, shapes_graph, locator)
        results.append(result)
        # Where the focus node is described, in the report graph too (SHACL allows results
        # to carry more than its own properties): RDF tools get what the other formats show.
        if result.file:
            report_graph.add((node, REPORT_FILE, Literal(result.file)))
        if result.line:
            report_graph.add((node, REPORT_LINE, Literal(result.line)))
    results.sort(key=lambda r: (r.file is None, r.file or "", r.line or 0, SEVERITIES.index(r.severity),
                                r.focus_node_name, r.source_shape_name, r.result_path or "", r.value or ""))
    return ValidationReport(
        results=results,
        graph=report_graph,
        files=[f.name for f in data_files],
        shapes_files=[f.name for f in shapes_files],
        triples=len(data_graph),
        shapes=len(set(shapes_graph.subjects(RDF.type, SH.NodeShape))
                   | set(shapes_graph.subjects(RDF.type, SH.PropertyShape))),
        namespaces=namespaces,
    )


__all__ = ["FORMATS", "LoadedFile", "SEVERITIES", "ValidationReport", "ValidationResult", "default_data_files",
           "default_ontology_files", "default_shapes_files", "display_name", "expand_paths", "load_file",
           "load_shapes", "prefixed", "render", "shape_name", "subject_lines", "summary", "validate"]
