"""`nkd load --store DIR`: the on-disk store, built atomically, opened read-only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from conftest import FIXTURES, invoke_nkd, isomorphic, run_nkd
from nkd.namespaces import BASE

ACTORS, EVENTS = FIXTURES / "prod-actors.ttl", FIXTURES / "prod-events.ttl"
BROKEN, DATASET = FIXTURES / "prod-broken.ttl", FIXTURES / "prod-dataset.trig"


def graphs(store: ox.Store) -> dict[str, rdflib.Graph]:
    """Every graph of a store as an rdflib graph, by name ("" for the default graph)."""
    names: list = [ox.DefaultGraph(), *store.named_graphs()]
    result = {}
    for name in names:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        if data:
            key = "" if isinstance(name, ox.DefaultGraph) else name.value
            result[key] = rdflib.Graph().parse(data=data, format="nt")
    return result


def snapshot(directory: Path) -> dict[str, str]:
    """The name and content hash of every file under a directory."""
    return {str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def assert_same_graphs(got: dict[str, rdflib.Graph], expected: dict[str, rdflib.Graph]) -> None:
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert isomorphic(got[name], expected[name]), name


def test_built_store_has_the_graphs_of_the_memory_store(tmp_path):
    from nkd.disk_store import build_store, open_store
    from nkd.store import file_sources, memory_store

    files = [ACTORS, EVENTS, DATASET]
    build_store(tmp_path / "store", file_sources(files, BASE), BASE)
    got = graphs(open_store(tmp_path / "store"))
    assert BASE + "data/prod-actors" in got and BASE + "data/test-graph-b" in got and "" in got
    assert_same_graphs(got, graphs(memory_store(files, BASE)))


def test_load_then_query_from_the_command_line(tmp_path):
    store = str(tmp_path / "store")
    loaded = invoke_nkd("load", "--store", store, str(ACTORS), str(EVENTS))
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 2 file(s)" in loaded.stderr
    answer = invoke_nkd("query", "--store", store, "--format", "csv",
                     "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["n", "2"]


def test_failed_load_leaves_the_existing_store_unchanged(tmp_path):
    store = tmp_path / "store"
    assert invoke_nkd("load", "--store", str(store), str(ACTORS)).returncode == 0
    before = snapshot(store)
    failed = invoke_nkd("load", "--store", str(store), str(EVENTS), str(BROKEN))
    assert failed.returncode == 2
    assert "prod-broken.ttl:9" in failed.stderr and "Traceback" not in failed.stderr
    assert snapshot(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no half-built sibling left


def test_load_replaces_the_previous_store(tmp_path):
    from nkd.disk_store import open_store

    store = tmp_path / "store"
    assert invoke_nkd("load", "--store", str(store), str(ACTORS)).returncode == 0
    assert invoke_nkd("load", "--store", str(store), str(EVENTS)).returncode == 0
    assert sorted(graphs(open_store(store))) == [BASE + "data/prod-events"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_load_refuses_to_replace_a_directory_that_is_not_a_store(tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    refused = invoke_nkd("load", "--store", str(precious), str(ACTORS))
    assert refused.returncode == 2
    assert "not a store" in refused.stderr
    assert (precious / "keep.txt").read_text() == "mine"


def test_load_into_an_existing_empty_directory(tmp_path):
    (tmp_path / "store").mkdir()
    assert invoke_nkd("load", "--store", str(tmp_path / "store"), str(ACTORS)).returncode == 0


@pytest.mark.parametrize("problem, path, message", [
    ("missing", "no-such-file.ttl", "no-such-file.ttl"),
    ("suffix", "README.md", "cannot tell the RDF syntax"),
])
def test_load_rejects_unusable_input(tmp_path, problem, path, message):
    refused = invoke_nkd("load", "--store", str(tmp_path / "store"), path)
    assert refused.returncode == 2, refused.stderr
    assert message in refused.stderr and "How to fix" in refused.stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("flag, shown", [(None, False), ("--no-progress", False), ("--progress", True)])
def test_progress_bar_on_stderr_only_when_asked_off_a_terminal(tmp_path, flag, shown):
    args = ["load", "--store", str(tmp_path / "store"), str(ACTORS)] + ([flag] if flag else [])
    loaded = invoke_nkd(*args)
    assert loaded.returncode == 0, loaded.stderr
    assert ("100%" in loaded.stderr) is shown
    assert "100%" not in loaded.stdout


def test_serve_refuses_a_directory_without_a_store(tmp_path):
    refused = run_nkd("serve", "--store", str(tmp_path))
    assert refused.returncode == 2
    assert "does not hold a store" in refused.stderr and "nkd load --store" in refused.stderr


def test_serve_takes_one_source_of_data(tmp_path):
    refused = run_nkd("serve", "--store", str(tmp_path), "--endpoint", "http://127.0.0.1:9/query")
    assert refused.returncode == 2
    assert "one source of data" in refused.stderr


def test_read_only_store_opens_in_many_processes_at_once(tmp_path):
    """Workers of `nkd serve` each open the store; a read-only open takes no lock."""
    import subprocess
    import sys

    from conftest import ROOT

    store = tmp_path / "store"
    assert invoke_nkd("load", "--store", str(store), str(ACTORS)).returncode == 0
    script = ("import sys, time; from nkd.disk_store import open_store; s = open_store(sys.argv[1]); "
              "print(len(s)); sys.stdout.flush(); time.sleep(2)")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    assert [out.strip() for out, _ in outputs] == ["12"] * 3


def test_public_base_help_does_not_call_an_iri_a_bool():
    shown = invoke_nkd("load", "--help")
    assert "--public-base TEXT" in shown.stdout and "--public-base BOOL" not in shown.stdout
