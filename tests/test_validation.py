"""`nkd validate`: exit codes, every report format read back by a real parser, file and
line of each result, --allow-warnings, --output and --shapes: through the command's entry
point in this process, and as a real process for what CI runs and for what must never
show a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from conftest import FIXTURES, ROOT, invoke_nkd, run_nkd
from nkd.validation import subject_lines, validate

BASE = "tests/fixtures/shapes/base.ttl"
VIOLATION = "tests/fixtures/shapes/label-missing.ttl"      # one violation
WARNING = "tests/fixtures/shapes/role-unheld.ttl"           # one warning
LINES = "tests/fixtures/validate/lines.ttl"
SYNTAX_ERROR = "tests/fixtures/validate/syntax-error.ttl"
CUSTOM_SHAPES = "tests/fixtures/validate/custom-shapes.ttl"

GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")


def nkd_validate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`nkd validate ARGS` from the checkout (in this process)."""
    return invoke_nkd("validate", *args, cwd=cwd)


def nkd_validate_process(*args: str) -> subprocess.CompletedProcess:
    """`python -m nkd validate ARGS` from the checkout, a process of its own, as CI runs it."""
    return run_nkd("validate", *args, timeout_s=120)


# --------------------------------------------------------------------------- exit codes

def test_shipped_graph_exits_0():
    run = nkd_validate_process()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "conforms" in run.stdout


def test_violation_exits_1_and_names_file_line_node_rule():
    run = nkd_validate_process(BASE, VIOLATION)
    assert run.returncode == 1
    assert f"{VIOLATION}:7: Violation: place:nowhere-fixture" in run.stdout
    assert "path:    rdfs:label" in run.stdout
    assert "rule:    nkdsh:LabelledShape-label (sh:MinCountConstraintComponent)" in run.stdout
    assert "message: Needs exactly one label" in run.stdout
    assert "FAILED: 1 violation" in run.stdout


def test_syntax_error_exits_2_with_file_and_line_and_no_traceback():
    run = nkd_validate_process(BASE, SYNTAX_ERROR)
    assert run.returncode == 2
    assert f"{SYNTAX_ERROR}:8:" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout == ""


def test_missing_file_exits_2():
    run = nkd_validate("tests/fixtures/validate/no-such-file.ttl")
    assert run.returncode == 2
    assert "no-such-file.ttl: no such file" in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_suffix_exits_2():
    run = nkd_validate("README.md")
    assert run.returncode == 2
    assert "cannot tell the RDF syntax" in run.stderr


def test_warning_fails_unless_allowed():
    assert nkd_validate(BASE, WARNING).returncode == 1
    allowed = nkd_validate(BASE, WARNING, "--allow-warnings")
    assert allowed.returncode == 0, allowed.stdout
    assert "Warning: role:envoy-fixture" in allowed.stdout
    assert "passed with warnings allowed" in allowed.stdout


def test_allow_warnings_does_not_allow_violations():
    assert nkd_validate(BASE, VIOLATION, WARNING, "--allow-warnings").returncode == 1


def test_directory_argument_validates_its_files(tmp_path):
    for name in ("base.ttl", "label-missing.ttl"):
        (tmp_path / name).write_bytes((FIXTURES / "shapes" / name).read_bytes())
    run = nkd_validate(str(tmp_path))
    assert run.returncode == 1
    assert "label-missing.ttl:7: Violation" in run.stdout


# --------------------------------------------------------------------------- formats

def test_turtle_format_is_a_shacl_validation_report():
    run = nkd_validate(BASE, VIOLATION, WARNING, "--format", "turtle")
    assert run.returncode == 1
    graph = rdflib.Graph().parse(data=run.stdout, format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert graph.value(reports[0], SH.conforms).toPython() is False
    results = list(graph.objects(reports[0], SH.result))
    assert len(results) == 2
    severities = {graph.value(r, SH.resultSeverity) for r in results}
    assert severities == {SH.Violation, SH.Warning}
    assert "FAILED" in run.stderr  # the summary goes to stderr, the report alone to stdout


def test_json_format(tmp_path):
    run = nkd_validate(BASE, VIOLATION, WARNING, "--format", "json")
    body = json.loads(run.stdout)
    assert body["conforms"] is False and body["passed"] is False
    assert body["counts"] == {"Violation": 1, "Warning": 1, "Info": 0}
    assert VIOLATION in body["files"] and "ontology/nkd.ttl" in body["files"]
    by_severity = {r["severity"]: r for r in body["results"]}
    violation = by_severity["Violation"]
    assert violation["file"] == VIOLATION and violation["line"] == 7
    assert violation["focus_node"] == "https://w3id.org/nkd/id/place/nowhere-fixture"
    assert violation["focus_node_name"] == "place:nowhere-fixture"
    assert violation["result_path"] == "rdfs:label"
    assert violation["source_shape"] == "https://w3id.org/nkd/shapes#LabelledShape-label"
    assert violation["constraint_component"] == str(SH.MinCountConstraintComponent)
    assert by_severity["Warning"]["file"] == WARNING


def test_json_passed_with_allowed_warnings():
    body = json.loads(nkd_validate(BASE, WARNING, "--format", "json", "--allow-warnings").stdout)
    assert body["conforms"] is False and body["passed"] is True and body["allow_warnings"] is True


def test_junit_format():
    run = nkd_validate(BASE, VIOLATION, WARNING, "--format", "junit")
    root = ET.fromstring(run.stdout)
    assert root.tag == "testsuites"
    assert root.get("failures") == "2"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) >= {BASE, VIOLATION, WARNING, "ontology/nkd.ttl"}
    failing = suites[VIOLATION].find("testcase")
    assert failing.get("file") == VIOLATION and failing.get("line") == "7"
    failure = failing.find("failure")
    assert failure.get("type") == "Violation" and "label" in failure.get("message")
    passing = suites[BASE].find("testcase")
    assert passing.find("failure") is None


def test_junit_allowed_warning_is_not_a_failure():
    root = ET.fromstring(nkd_validate(BASE, WARNING, "--format", "junit", "--allow-warnings").stdout)
    assert root.get("failures") == "0"
    case = [c for c in root.iter("testcase") if c.get("file") == WARNING][0]
    assert case.find("failure") is None and "Warning" in case.find("system-out").text


def test_github_format():
    run = nkd_validate(BASE, VIOLATION, WARNING, "--format", "github")
    lines = [line for line in run.stdout.splitlines() if line.startswith("::")]
    matches = [GITHUB_LINE.match(line) for line in lines]
    assert all(matches), lines
    found = {(m.group(1), m.group(2), int(m.group(3))) for m in matches}
    assert ("error", VIOLATION, 7) in found
    assert ("warning", WARNING, 8) in found
    error = [m for m in matches if m.group(1) == "error"][0]
    assert "nkdsh%3ALabelledShape-label" in error.group(4)  # a colon is escaped in a property
    assert "place:nowhere-fixture rdfs:label: Needs exactly one label" in error.group(5)


def test_output_writes_the_report_to_a_file(tmp_path):
    out = tmp_path / "report.xml"
    run = nkd_validate(BASE, VIOLATION, "--format", "junit", "--output", str(out))
    assert run.returncode == 1
    assert run.stdout == ""
    assert "FAILED: 1 violation" in run.stderr
    assert ET.parse(out).getroot().get("failures") == "1"


def test_output_to_an_unwritable_place_exits_2(tmp_path):
    run = nkd_validate(BASE, "--output", str(tmp_path / "no-such-dir" / "report.txt"))
    assert run.returncode == 2
    assert "cannot write the report" in run.stderr


def test_shapes_option_replaces_the_shipped_shapes():
    run = nkd_validate("--shapes", CUSTOM_SHAPES, "--format", "json")
    body = json.loads(run.stdout)
    assert run.returncode == 1
    assert body["shapes_files"] == [CUSTOM_SHAPES]
    shapes = {r["source_shape_name"] for r in body["results"]}
    assert shapes == {"nkdsh:CountryCodeShape/skos:notation"}
    assert all(r["file"] == "graph/places.ttl" for r in body["results"])


def test_shapes_with_a_syntax_error_exit_2():
    run = nkd_validate(BASE, "--shapes", SYNTAX_ERROR)
    assert run.returncode == 2
    assert f"{SYNTAX_ERROR}:8:" in run.stderr


# --------------------------------------------------------------------------- file and line

def test_each_result_names_the_line_where_its_focus_node_is_described():
    report = validate([ROOT / BASE, ROOT / LINES])
    located = {(r.focus_node_name, r.file, r.line) for r in report.results}
    assert located == {
        ("place:unlabelled-fixture", LINES, 13),            # subject alone on its line
        ("place:french-fixture", LINES, 19),                # after a long string and a comment
        ("ann:untyped-target-fixture/oa:hasTarget", LINES, 22),  # a blank node: its enclosing subject
        ("place:seoul-fixture", BASE, 60),                  # first described in base.ttl
    }


def test_subject_lines_skip_strings_comments_and_nested_blank_nodes():
    lines = subject_lines(ROOT / LINES)
    names = {str(node).rsplit("/", 1)[-1]: line for node, line in lines.items()}
    assert names == {"unlabelled-fixture": 13, "french-fixture": 19, "untyped-target-fixture": 22,
                     "seoul-fixture": 30}


def test_ntriples_files_have_lines_too(tmp_path):
    graph = rdflib.Graph().parse(FIXTURES / "shapes" / "label-missing.ttl", format="turtle")
    path = tmp_path / "label-missing.nt"
    path.write_text(graph.serialize(format="nt"))
    report = validate([ROOT / BASE, path])
    (result,) = report.results
    assert result.file == str(path) and result.line == 1


def test_validate_from_another_directory_names_shipped_files_by_their_place_in_the_data(tmp_path):
    run = nkd_validate(str(ROOT / BASE), str(ROOT / VIOLATION), "--format", "json", cwd=tmp_path)
    body = json.loads(run.stdout)
    assert "ontology/nkd.ttl" in body["files"]
    assert body["results"][0]["file"] == VIOLATION


@pytest.mark.parametrize("fmt", ["text", "turtle", "json", "junit", "github"])
def test_every_format_renders_a_conforming_report(fmt):
    run = nkd_validate(BASE, "--format", fmt)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()


def test_shapes_cannot_make_validation_open_a_connection():
    run = nkd_validate_process(BASE, "--shapes", "tests/fixtures/validate/service-target-shapes.ttl")
    assert run.returncode == 2
    assert "SERVICE" in run.stderr and "Traceback" not in run.stderr
