"""Renderings of a validation report: text for people, Turtle, JSON, JUnit XML, GitHub annotations.

Each renderer takes a :class:`~nkd.validation.report.ValidationReport` and whether
warnings are allowed (which decides pass or fail), and returns the text to write.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Callable

from .report import SEVERITIES, ValidationReport, ValidationResult

FORMATS = ("text", "turtle", "json", "junit", "github")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts_text(results: list[ValidationResult]) -> str:
    """'2 violations, 1 warning' for a list of results (severities with no result left out)."""
    parts = []
    for severity in SEVERITIES:
        n = sum(1 for r in results if r.severity == severity)
        if n:
            parts.append(_plural(n, severity.lower()))
    return ", ".join(parts) or "no results"


def summary(report: ValidationReport, allow_warnings: bool) -> str:
    """One line saying whether validation passed, and what was checked."""
    checked = (f"{_plural(len(report.files), 'file')}, {_plural(report.triples, 'triple')}, "
               f"{_plural(report.shapes, 'shape')}")
    if report.conforms:
        return f"nkd validate: conforms ({checked})"
    verdict = "FAILED" if report.failed(allow_warnings) else "passed with warnings allowed"
    files_hit = len({r.file for r in report.results})
    return (f"nkd validate: {verdict}: {counts_text(report.results)} in "
            f"{files_hit} of {_plural(len(report.files), 'file')} ({checked})")


def render_text(report: ValidationReport, allow_warnings: bool = False) -> str:
    """Results grouped by file; each with its line, focus node, path, value, rule and message."""
    out: list[str] = []
    for file, results in report.by_file().items():
        out.append(f"{file or '(no file)'} ({counts_text(results)})")
        for r in results:
            where = f"{file}:{r.line}" if file and r.line else (file or "")
            out.append(f"  {where}: {r.severity}: {r.focus_node_name}")
            out.extend(f"    {label + ':':<8} {value}" for label, value in _fields(r))
        out.append("")
    out.append(summary(report, allow_warnings))
    return "\n".join(out) + "\n"


def render_turtle(report: ValidationReport, allow_warnings: bool = False) -> str:
    """The SHACL validation report graph (an sh:ValidationReport) in Turtle."""
    return report.graph.serialize(format="turtle")


def render_json(report: ValidationReport, allow_warnings: bool = False) -> str:
    """The report as JSON; the shape is documented in the README ("Validation (CI)")."""
    body = {
        "conforms": report.conforms,
        "passed": not report.failed(allow_warnings),
        "allow_warnings": allow_warnings,
        "counts": {severity: report.count(severity) for severity in SEVERITIES},
        "files": report.files,
        "shapes_files": report.shapes_files,
        "triples": report.triples,
        "shapes": report.shapes,
        "results": [r.to_dict() for r in report.results],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def render_junit(report: ValidationReport, allow_warnings: bool = False) -> str:
    """JUnit XML: a test suite per file, a test case per result (or one passing case).

    Results that fail the run are ``<failure>`` elements; results that do not (warnings
    under ``--allow-warnings``) are passing test cases whose ``<system-out>`` says why.
    """
    groups = report.by_file()
    root = ET.Element("testsuites", name="nkd validate")
    total_tests = total_failures = 0
    for file in report.files + [f for f in groups if f not in report.files]:
        results = groups.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=file or "(no file)")
        failures = 0
        if not results:
            ET.SubElement(suite, "testcase", classname=file or "", name="conforms to the shapes", file=file or "")
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=file or "",
                                 name=f"{r.focus_node_name} {r.rule}" + (f" {r.result_path}" if r.result_path else ""),
                                 file=file or "")
            if r.line:
                case.set("line", str(r.line))
            text = _result_lines(r)
            if r.severity == "Violation" or not allow_warnings:
                failures += 1
                failure = ET.SubElement(case, "failure", message=r.message, type=r.severity)
                failure.text = text
            else:
                ET.SubElement(case, "system-out").text = f"{r.severity}: {text}"
        tests = max(1, len(results))
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _fields(r: ValidationResult) -> list[tuple[str, str]]:
    """The labelled details of a result, as the text and JUnit reports print them."""
    fields = [("path", r.result_path)] if r.result_path else []
    if r.value_name is not None:
        fields.append(("value", r.value_name))
    return fields + [("rule", f"{r.rule} ({r.constraint_component_name})"), ("message", r.message)]


def _result_lines(r: ValidationResult) -> str:
    return "\n".join([f"focus node: {r.focus_node_name}"] + [f"{label}: {value}" for label, value in _fields(r)])


_GITHUB_COMMANDS = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping (see the toolkit's command.ts).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: ValidationReport, allow_warnings: bool = False) -> str:
    """GitHub Actions workflow commands: one ``::error file=…,line=…,title=…::message`` per result."""
    out = []
    for r in report.results:
        props = []
        if r.file:
            props.append(f"file={_escape_property(r.file)}")
        if r.line:
            props.append(f"line={r.line}")
        props.append(f"title={_escape_property(f'{r.rule} ({r.constraint_component_name})')}")
        where = r.focus_node_name + (f" {r.result_path}" if r.result_path else "")
        out.append(f"::{_GITHUB_COMMANDS[r.severity]} {','.join(props)}::{_escape_data(f'{where}: {r.message}')}")
    out.append(summary(report, allow_warnings))
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[ValidationReport, bool], str]] = {
    "text": render_text,
    "turtle": render_turtle,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
}


def render(report: ValidationReport, fmt: str, allow_warnings: bool = False) -> str:
    """The report in one of :data:`FORMATS`."""
    return RENDERERS[fmt](report, allow_warnings)
