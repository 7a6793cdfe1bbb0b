"""The engine protocol, the one composition root that opens engines, and the query threads' life."""

from __future__ import annotations

import gc
import inspect
import sys
import threading

import pytest

from conftest import ENDPOINT_DATA, ROOT
from nkd.engine import DataSource, Engine, open_engine
from nkd.errors import InputError, PayloadTooLarge, Unavailable
from nkd.guards import check_query
from nkd.negotiation import CSV, JSON
from nkd.remote import RemoteEngine
from nkd.runner import QueryRunner
from nkd.settings import load_settings
from nkd.sparql import QUICK_NESTING, EmbeddedEngine

PROTOCOL = [name for name, member in vars(Engine).items() if callable(member) and not name.startswith("_")]


def test_the_protocol_is_whole():
    assert set(PROTOCOL) == {"serialize_stream", "serialize", "table", "triples", "dump", "data_version", "close"}


@pytest.mark.parametrize("engine", [EmbeddedEngine, RemoteEngine], ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("name", PROTOCOL)
def test_both_engines_implement_every_method_of_the_protocol(engine, name):
    ours, promised = getattr(engine, name, None), getattr(Engine, name)
    assert callable(ours), f"{engine.__name__} lacks {name}"
    assert list(inspect.signature(ours).parameters) == list(inspect.signature(promised).parameters)


def test_the_server_the_cli_and_the_api_open_engines_in_one_place():
    # Nothing but the composition root (and create_app's engine over a store it is given)
    # builds an engine.
    built = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in ("EmbeddedEngine(", "RemoteEngine("):
            if name in text and f"class {name[:-1]}" not in text:
                built.append(f"{path.relative_to(ROOT)}: {name}")
    assert sorted(built) == ["server/engine.py: EmbeddedEngine(", "server/engine.py: RemoteEngine(",
                             "server/web/__init__.py: EmbeddedEngine("]


def test_the_probes_are_gone():
    # The engine protocol is complete: no view or command asks an engine what it has.
    for path in sorted((ROOT / "server").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "getattr(engine" not in text and "hasattr(engine" not in text, path
        assert "hasattr(self.engine" not in text, path


def test_one_source_of_data_at_a_time(tmp_path):
    with pytest.raises(InputError, match="one source of data"):
        DataSource(("a.ttl",), endpoint="http://127.0.0.1:9/query")
    settings = load_settings(environ={})
    with pytest.raises(InputError, match="no such file"):
        DataSource((str(tmp_path / "missing.ttl"),)).check(settings)
    with pytest.raises(InputError, match="does not hold a store"):
        DataSource(store=str(tmp_path)).check(settings)
    with pytest.raises(InputError, match="not an http"):
        DataSource(endpoint="ftp://example.org/").check(settings)


def test_an_engine_over_files_knows_their_version_and_answers(settings):
    source = DataSource(tuple(str(ROOT / path) for path in ENDPOINT_DATA))
    engine = open_engine(settings, source)
    try:
        assert engine.data_version() == source.version(settings).with_settings(settings)
        table = engine.table(check_query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", settings), 1000)
        assert len(table.rows) > 10
    finally:
        engine.close()


def nkd_threads() -> int:
    return sum(t.is_alive() and t.name in ("nkd-query", "nkd-memory-guard") for t in threading.enumerate())


def test_a_runner_starts_its_threads_with_the_first_query_and_stops_them_on_close():
    before = nkd_threads()
    runner = QueryRunner(2, memory_limit_bytes=2**30)
    assert nkd_threads() == before and runner.running_threads == 0
    assert runner.run(lambda: 42, timeout_s=10) == 42
    assert runner.running_threads == 3 and nkd_threads() == before + 3  # two query threads, the memory guard
    runner.close()
    assert runner.running_threads == 0 and nkd_threads() == before
    with pytest.raises(Unavailable):
        runner.run(lambda: 1, timeout_s=10)


def test_closing_an_unused_runner_starts_nothing():
    runner = QueryRunner(4, memory_limit_bytes=2**30)
    runner.close()
    assert runner.running_threads == 0


def test_a_result_too_large_leaves_no_pyoxigraph_object_to_another_thread(store, settings):
    """Regression: the error's traceback held the query thread's frames, whose pyoxigraph result
    was then dropped on the caller's thread ("unsendable, but is being dropped on another
    thread"), and leaked."""
    engine = EmbeddedEngine(store, settings.replace(max_result_bytes=1000))
    unraisable = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        for _ in range(3):
            try:
                engine.serialize(check_query("SELECT * WHERE { ?s ?p ?o }", settings), JSON)
            except PayloadTooLarge:
                pass
        engine.close()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert [str(u.exc_value) for u in unraisable] == []


def _asked_often(engine, query, fmt=JSON, times=50):
    # Enough tries for one to come back within the quick time on a busy machine.
    return [engine.serialize(query, fmt) for _ in range(times)][-1]


def test_a_quick_query_asked_again_runs_on_the_callers_thread(store, settings):
    engine = EmbeddedEngine(store, settings)
    query = check_query("ASK { ?s ?p ?o }", settings)
    answer = _asked_often(engine, query)
    engine.runner.close()  # no query thread is left: only the caller's thread can answer
    try:
        assert engine.serialize(query, JSON) == answer
        with pytest.raises(Unavailable):  # the same query in another format was never asked
            engine.serialize(query, CSV)
        with pytest.raises(Unavailable):  # nor another query
            engine.serialize(check_query("ASK { ?s a ?o }", settings), JSON)
    finally:
        engine.close()


def test_a_deeply_nested_query_always_runs_on_a_query_thread(store, settings):
    """The caller's thread may have a small stack: a query the parser recurses deep into
    keeps to the query threads' 512 MB stacks, however quick it is."""
    depth = QUICK_NESTING + 1
    query = check_query("ASK { FILTER(" + "(" * depth + "true" + ")" * depth + ") }", settings)
    assert query.nesting > QUICK_NESTING
    engine = EmbeddedEngine(store, settings)
    _asked_often(engine, query)
    engine.runner.close()
    try:
        with pytest.raises(Unavailable):
            engine.serialize(query, JSON)
    finally:
        engine.close()


def test_the_guards_measure_how_deep_a_query_nests(settings):
    assert check_query("SELECT * { ?s ?p ?o }", settings).nesting == 1
    assert check_query("ASK { FILTER(1 + 2 + ((3))) }", settings).nesting == 4 + 2
    assert check_query("ASK { FILTER(!!!!true) }", settings).nesting == 2 + 4


def test_a_closed_engine_answers_no_query_not_even_a_remembered_quick_one(store, settings):
    """Regression: a query remembered as quick ran on the caller's thread after close()."""
    engine = EmbeddedEngine(store, settings)
    query = check_query("ASK { ?s ?p ?o }", settings)
    _asked_often(engine, query)
    engine.close()
    with pytest.raises(Unavailable):
        engine.serialize(query, JSON)
