"""Each result of the report graph as a :class:`ValidationResult`: readable names, file and line.

Each result carries the file and line where its focus node is described. A blank node (or
a node that is never a subject) is placed at the line of the subject that encloses it.
"""

from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD, NamespaceManager
from rdflib.term import Node

from ..namespaces import longest_first, prefixed_name
from .graphs import DataGraph
from .report import SEVERITIES, ValidationResult
from .terms import ox_term


class Locator:
    """Finds, for a node, the file that describes it, its line, and a readable name."""

    def __init__(self, data: DataGraph, namespaces: NamespaceManager) -> None:
        self.data = data
        self.namespaces = namespaces

    def name(self, node: Node) -> str:
        """A prefixed name, an <IRI>, a literal in Turtle syntax, or a blank node's path from its subject."""
        if isinstance(node, URIRef):
            return prefixed(node, self.namespaces)
        if isinstance(node, BNode):
            steps = []
            for subject, predicate in self._ancestry(ox_term(node), None):
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
        target = ox_term(node)
        files = list(zip(self.data.files, self.data.file_graphs))
        holders = [(f, g) for f, g in files if self._has(target, None, None, g)]
        if holders and predicate is not None and value is not None:
            exact = [(f, g) for f, g in holders if self._has(target, ox_term(predicate), ox_term(value), g)]
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
    declared = longest_first((prefix, str(namespace)) for prefix, namespace in namespaces.namespaces())
    return prefixed_name(str(iri), declared) or f"<{iri}>"


def path_text(graph: Graph, path: Node, namespaces: NamespaceManager) -> str:
    """A SHACL property path in SPARQL's property-path syntax, with prefixed names."""
    from rdflib.extras.shacl import parse_shacl_path

    try:
        parsed = parse_shacl_path(graph, path)
    except Exception:  # noqa: BLE001 - an unusual path is still worth a result
        return path.n3(namespaces)
    if isinstance(parsed, URIRef):
        return prefixed(parsed, namespaces)
    return parsed.n3(namespaces)


def result_of(report: Graph, node: Node, shapes: Graph, locator: Locator) -> ValidationResult:
    """The :class:`ValidationResult` of one ``sh:result`` node of the report graph."""

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
        result_path=path_text(report, path, names) if path is not None else None,
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
    path_text_ = path_text(shapes, path, namespaces) if path is not None else "[]"
    if parent is None:
        return path_text_
    return f"{shape_name(parent, shapes, namespaces)}/{path_text_}"
