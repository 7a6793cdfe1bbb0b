"""Validating RDF files against the SHACL shapes and the source texts: load, run pySHACL and
the provenance checks (:mod:`nkd.provenance`), return one typed report.

The data graph is the union of the given files (by default the shipped ``graph/``)
and the shipped ontology, so that ``sh:targetClass`` reaches instances of subclasses
through the ontology's ``rdfs:subClassOf`` triples. The shapes graph is the union of
the shapes files (by default the shipped ``shapes/``).

Files are parsed by pyoxigraph, the same parser the store uses, so a file that
validates is a file the server loads, and a syntax error names the file, line and
column. pySHACL runs on rdflib's in-memory graph of the triples, with its SPARQL
queries answered by a pyoxigraph copy (:class:`_DataGraph`): much faster than either
alone (measured: see README, "Validation (CI)").

The provenance checks run on the same data (the pyoxigraph copy) and their findings join
pySHACL's report graph as sh:ValidationResults, so every format shows both alike.

Each result carries the file and line where its focus node is described. pyoxigraph
does not report positions, so the line comes from a second, lazy parse of only the
files that have results, by rdflib's own Turtle parser told to note where each
statement's subject begins (:class:`_SubjectLineParser`). A blank node (or a node
that is never a subject) is placed at the line of the subject that encloses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD, NamespaceManager
from rdflib.plugins.parsers.notation3 import RDFSink, SinkParser
from rdflib.term import Node

from .data import data_root, sources_dir, turtle_files
from .errors import InputError, NkdError
from . import provenance
from .store import parse_error, rdf_format

SEVERITIES = ("Violation", "Warning", "Info")

# Prefixes every report may use, whatever the files declare.
_BASE_PREFIXES = {
    "sh": str(SH),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": str(XSD),
    "owl": "http://www.w3.org/2002/07/owl#",
    "nkd": "https://w3id.org/nkd/ontology#",
    "nkdsh": "https://w3id.org/nkd/shapes#",
}

NKDSH = "https://w3id.org/nkd/shapes#"
# The file and line of a result's focus node, on each sh:ValidationResult (shapes/common.ttl).
REPORT_FILE = URIRef(NKDSH + "file")
REPORT_LINE = URIRef(NKDSH + "line")

# Suffixes whose line numbers rdflib's Turtle parser can find (N-Triples is Turtle).
_TURTLE_SUFFIXES = {".ttl", ".turtle", ".nt"}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, located in the file that describes its focus node.

    Terms are given twice: as IRIs (``focus_node``, ``source_shape``…; blank nodes as
    ``_:id``, literals in N-Triples syntax) for programs, and as short readable names
    (``*_name``: prefixed names, blank nodes as the path from their enclosing subject).
    """

    severity: str                 # "Violation", "Warning" or "Info"
    message: str
    focus_node: str
    focus_node_name: str
    source_shape: str
    source_shape_name: str
    constraint_component: str
    constraint_component_name: str
    result_path: str | None = None       # the path, in SPARQL property-path syntax
    value: str | None = None             # N-Triples syntax
    value_name: str | None = None
    source_constraint: str | None = None  # the sh:sparql node of a SPARQL-based constraint
    source_constraint_name: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def rule(self) -> str:
        """The rule that fired, for people: the shape, and the SPARQL constraint if any."""
        rule = self.source_shape_name
        if self.source_constraint_name and self.source_constraint_name != rule:
            rule = f"{rule} {self.source_constraint_name}"
        return rule

    def to_dict(self) -> dict[str, object]:
        """The result as a JSON object (the documented `--format json` shape)."""
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "focus_node": self.focus_node,
            "focus_node_name": self.focus_node_name,
            "result_path": self.result_path,
            "value": self.value,
            "source_shape": self.source_shape,
            "source_shape_name": self.source_shape_name,
            "source_constraint": self.source_constraint,
            "constraint_component": self.constraint_component,
            "constraint_component_name": self.constraint_component_name,
            "message": self.message,
        }


@dataclass
class ValidationReport:
    """What `validate` found: the results, the SHACL report graph, and what was checked."""

    results: list[ValidationResult]
    graph: Graph                   # the sh:ValidationReport graph pySHACL produced
    files: list[str]               # every data file checked (display names)
    shapes_files: list[str]
    triples: int
    shapes: int
    namespaces: NamespaceManager = field(repr=False)

    @property
    def conforms(self) -> bool:
        """True when there is no result of any severity (SHACL's sh:conforms)."""
        return not self.results

    def count(self, severity: str) -> int:
        """How many results have this severity ("Violation", "Warning" or "Info")."""
        return sum(1 for r in self.results if r.severity == severity)

    def failed(self, allow_warnings: bool = False) -> bool:
        """Whether validation fails: any violation, or any other result unless warnings are allowed."""
        if allow_warnings:
            return any(r.severity == "Violation" for r in self.results)
        return bool(self.results)

    def by_file(self) -> dict[str | None, list[ValidationResult]]:
        """Results grouped by file, in the order of ``files`` (results with no file last)."""
        groups: dict[str | None, list[ValidationResult]] = {name: [] for name in self.files}
        for result in self.results:
            groups.setdefault(result.file, []).append(result)
        return {name: results for name, results in groups.items() if results}


# --- loading -------------------------------------------------------------------------------


@dataclass
class LoadedFile:
    """One parsed RDF file: where it is, how reports name it, its triples and its prefixes."""

    path: Path
    name: str
    triples: list[ox.Triple] = field(repr=False)  # the triples of every graph of the file
    prefixes: dict[str, str] = field(default_factory=dict)
    _lines: dict[Node, int] | None = field(default=None, repr=False)

    def subject_lines(self) -> dict[Node, int]:
        """Line of the first statement whose subject is each IRI (parsed on first use)."""
        if self._lines is None:
            self._lines = subject_lines(self.path)
        return self._lines


def display_name(path: Path) -> str:
    """How a file is named in reports: shipped files relative to the data root, others as given."""
    try:
        return path.resolve().relative_to(data_root()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(path)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read: files as given, directories replaced by their RDF files (sorted).

    Raises :class:`InputError` for a path that does not exist or a directory with no RDF file.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_rdf(p))
            if not found:
                raise InputError(f"{path}: no RDF files in this directory", path=str(path),
                                 hint="Pass Turtle (.ttl) or other RDF files, or a directory holding some.")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file", path=str(path),
                             hint="Check the path; run from the directory the paths are relative to.")
    return files


def _is_rdf(path: Path) -> bool:
    try:
        rdf_format(path)
    except InputError:
        return False
    return True


def load_file(path: Path) -> LoadedFile:
    """Parse one RDF file with pyoxigraph; :class:`InputError` names the file and line of bad syntax."""
    name = display_name(path)
    fmt = rdf_format(path)
    try:
        # No base IRI: a relative IRI is an error here exactly as when the store loads it.
        # Blank nodes are renamed so that two files' _:b1 stay two nodes.
        parser = ox.parse(path=str(path), format=fmt, rename_blank_nodes=True)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parser]
    except SyntaxError as exc:
        raise parse_error(Path(name), exc) from None
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or exc}", path=name,
                         hint="Check that the file exists and is readable.") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text", path=name, hint="Save the file as UTF-8.") from None
    return LoadedFile(path, name, triples, dict(getattr(parser, "prefixes", None) or {}))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Terms:
    """pyoxigraph terms to rdflib terms, each distinct term converted once."""

    # oxrdflib's converter keeps ^^xsd:string explicit, which rdflib treats as a term
    # different from the plain literal that a shapes file or a SPARQL query writes;
    # so this one writes plain literals as rdflib does.

    def __init__(self) -> None:
        self._cache: dict[object, Node] = {}

    def __call__(self, term: object) -> Node:
        node = self._cache.get(term)
        if node is None:
            node = self._cache[term] = self._convert(term)
        return node

    @staticmethod
    def _convert(term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            # normalize=False: rdflib would rewrite "2019-11-30T00:00:00"^^xsd:date as
            # "2019-11-30" and hide from the shapes what the file (and the store) holds.
            return Literal(term.value, datatype=URIRef(datatype), normalize=False)
        raise InputError(f"unsupported RDF term {term!r}",
                         hint="Validation handles RDF 1.1 data; remove RDF 1.2 triple terms.")


def _ox_term(node: Node) -> object:
    """The pyoxigraph term for an rdflib term (the inverse of :class:`_Terms`)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or _XSD_STRING)))
    raise TypeError(f"not an RDF term: {node!r}")


def load_files(paths: Sequence[Path]) -> list[LoadedFile]:
    """Parse each file once (the same file named twice is read once)."""
    seen: set[Path] = set()
    loaded = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            loaded.append(load_file(path))
    return loaded


# --- line numbers ----------------------------------------------------------------------------


def subject_lines(path: Path) -> dict[Node, int]:
    """The line (1-based) of the first statement in a Turtle file whose subject is each IRI.

    Empty for formats other than Turtle / N-Triples, and for a file rdflib's parser
    cannot read (pyoxigraph has already accepted it; the lines are a convenience).
    """
    if path.suffix.lower() not in _TURTLE_SUFFIXES:
        return {}
    parser = _SubjectLineParser()
    try:
        parser.loadBuf(path.read_bytes())
    except Exception:  # noqa: BLE001 - a best-effort index; what was found so far still helps
        pass
    return parser.found


class _SubjectLineParser(SinkParser):
    """rdflib's Turtle parser, noting the line where each statement's subject begins.

    ``statement`` is entered at the first character of a subject; the first
    ``property_list`` after it receives the parsed subject term. Nested blank-node
    property lists are not statements and are not noted. No triples are kept.
    """

    def __init__(self) -> None:
        super().__init__(RDFSink(Graph(bind_namespaces="none")), turtle=True)
        self.found: dict[Node, int] = {}
        self._start: int | None = None
        self._counted_to = 0
        self._line = 1

    def makeStatement(self, quadruple, why=None) -> None:  # noqa: N802 - rdflib's name
        pass

    def statement(self, argstr: str, i: int) -> int:
        self._start = i
        return super().statement(argstr, i)

    def property_list(self, argstr: str, i: int, subj: Node) -> int:
        if self._start is not None:
            start, self._start = self._start, None
            self._line += argstr.count("\n", self._counted_to, start)
            self._counted_to = start
            if isinstance(subj, URIRef):
                self.found.setdefault(subj, self._line)
        return super().property_list(argstr, i, subj)


# --- validation ------------------------------------------------------------------------------


def default_data_files() -> list[Path]:
    """The shipped instance data: ``graph/*.ttl``."""
    return turtle_files("graph")


def default_shapes_files() -> list[Path]:
    """The shipped shapes: ``shapes/*.ttl``."""
    return turtle_files("shapes")


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
    _quiet_rdflib()
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

    data_graph = _DataGraph(data_files)
    shapes_graph = _union(shapes_files)
    namespaces = _namespaces(shapes_files + data_files)
    report_graph = _run_pyshacl(data_graph, shapes_graph)
    _add_findings(report_graph, provenance.check(data_graph.ox_store, texts))
    for prefix, namespace in namespaces.namespaces():
        report_graph.bind(prefix, namespace, override=False)
    locator = _Locator(data_graph, namespaces)
    results = []
    for node in list(report_graph.objects(None, SH.result)):
        result = _result(report_graph, node, shapes_graph, locator)
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


class _DataGraph(Graph):
    """The data graph: rdflib's in-memory graph, whose SPARQL queries pyoxigraph answers.

    pySHACL checks core constraints by walking triples, which rdflib's memory store does
    fastest; but it sends a SHACL-SPARQL constraint once per focus node, and rdflib's
    engine parses and evaluates each in Python (seconds for this graph). A pyoxigraph
    store holds the same triples (same blank node ids), one named graph per file, and
    answers those queries natively over their union, with $this pre-bound by
    substitution; it also tells which file holds a triple. Measured in the README,
    "Validation (CI)".
    """

    def __init__(self, files: Sequence[LoadedFile]) -> None:
        from oxrdflib import OxigraphStore

        super().__init__(bind_namespaces="none")
        self.files = list(files)
        self.file_graphs = [ox.NamedNode(f"urn:nkd:validate:file:{i}") for i in range(len(self.files))]
        self.ox_store = ox.Store()
        terms = _Terms()
        for loaded, graph_name in zip(self.files, self.file_graphs):
            self.ox_store.extend(ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in loaded.triples)
            self.addN((terms(t.subject), terms(t.predicate), terms(t.object), self) for t in loaded.triples)
        self._sparql = OxigraphStore(store=self.ox_store)

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        """Answer a SPARQL query (a string) with pyoxigraph over the union of the files."""
        _check_shape_query(query_object)
        return self._sparql.query(query_object, dict(initNs or {}), dict(initBindings or {}), "__UNION__")


@lru_cache(maxsize=None)
def _check_shape_query(text: str) -> None:
    # pyoxigraph runs SERVICE over HTTP; a shape (from --shapes) must not make validation
    # open a connection or change the data. The endpoint's own guard decides, once per text.
    from .settings import load_settings
    from .sparql import check_query

    try:
        check_query(text, load_settings(environ={}))
    except NkdError as err:
        raise InputError(f"a SPARQL query of the shapes cannot run: {err.message}",
                         hint="Validation reads only the given files: remove SERVICE, updates and "
                              "external graphs from the shapes' SPARQL.") from None


def load_shapes(paths: Sequence[str | Path] | None = None) -> tuple[Graph, NamespaceManager]:
    """The shapes graph (default: the shipped shapes) and the prefixes its files declare."""
    _quiet_rdflib()
    files = load_files(expand_paths(paths) if paths is not None else default_shapes_files())
    return _union(files), _namespaces(files)


def _union(files: Sequence[LoadedFile]) -> Graph:
    # The shapes graph: pySHACL reads it constantly and needs no contexts in it, which
    # rdflib's default store keeps at a cost on every lookup. (The data graph must have
    # them: pySHACL wraps it in a Dataset.)
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    terms = _Terms()
    for loaded in files:
        graph.addN((terms(t.subject), terms(t.predicate), terms(t.object), graph) for t in loaded.triples)
    return graph


def _namespaces(files: Sequence[LoadedFile]) -> NamespaceManager:
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    taken: set[str] = set()
    namespaces_seen: set[str] = set()
    pairs = list(_BASE_PREFIXES.items()) + [pair for f in files for pair in f.prefixes.items()]
    for prefix, namespace in pairs:
        # The first binding of a prefix (and of a namespace) wins; no generated ns1 prefixes.
        if prefix in taken or namespace in namespaces_seen:
            continue
        taken.add(prefix)
        namespaces_seen.add(namespace)
        manager.bind(prefix, namespace, override=False, replace=False)
    return manager


def _run_pyshacl(data_graph: Graph, shapes_graph: Graph) -> Graph:
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError, ConstraintLoadError

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




def _add_findings(report: Graph, findings: Sequence[provenance.Finding]) -> None:
    """Add the provenance findings to the SHACL report graph as sh:ValidationResults.

    Each names its check as the source shape and an nkd constraint component
    (``nkdsh:QuoteInSourceComponent``…), declared in shapes/provenance.ttl; the report
    then reads as one, whichever engine found a result.
    """
    if not findings:
        return
    terms = _Terms()
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


class _Locator:
    """Finds, for a node, the file that describes it, its line, and a readable name."""

    def __init__(self, data: _DataGraph, namespaces: NamespaceManager) -> None:
        self.data = data
        self.namespaces = namespaces

    def name(self, node: Node) -> str:
        """A prefixed name, an <IRI>, a literal in Turtle syntax, or a blank node's path from its subject."""
        if isinstance(node, URIRef):
            return prefixed(node, self.namespaces)
        if isinstance(node, BNode):
            steps = []
            for subject, predicate in self._ancestry(_ox_term(node), None):
                steps.append(prefixed(URIRef(predicate.value), self.namespaces))
                if isinstance(subject, ox.NamedNode):
                    return "/".join([prefixed(URIRef(subject.value), self.namespaces)] + steps[::-1])
            return "[]"
        return node.n3(self.namespaces)

    def locate(self, node: Node | None, predicate: Node | None, value: Node | None) -> tuple[str | None, int | None]:
        """The file and line where ``node`` is described: the file holding the triple with
        ``value`` if there is one, else the first file where it is a subject; a blank node,
        or a node that is only ever an object, at the line of the IRI subject enclosing it."""
        if node is None or isinstance(node, Literal):
            return None, None
        target = _ox_term(node)
        files = list(zip(self.data.files, self.data.file_graphs))
        holders = [(f, g) for f, g in files if self._has(target, None, None, g)]
        if holders and predicate is not None and value is not None:
            exact = [(f, g) for f, g in holders if self._has(target, _ox_term(predicate), _ox_term(value), g)]
            holders = exact or holders
        if holders and isinstance(target, ox.NamedNode):
            loaded = holders[0][0]
            return loaded.name, loaded.subject_lines().get(node)
        for loaded, graph in holders or [(f, g) for f, g in files if self._has(None, None, target, g)]:
            for subject, _ in self._ancestry(target, graph):
                if isinstance(subject, ox.NamedNode):
                    return loaded.name, loaded.subject_lines().get(URIRef(subject.value))
        return (holders[0][0].name, None) if holders else (None, None)

    def _has(self, s: object, p: object, o: object, graph: object) -> bool:
        return next(self.data.ox_store.quads_for_pattern(s, p, o, graph), None) is not None

    def _ancestry(self, node: object, graph: object) -> Iterator[tuple[object, object]]:
        """(subject, predicate) pairs walking up from ``node`` until an IRI subject."""
        seen = {node}
        while True:
            quad = next(self.data.ox_store.quads_for_pattern(None, None, node, graph), None)
            if quad is None or quad.subject in seen:
                return
            yield quad.subject, quad.predicate
            node = quad.subject
            seen.add(node)
            if isinstance(node, ox.NamedNode):
                return


def prefixed(iri: Node, namespaces: NamespaceManager) -> str:
    """``prefix:local`` when a bound namespace fits and the local part is a legal name, else ``<iri>``."""
    best = ""
    best_prefix = None
    text = str(iri)
    for prefix, namespace in namespaces.namespaces():
        ns = str(namespace)
        if text.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best_prefix is not None:
        local = text[len(best):]
        if _legal_local(local):
            return f"{best_prefix}:{local}"
    return f"<{text}>"


def _legal_local(local: str) -> bool:
    # A conservative subset of Turtle's PN_LOCAL: what needs no escaping.
    if local == "":
        return True
    if local[-1] == "." or local[0] in "-.":
        return False
    return all(ch.isalnum() or ch in "_-." for ch in local)


def _path_text(report: Graph, path: Node, namespaces: NamespaceManager) -> str:
    from rdflib.extras.shacl import parse_shacl_path

    try:
        parsed = parse_shacl_path(report, path)
    except Exception:  # noqa: BLE001 - an unusual path is still worth a result
        return path.n3(namespaces)
    if isinstance(parsed, URIRef):
        return prefixed(parsed, namespaces)
    return parsed.n3(namespaces)


def _result(report: Graph, node: Node, shapes: Graph, locator: _Locator) -> ValidationResult:
    def one(predicate: URIRef) -> Node | None:
        return next(iter(report.objects(node, predicate)), None)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    value = _plain(one(SH.value))
    if value == focus:
        value = None  # pySHACL repeats the focus as the value of node-level SPARQL results
    shape = one(SH.sourceShape)
    component = one(SH.sourceConstraintComponent)
    constraint = one(SH.sourceConstraint)
    severity_node = one(SH.resultSeverity)
    severity = str(severity_node).rsplit("#", 1)[-1] if severity_node is not None else "Violation"
    if severity not in SEVERITIES:
        severity = "Violation"
    messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    english = [m for m in messages if (m.language or "en").startswith("en")]
    message = str((english or messages or [Literal("")])[0])

    file, line = locator.locate(focus, path if isinstance(path, URIRef) else None, value)
    names = locator.namespaces
    return ValidationResult(
        severity=severity,
        message=message,
        focus_node=_id(focus),
        focus_node_name=locator.name(focus),
        source_shape=_id(shape),
        source_shape_name=shape_name(shape, shapes, names),
        constraint_component=_id(component),
        constraint_component_name=prefixed(component, names) if component is not None else "",
        result_path=_path_text(report, path, names) if path is not None else None,
        value=value.n3() if value is not None else None,
        value_name=locator.name(value) if value is not None else None,
        source_constraint=_id(constraint) if constraint is not None else None,
        source_constraint_name=(prefixed(constraint, names) if isinstance(constraint, URIRef) else None),
        file=file,
        line=line,
    )


def _plain(term: Node | None) -> Node | None:
    # Values from SPARQL results carry ^^xsd:string explicitly; show them as written.
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _id(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3()
    return term.n3() if isinstance(term, BNode) else str(term)


def shape_name(shape: Node | None, shapes: Graph, namespaces: NamespaceManager) -> str:
    """A shape's prefixed name; a blank property shape as ``parent/path`` (its node shape and path)."""
    if shape is None:
        return ""
    if isinstance(shape, URIRef):
        return prefixed(shape, namespaces)
    parent = next(iter(shapes.subjects(SH.property, shape)), None)
    path = next(iter(shapes.objects(shape, SH.path)), None)
    path_text = _path_text(shapes, path, namespaces) if path is not None else "[]"
    if parent is None:
        return path_text
    return f"{shape_name(parent, shapes, namespaces)}/{path_text}"


def _quiet_rdflib() -> None:
    # rdflib logs a traceback for every ill-typed literal it converts ("2019-11-31"^^xsd:date);
    # the shapes report those literals, with file and line, so the log is noise.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)

__all__ = ["LoadedFile", "SEVERITIES", "ValidationReport", "ValidationResult", "display_name",
           "expand_paths", "load_file", "load_shapes", "prefixed", "shape_name", "subject_lines", "validate"]
