"""The Python API: `nkd.open(…)` and what a knowledge graph answers, in process.

Its answers are compared with the endpoint's (the Flask test client over the same data),
graphs by isomorphism.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading

import pytest
import rdflib

import nkd
from conftest import ENDPOINT_DATA, FIXTURES, ROOT, RUNAWAY, isomorphic, start_oxigraph
from nkd.negotiation import QUERY_FORMATS, RDF_SYNTAXES, RESULTS_FORMATS

SAILORS = "https://w3id.org/nkd/id/event/2019-11-sailors-repatriation"
EVENTS = "SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5"
LABELS = """SELECT ?s ?label ?missing WHERE {
  ?s rdfs:label ?label OPTIONAL { ?s nkd:noSuchProperty ?missing }
} ORDER BY ?s ?label LIMIT 20"""
DESCRIBE = f"DESCRIBE <{SAILORS}>"


@pytest.fixture(scope="module")
def kg():
    """The shipped graph, opened once for the module."""
    with nkd.open() as opened:
        yield opened


def nkd_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in ("nkd-query", "nkd-memory-guard") and t.is_alive()]


def test_the_three_line_example(capsys):
    with nkd.open() as kg:
        for row in kg.query("SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5"):
            print(row["s"])
    printed = capsys.readouterr().out.split()
    assert printed and all(line.startswith("https://w3id.org/nkd/id/event/") for line in printed)


def test_no_thread_runs_before_the_first_query_and_none_after_close():
    before = len(nkd_threads())
    graph = nkd.open(threads=3)
    assert len(nkd_threads()) == before, "opening started threads"
    assert graph.query("ASK { ?s ?p ?o }")
    assert len(nkd_threads()) == before + 3 + 1  # the query threads and the memory guard
    graph.close()
    assert len(nkd_threads()) == before
    with pytest.raises(nkd.Unavailable):
        graph.query("ASK {}")
    graph.close()  # twice does nothing


def test_rows_map_variables_to_terms(kg):
    result = kg.query(LABELS)
    assert result.variables == ["s", "label", "missing"]
    rows = list(result)
    assert len(rows) == len(result) == 20 and bool(result)
    row = rows[0]
    assert list(row) == ["s", "label", "missing"] and len(row) == 3
    assert row["s"].kind == "iri" and str(row["s"]) == row["s"].value
    assert row["label"].kind == "literal" and (row["label"].language or row["label"].datatype)
    assert row["missing"] is None and row.get("missing") is None
    with pytest.raises(KeyError):
        row["nothing"]
    typed = next(iter(kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
    assert typed.datatype == "http://www.w3.org/2001/XMLSchema#integer" and int(typed.value) > 1000
    english = next(iter(kg.query('SELECT ?l WHERE { BIND("x"@en AS ?l) }')))["l"]
    assert english.language == "en"


def test_ask_is_a_boolean(kg):
    yes, no = kg.query("ASK { ?s a nkd:Repatriation }"), kg.query("ASK { ?s a nkd:NoSuchClass }")
    assert bool(yes) is True and yes.boolean is True and bool(no) is False
    assert yes.variables == [] and list(yes) == []
    assert not kg.query("SELECT ?s WHERE { ?s a nkd:NoSuchClass }")


@pytest.fixture(scope="module")
def endpoint(app):
    """The endpoint's answers over the same (shipped) data, through the Flask test client."""
    client = app.test_client()

    def answer(query: str, fmt: str) -> bytes:
        response = client.get("/sparql", query_string={"query": query, "format": fmt})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.data

    return answer


def test_a_graph_is_an_rdflib_graph_like_the_endpoints(kg, endpoint):
    result = kg.query(DESCRIBE)
    graph = result.graph()
    assert isinstance(graph, rdflib.Graph) and len(graph) == len(result) > 5
    assert isomorphic(graph, rdflib.Graph().parse(data=endpoint(DESCRIBE, "turtle"), format="turtle"))
    assert result.variables == ["subject", "predicate", "object"]
    subject, _, _ = next(iter(result))
    assert subject.value == SAILORS
    assert dict(graph.namespaces())["nkd"] == rdflib.URIRef("https://w3id.org/nkd/ontology#")
    with pytest.raises(nkd.BadRequest):
        kg.query(EVENTS).graph()


@pytest.mark.parametrize("fmt", RESULTS_FORMATS, ids=lambda f: f.name)
def test_serialize_a_table_as_the_endpoint_does(kg, endpoint, fmt):
    query = ("PREFIX nkd: <https://w3id.org/nkd/ontology#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + LABELS)
    assert kg.query(query).serialize(fmt.name) == endpoint(query, fmt.name)


@pytest.mark.parametrize("fmt", RDF_SYNTAXES, ids=lambda f: f.name)
def test_serialize_a_graph_as_the_endpoint_does(kg, endpoint, fmt):
    ours = rdflib.Dataset().parse(data=kg.query(DESCRIBE).serialize(fmt.name), format=_rdflib(fmt.name))
    theirs = rdflib.Dataset().parse(data=endpoint(DESCRIBE, fmt.name), format=_rdflib(fmt.name))
    assert isomorphic(_union(ours), _union(theirs)) and len(_union(ours)) > 5


def _rdflib(name: str) -> str:
    return {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig",
            "nquads": "nquads"}[name]


def _union(dataset: rdflib.Dataset) -> rdflib.Graph:
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def test_serialize_defaults_and_refusals(kg):
    table, graph = kg.query(LABELS), kg.query(DESCRIBE)
    assert json.loads(table.serialize())["head"]["vars"] == ["s", "label", "missing"]
    assert graph.serialize().startswith(b"<") or b"@prefix" in graph.serialize()  # Turtle
    with pytest.raises(nkd.BadRequest, match="does not fit a SELECT"):
        table.serialize("turtle")
    with pytest.raises(nkd.BadRequest, match="is not a result format"):
        graph.serialize("png")
    for fmt in QUERY_FORMATS:  # every name of the endpoint's table works for its forms
        query = DESCRIBE if fmt in RDF_SYNTAXES else LABELS
        assert kg.query(query).serialize(fmt.name)


def test_to_dataframe_has_a_column_per_variable_and_python_values(kg):
    frame = kg.query("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a nkd:Repatriation ; ?p ?o } GROUP BY ?s ORDER BY ?s")
    table = frame.to_dataframe()
    assert list(table.columns) == ["s", "n"] and len(table) == len(frame) > 0
    assert all(isinstance(n, int) and n > 0 for n in table["n"])
    assert all(iri.startswith("https://w3id.org/nkd/id/") for iri in table["s"])
    triples = kg.query(DESCRIBE).to_dataframe()
    assert list(triples.columns) == ["subject", "predicate", "object"]


def test_to_dataframe_without_pandas_names_the_extra(kg, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # what `import pandas` meets when it is not installed
    with pytest.raises(ImportError, match=re.escape("pip install 'nkd[pandas]'")):
        kg.query(EVENTS).to_dataframe()


def test_common_prefixes_are_declared_for_api_queries_only(kg, client):
    assert "nkd" in kg.prefixes and "qb" in kg.prefixes and "prov" in kg.prefixes and "rdfs" in kg.prefixes
    query = "SELECT ?o WHERE { ?o a qb:Observation ; prov:wasDerivedFrom ?source } LIMIT 1"
    assert len(kg.query(query)) == 1
    # The endpoint itself accepts only the prefixes a query declares, as SPARQL says.
    refused = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and "qb:" in refused.get_json()["error"]
    # A prefix the query declares is its own, even one of the common names.
    own = kg.query("PREFIX nkd: <http://example.org/not-nkd#> ASK { ?s a nkd:Event }")
    assert own.boolean is False


def test_errors_are_typed_and_keep_the_querys_own_lines(kg):
    with pytest.raises(nkd.QuerySyntaxError) as caught:
        kg.query("SELECT ?s WHERE {\n  ?s a nkd:Event\n")
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert "at line 3, column 1" in caught.value.message
    assert "The '{' at line 1, column 17 is never closed" in caught.value.hint
    nested = "SELECT * WHERE {\n" + "{ " * 600 + "?s nkd:p ?o" + " }" * 600 + "\n}"
    with pytest.raises(nkd.QueryTooComplex) as too_deep:
        kg.query(nested)
    assert too_deep.value.line == 2 and too_deep.value.setting == "max_query_depth"
    with pytest.raises(nkd.QueryRefused):
        kg.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(nkd.QueryRefused):
        kg.query("INSERT DATA { <x:a> <x:b> <x:c> }")
    with pytest.raises(nkd.UnsupportedFunction):
        kg.query('SELECT (<custom:f>("x") AS ?y) WHERE {}')
    assert issubclass(nkd.QuerySyntaxError, nkd.NkdError) and issubclass(nkd.QueryTimeout, nkd.NkdError)


def test_the_endpoints_limits_apply():
    with nkd.open(max_result_bytes=2000, max_query_bytes=200) as small:
        with pytest.raises(nkd.PayloadTooLarge):
            small.query("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(nkd.PayloadTooLarge):
            small.query("ASK { " + "?s ?p ?o . " * 30 + "}")


def test_a_query_past_its_time_is_a_timeout():
    # In a process of its own: the runaway query cannot be stopped, only left behind.
    code = ("import nkd, os\n"
            "kg = nkd.open(query_timeout_s=1)\n"
            "try:\n"
            f"    kg.query({RUNAWAY!r})\n"
            "except nkd.QueryTimeout as err:\n"
            "    print('timeout:', err.message, flush=True)\n"
            "os._exit(0)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "timeout: the query ran longer than the 1 s limit" in run.stdout, run.stderr


def test_settings_are_keywords_and_the_environment_is_not_read(monkeypatch):
    monkeypatch.setenv("NKD_QUERY_TIMEOUT_S", "3")
    with nkd.open(max_html_rows=7) as graph:
        assert graph.settings.query_timeout_s == 30.0 and graph.settings.max_html_rows == 7
    with pytest.raises(nkd.SettingError, match="no_such_setting"):
        nkd.open(no_such_setting=1)
    with pytest.raises(nkd.SettingError, match="query_timeout_s"):
        nkd.open(query_timeout_s=0)


def test_describe_holds_what_the_page_shows(kg, client):
    entity = kg.describe(SAILORS)
    assert entity.iri == SAILORS and "sailors" in entity.label.lower()
    assert [kind.label for kind in entity.types] == ["repatriation"]
    assert entity.quotes and entity.sources
    page = client.get(SAILORS.removeprefix("https://w3id.org/nkd"), headers={"Accept": "text/html"})
    assert entity.label in page.get_data(as_text=True)
    assert kg.describe("nkd:Event").iri == "https://w3id.org/nkd/ontology#Event"
    with pytest.raises(nkd.NotFound):
        kg.describe("https://w3id.org/nkd/id/event/no-such-event")


def test_validate_returns_the_report_nkd_validate_prints(kg):
    from nkd.validation import render

    report = kg.validate()
    assert report.conforms is True and report.results == []
    assert "events.ttl" in " ".join(report.files)
    assert json.loads(render(report, "json"))["conforms"] is True
    assert report.render("junit") == render(report, "junit")


def test_files_of_ones_own_are_queried_and_validated(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text((FIXTURES / "prod-events.ttl").read_text(encoding="utf-8")
                      + "\n<https://w3id.org/nkd/id/event/x> a <https://w3id.org/nkd/ontology#Event> .\n",
                      encoding="utf-8")
    with nkd.open(*(ROOT / path for path in ENDPOINT_DATA)) as graph:
        assert len(graph.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) > 10
        assert "sparql-endpoint" in repr(graph) or "2 file(s)" in repr(graph)
    with nkd.open(broken) as graph:
        report = graph.validate(sources=tmp_path)
        assert not report.conforms and any(result.file.endswith("broken.ttl") for result in report.results)
    with pytest.raises(nkd.InputError):
        nkd.open(tmp_path / "no-such-file.ttl")
    with pytest.raises(nkd.InputError, match="one source of data"):
        nkd.open(broken, store=tmp_path)


def test_a_store_on_disk(tmp_path):
    from nkd.disk_store import build_store
    from nkd.store import file_sources

    base = "https://w3id.org/nkd/"
    build_store(tmp_path / "store", file_sources([ROOT / path for path in ENDPOINT_DATA], base), base)
    with nkd.open(*(ROOT / path for path in ENDPOINT_DATA)) as files, nkd.open(store=tmp_path / "store") as store:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o"
        assert store.query(query).serialize("json") == files.query(query).serialize("json")
        assert len(store.query(query)) > 10
        with pytest.raises(nkd.InputError, match="validation reads RDF files"):
            store.validate()


def test_an_external_endpoint(tmp_path):
    from nkd.gsp import push
    from nkd.store import file_sources

    server = start_oxigraph(tmp_path)
    try:
        push(server.store_url, file_sources([ROOT / path for path in ENDPOINT_DATA], "https://w3id.org/nkd/"), 60)
        with nkd.open(*(ROOT / path for path in ENDPOINT_DATA)) as files, \
                nkd.open(endpoint=server.query_url) as remote:
            query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o"
            assert [dict(r) for r in remote.query(query)] == [dict(r) for r in files.query(query)]
            assert len(remote.query(query)) > 5
            described = "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1"
            assert len(remote.query(described).graph()) > 0
    finally:
        server.stop()


# --------------------------------------------------------------------------- the README's examples


def readme_python_examples() -> list[str]:
    """The fenced ```python blocks of the README's "Use from Python" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Use from Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def test_the_readme_has_python_examples():
    examples = readme_python_examples()
    assert len(examples) >= 4
    assert 'kg.query("SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5")' in examples[0]


@pytest.mark.parametrize("number", range(len(readme_python_examples())), ids=lambda n: f"example{n + 1}")
def test_the_readmes_python_examples_run(number, tmp_path, monkeypatch, capsys):
    # The examples' "files of your own": a small graph, in the directory they run in.
    (tmp_path / "my-data.ttl").write_bytes((ROOT / ENDPOINT_DATA[1]).read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_python_examples()[number], f"README example {number + 1}", "exec"), {})
    assert capsys.readouterr().out.strip()
