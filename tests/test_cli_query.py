"""`nkd query`: every output format parsed by a real parser, exit codes, and the endpoint's guards."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset, Graph

from conftest import RUNAWAY, all_triples, endpoint_data_args, invoke_nkd, isomorphic, run_nkd

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label WHERE { ?country a <https://w3id.org/nkd/ontology#Country> ;
  rdfs:label ?label } ORDER BY ?label"""
VIETNAM = "CONSTRUCT WHERE { <https://w3id.org/nkd/id/country/vietnam> ?p ?o }"


def nkd_query(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`nkd query ARGS` on the endpoint's test dataset, from this checkout (in this process)."""
    return invoke_nkd("query", *args, *endpoint_data_args(), input=stdin)


def test_table_by_default():
    result = nkd_query(LABELS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["country", "label"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split(None, 1) == ["<https://w3id.org/nkd/id/country/china>", '"China"@en']
    assert lines[-1] == "(3 rows)"


def test_ask_and_construct_as_text():
    assert nkd_query("ASK { ?s ?p ?o }").stdout == "yes\n"
    result = nkd_query(VIETNAM)
    graph = Graph().parse(data=result.stdout, format="nt")  # the text form is N-Triples
    assert len(graph) == 2


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_results_formats(fmt):
    result = nkd_query(LABELS, "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        labels = [b["label"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]]
    elif fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        labels = [e.text for e in ET.fromstring(result.stdout).iter(f"{ns}literal")]
    elif fmt == "csv":
        labels = [row["label"] for row in csv.DictReader(io.StringIO(result.stdout))]
    else:
        rows = csv.DictReader(io.StringIO(result.stdout), delimiter="\t", quoting=csv.QUOTE_NONE)
        labels = [row["?label"].split('"')[1] for row in rows]
    assert labels == ["China", "South Korea", "Vietnam"]


@pytest.mark.parametrize("fmt, rdflib_format", [
    ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml"),
])
def test_graph_formats(fmt, rdflib_format):
    reference = Graph().parse(data=nkd_query(VIETNAM, "--format", "ntriples").stdout, format="nt")
    result = nkd_query(VIETNAM, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert isomorphic(Graph().parse(data=result.stdout, format=rdflib_format), reference)


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dataset_formats(fmt):
    reference = Graph().parse(data=nkd_query(VIETNAM, "--format", "ntriples").stdout, format="nt")
    result = nkd_query(VIETNAM, "--format", fmt)
    assert result.returncode == 0, result.stderr
    dataset = Dataset().parse(data=result.stdout, format=fmt)
    assert len(dataset) == 2
    assert isomorphic(all_triples(dataset), reference)


def test_query_from_a_file_and_from_stdin(tmp_path):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS, encoding="utf-8")
    from_file = nkd_query(f"@{path}", "--format", "csv")
    from_stdin = nkd_query("@-", "--format", "csv", stdin=LABELS)
    assert from_file.returncode == from_stdin.returncode == 0
    assert from_file.stdout == from_stdin.stdout and "Vietnam" in from_file.stdout


FN = "PREFIX fn: <http://www.w3.org/2005/xpath-functions#> "


@pytest.mark.parametrize("args, code, words", [
    (["SELECT * WHERE { ?s ?p ?o "], 2, "The '{' at line 1, column 16 is never closed"),
    (["SELECT * WHERE { " + "{" * 10_000 + "}" * 10_000 + " }"], 2, "levels deep (max_query_depth)"),
    (["SELECT ((1" + "+1" * 1001 + ") AS ?x) {}"], 2, "(max_chain_operators)"),
    ([FN + "SELECT (fn:upper-case('a') AS ?x) {}"], 2, "function <http://www.w3.org/2005/xpath-functions#upper-case>"),
    (["SELECT * WHERE { ?s ?p ?o FILTER(<custom:function>(?o)) }"], 2, "function <custom:function>"),
    (["CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], 2, "does not fit a CONSTRUCT"),
    (["SELECT * WHERE { ?s ?p ?o }", "--format", "turtle"], 2, "does not fit a SELECT"),
    (["@no-such-file.rq"], 2, "cannot read the query"),
    (["ASK {}", "--format", "png"], 2, "Invalid value for '--format'"),
    (["SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], 1, "SERVICE"),
    (["INSERT DATA { <http://a> <http://b> <http://c> }"], 1, "read-only"),
    (["LOAD <http://127.0.0.1:9/>"], 1, "read-only"),
    (["ASK {}", "--timeout", "0"], 2, "query_timeout_s must be greater than 0"),
])
def test_guards_and_exit_codes(args, code, words):
    result = nkd_query(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_query_too_long_is_bad_input(settings):
    result = nkd_query("@-", stdin="ASK {} #" + "x" * settings.max_query_bytes)
    assert result.returncode == 2 and f"at most {settings.max_query_bytes:,}" in result.stderr


def test_a_syntax_error_shows_the_line_with_a_caret():
    result = nkd_query("SELECT * WHERE {\n  ?s ?p ?o FILTER(?o = )\n}")
    assert result.returncode == 2
    assert "syntax error at line 3, column 2: the parser expected one of" in result.stderr
    lines = result.stderr.splitlines()
    assert lines[lines.index("}") + 1] == " ^"


def test_relative_iris_resolve_against_the_endpoint(settings):
    result = nkd_query("SELECT (<x> AS ?iri) (1 IN (1, <y>) AS ?in) {}", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["iri,in", f"{settings.public_base}x,true"]


@pytest.mark.slow
def test_time_limit_exits_1_without_waiting_for_the_query():
    # A process of its own: it must exit while the query it gave up on still runs.
    result = run_nkd("query", RUNAWAY, "--timeout", "1", *endpoint_data_args(), timeout_s=120)
    assert result.returncode == 1
    assert "1 s limit" in result.stderr and "How to fix" in result.stderr


def test_help_lists_every_format():
    result = run_nkd("query", "--help", timeout_s=60)
    for fmt in ("table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"):
        assert fmt in result.stdout


@pytest.mark.parametrize("words", ["less than 35,000", "some 225", "An additional thousand or two"])
def test_table_shows_a_figure_in_its_words_beside_its_iri(words):
    """On the shipped graph: an observation in a result reads with its figure as the source words it."""
    result = run_nkd("query", f'SELECT ?obs WHERE {{ ?obs <https://w3id.org/nkd/ontology#statedAs> "{words}" }}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].endswith(f"> ({words})")
