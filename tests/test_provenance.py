"""`nkd validate` checks provenance against the source texts: each way of breaking a fact's
link to its words (a changed quote, a changed figure, an ambiguous quote, an unlinked
conflict within one source or across two, an edited source text…) makes it fail (exit 1)
and name the file and line, in every format. Each mutation is made on a copy of the graph
in a temporary directory and validated with `--sources` pointing at the copy's texts.

Each mutated copy is validated once, in process, with the library's :func:`validate`, and
its report rendered in every format as `nkd validate --format` renders it; a mutation in
each format also goes through the real command, for its exit code and its output."""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from conftest import ROOT, copy_graph, run_nkd
from nkd.validation import ValidationReport, render, validate

NKDSH = rdflib.Namespace("https://w3id.org/nkd/shapes#")
FORMATS = ("text", "turtle", "json", "junit", "github")


@dataclass(frozen=True)
class Mutation:
    """Edits of one file of the graph copy, and what they must be reported as."""

    file: str                 # relative to the copy's root: graph/….ttl or graph/sources/….txt
    edits: tuple[tuple[str, str], ...]  # (old, new), each old replaced once ("\n": everywhere)
    component: str            # the nkd constraint component it must trigger
    reported_file: str        # the file the result names
    subject: str              # the Turtle subject whose line the result names


ARTICLE_TEXT = "graph/sources/000_76ada298a9581b2c.txt"

MUTATIONS = {
    "changed-quote": Mutation(
        "graph/statistics.ttl", (('oa:exact "In 2021, only 63 people managed to reach South Korea"',
                                  'oa:exact "In 2021, only 64 people managed to reach South Korea"'),),
        "QuoteInSourceComponent", "graph/statistics.ttl", "ann:arrivals-2021-article"),
    "changed-figure": Mutation(
        "graph/statistics.ttl", (("sdmx-measure:obsValue 63 ;", "sdmx-measure:obsValue 36 ;"),),
        "FigureWordsComponent", "graph/statistics.ttl", "obs:arrivals-2021-article"),
    "changed-hedge": Mutation(
        "graph/statistics.ttl", (('nkd:statedAs "less than 35,000" ;\n    sdmx-measure:obsValue 35000 ;\n'
                                  "    sdmx-attribute:unitMeasure nkd:Persons ;\n    nkd:qualifier nkd:LessThan ;",
                                  'nkd:statedAs "less than 35,000" ;\n    sdmx-measure:obsValue 35000 ;\n'
                                  "    sdmx-attribute:unitMeasure nkd:Persons ;\n    nkd:qualifier nkd:About ;"),),
        "FigureWordsComponent", "graph/statistics.ttl", "obs:resettled-two-and-a-half-decades-response"),
    "second-occurrence-without-prefix": Mutation(
        "graph/events.ttl", (('contributed to the surge" ;\n            oa:prefix "dissatisfaction\\n\\n" ] ] .',
                              'contributed to the surge" ] ] .'),),
        "QuoteUniqueComponent", "graph/events.ttl", "ann:border-easing-contributed"),
    "prefix-that-does-not-match": Mutation(
        "graph/events.ttl", (('oa:prefix "dissatisfaction\\n\\n" ] ] .', 'oa:prefix "contentment\\n\\n" ] ] .'),),
        "QuoteContextComponent", "graph/events.ttl", "ann:border-easing-contributed"),
    "unlinked-conflict-within-one-source": Mutation(
        "graph/statistics.ttl", (
            ("nkd:conflictsWith obs:arrivals-since-1950s-article , obs:arrivals-since-mid-1990s-blog ;",
             "nkd:conflictsWith obs:arrivals-since-1950s-article ;"),
            ("nkd:conflictsWith obs:arrivals-since-1950s-article , obs:resettled-mid-1990s-to-2019-blog ;",
             "nkd:conflictsWith obs:arrivals-since-1950s-article ;")),
        "UnlinkedConflictComponent", "graph/statistics.ttl", "obs:resettled-mid-1990s-to-2019-blog"),
    "unlinked-conflict-across-two-sources": Mutation(
        "graph/statistics.ttl", (
            ("nkd:conflictsWith obs:arrivals-since-mid-1990s-blog , obs:resettled-mid-1990s-to-2019-blog ;",
             "nkd:conflictsWith obs:arrivals-since-mid-1990s-blog ;"),
            ("nkd:conflictsWith obs:arrivals-since-1950s-article , obs:arrivals-since-mid-1990s-blog ;",
             "nkd:conflictsWith obs:arrivals-since-mid-1990s-blog ;")),
        "UnlinkedConflictComponent", "graph/statistics.ttl", "obs:resettled-mid-1990s-to-2019-blog"),
    "corroboration-that-cannot-be": Mutation(
        "graph/statistics.ttl", (
            ("nkd:corroborates obs:arrivals-2019-blog ;", "nkd:corroborates obs:arrivals-2019-blog , obs:arrivals-2021-article ;"),
            ("sdmx-measure:obsValue 63 ;", "sdmx-measure:obsValue 63 ;\n    nkd:corroborates obs:arrivals-2019-article ;")),
        "CorroborationComponent", "graph/statistics.ttl", "obs:arrivals-2021-article"),
    "derived-value-that-is-not": Mutation(
        "graph/relative.ttl", (("nkd:resolvedValue 65.3 ;", "nkd:resolvedValue 63.5 ;"),),
        "DerivationComponent", "graph/relative.ttl", "rel:sharp-increase-tripled"),
    "edited-source-text": Mutation(
        ARTICLE_TEXT, (("only 63 people", "only 64 people"),),
        "TextCopyChecksumComponent", "graph/sources.ttl", "<https://w3id.org/nkd/sources/000_76ada298a9581b2c.txt>"),
    "re-encoded-source-text": Mutation(
        ARTICLE_TEXT, (("\n", "\r\n"),),
        "TextCopyChecksumComponent", "graph/sources.ttl", "<https://w3id.org/nkd/sources/000_76ada298a9581b2c.txt>"),
}


def subject_line(path: Path, subject: str) -> int:
    """The line where ``subject`` first begins a statement in a Turtle file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(subject + " "):
            return number
    raise AssertionError(f"{subject} is not a subject in {path}")


@pytest.fixture(scope="module")
def mutated(tmp_path_factory):
    """name -> the root of a graph copy with that mutation applied."""
    roots = {}
    for name, mutation in MUTATIONS.items():
        root = copy_graph(tmp_path_factory.mktemp(name))
        path = root / mutation.file
        text = path.read_bytes().decode("utf-8")
        for old, new in mutation.edits:
            assert old in text, (name, old)
            text = text.replace(old, new) if old == "\n" else text.replace(old, new, 1)
        path.write_bytes(text.encode("utf-8"))
        roots[name] = root
    return roots


def nkd_validate(root: Path, *args: str):
    """`nkd validate graph --sources graph/sources ARGS` from the copy's root, as a maintainer would."""
    return run_nkd("validate", "graph", "--sources", "graph/sources", *args, cwd=root, timeout_s=300)


@lru_cache(maxsize=None)
def validated(root: Path) -> ValidationReport:
    """What `nkd validate graph --sources graph/sources` reports from the copy's root, in process."""
    with contextlib.chdir(root):
        return validate(["graph"], sources="graph/sources")


def results_of(report: ValidationReport) -> list[dict]:
    """The report's results as `--format json` gives them."""
    return json.loads(render(report, "json"))["results"]


def located(fmt: str, output: str) -> set[tuple[str, str, int]]:
    """(constraint component's local name, file, line) of every result in a report."""
    found = set()
    if fmt == "text":
        where = None
        for line in output.splitlines():
            match = re.match(r"^  (\S+):(\d+): \w+: ", line)
            if match:
                where = (match.group(1), int(match.group(2)))
            rule = re.match(r"^    rule: +\S+ \(nkdsh:(\w+)\)$", line)
            if rule and where:
                found.add((rule.group(1), *where))
    elif fmt == "json":
        for result in json.loads(output)["results"]:
            component = result["constraint_component"].removeprefix(str(NKDSH))
            found.add((component, result["file"], result["line"]))
    elif fmt == "junit":
        for case in ET.fromstring(output).iter("testcase"):
            failure = case.find("failure")
            match = re.search(r"\(nkdsh:(\w+)\)", failure.text or "") if failure is not None else None
            if match:
                found.add((match.group(1), case.get("file"), int(case.get("line"))))
    elif fmt == "github":
        for line in output.splitlines():
            match = re.match(r"^::error file=([^,]+),line=(\d+),title=[^:]*\(nkdsh%3A(\w+)\)::", line)
            if match:
                found.add((match.group(3), match.group(1), int(match.group(2))))
    elif fmt == "turtle":
        graph = rdflib.Graph().parse(data=output, format="turtle")
        for result in graph.subjects(RDF.type, SH.ValidationResult):
            component = str(graph.value(result, SH.sourceConstraintComponent)).removeprefix(str(NKDSH))
            found.add((component, str(graph.value(result, NKDSH.file)), int(graph.value(result, NKDSH.line))))
    return found


def test_the_copy_of_the_shipped_graph_conforms(tmp_path):
    root = copy_graph(tmp_path)
    run = nkd_validate(root)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_fails_and_names_file_and_line_in_every_format(mutated, name, fmt):
    mutation, root = MUTATIONS[name], mutated[name]
    report = validated(root)
    assert report.failed(), render(report, "text")[-2000:]  # what makes `nkd validate` exit 1
    line = subject_line(root / mutation.reported_file, mutation.subject)
    output = render(report, fmt)
    assert (mutation.component, mutation.reported_file, line) in located(fmt, output), output[-3000:]


# Through the real command: each format once, each with a mutation of its own.
CLI_CASES = list(zip(FORMATS, sorted(MUTATIONS)))


@pytest.mark.parametrize("fmt,name", CLI_CASES, ids=[f"{name}-{fmt}" for fmt, name in CLI_CASES])
def test_nkd_validate_exits_1_and_names_file_and_line(mutated, name, fmt):
    mutation, root = MUTATIONS[name], mutated[name]
    run = nkd_validate(root, "--format", fmt)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr
    assert "Traceback" not in run.stderr
    line = subject_line(root / mutation.reported_file, mutation.subject)
    assert (mutation.component, mutation.reported_file, line) in located(fmt, run.stdout), run.stdout[-3000:]
    assert run.stdout == validated(root).render(fmt)  # the command prints what the library renders


def test_a_changed_quote_shows_the_closest_passage(mutated):
    messages = [r["message"] for r in results_of(validated(mutated["changed-quote"]))
                if r["constraint_component"].endswith("QuoteInSourceComponent")]
    assert len(messages) == 1
    assert 'The closest passage (line 9): "In 2021, only 63 people managed to reach South Korea,"' in messages[0]


def test_an_edited_text_is_reported_once_and_its_quotes_are_not_trusted(mutated):
    results = results_of(validated(mutated["edited-source-text"]))
    components = [r["constraint_component"].removeprefix(str(NKDSH)) for r in results]
    assert components == ["TextCopyChecksumComponent"]
    assert "has changed since its checksum was recorded" in results[0]["message"]


def test_sources_option_with_no_such_directory_exits_2(tmp_path):
    run = run_nkd("validate", "--sources", str(tmp_path / "nowhere"))
    assert run.returncode == 2
    assert "no such directory" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_text_copy_is_reported_on_its_source(tmp_path):
    root = copy_graph(tmp_path)
    (root / ARTICLE_TEXT).unlink()
    results = results_of(validated(root))
    found = {(r["constraint_component"].removeprefix(str(NKDSH)), r["file"]) for r in results}
    assert found == {("TextCopyChecksumComponent", "graph/sources.ttl")}
    assert "is not in" in results[0]["message"]


def test_validate_reads_the_shipped_texts_by_default():
    with contextlib.chdir(ROOT):
        report = validate()
    assert report.conforms, render(report, "text")[-2000:]
