"""What `nkd validate` finds: a typed report of results, each located in a file and line."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.namespace import NamespaceManager

SEVERITIES = ("Violation", "Warning", "Info")


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

    def render(self, fmt: str = "text", allow_warnings: bool = False) -> str:
        """The report as `nkd validate --format FMT` prints it: ``text``, ``turtle``, ``json``,
        ``junit`` or ``github`` (see :mod:`nkd.validation.renderers`)."""
        from .renderers import render  # the renderers read this module

        return render(self, fmt, allow_warnings)
