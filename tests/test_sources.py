"""Adding a source and one fact from it, end to end, as the README walks through it:
`nkd sources add` copies the text and describes it (checksum included), `nkd quote` prints
the selector (with prefix/suffix when the words recur), and `nkd validate` accepts the fact
and refuses it once its figure or its text is changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, copy_graph, invoke_nkd, run_nkd

TEXT = FIXTURES / "sources" / "briefing-2015.txt"
FACT = FIXTURES / "sources" / "briefing-2015-fact.ttl"
TITLE = "A fixture briefing on arrivals in 2015"
SLUG = "a-fixture-briefing-on-arrivals-in-2015"


def nkd(root: Path, *args: str):
    """`nkd ARGS` from the root of a graph copy, as a maintainer runs it in a checkout (in this process)."""
    return invoke_nkd(*args, cwd=root)


def quote(root: Path, words: str, *args: str):
    return nkd(root, "quote", SLUG, words, "--data", "graph/sources.ttl", "--sources", "graph/sources", *args)


@pytest.fixture()
def added(tmp_path):
    """A copy of the graph with the fixture source added by `nkd sources add`."""
    root = copy_graph(tmp_path)
    run = nkd(root, "sources", "add", str(TEXT), "--title", TITLE, "--publisher", "Fixture Ministry",
              "--published", "2016-01", "--url", "https://example.org/briefing")
    assert run.returncode == 0, run.stderr
    assert f"<https://w3id.org/nkd/id/source/{SLUG}> a nkd:Source" in run.stdout
    assert f"nkd quote {SLUG}" in run.stderr
    return root


def test_add_a_source_quote_it_and_validate_a_fact_from_it(added):
    assert (added / "graph" / "sources" / TEXT.name).read_bytes() == TEXT.read_bytes()
    turtle = (added / "graph" / "sources.ttl").read_text(encoding="utf-8")
    assert 'dcterms:issued "2016-01"^^xsd:gYearMonth' in turtle and "spdx:checksumValue" in turtle
    assert "dcterms:rights <https://w3id.org/nkd/id/rights/third-party-text>" in turtle
    printed = quote(added, "In 2015, 1,275 North Korean defectors arrived")
    assert printed.returncode == 0, printed.stderr
    comment, target = printed.stdout.split("\n", 1)
    assert comment == f"# line 3 of {TEXT.name}"
    (added / "graph" / "briefing.ttl").write_text(FACT.read_text(encoding="utf-8").replace("hasTarget TARGET", "hasTarget " + target),
                                                  encoding="utf-8")
    run = nkd(added, "validate", "graph", "--sources", "graph/sources")
    assert run.returncode == 0, run.stdout[-3000:]
    # The same fact with a figure its words do not give, or with its text edited, fails.
    fact = added / "graph" / "briefing.ttl"
    fact.write_text(fact.read_text(encoding="utf-8").replace("obsValue 1275", "obsValue 1257"), encoding="utf-8")
    assert "FigureWordsComponent" in nkd(added, "validate", "graph", "--sources", "graph/sources").stdout
    (added / "graph" / "sources" / TEXT.name).write_text(TEXT.read_text().replace("1,275", "1,257"))
    failed = nkd(added, "validate", "graph", "--sources", "graph/sources")
    assert failed.returncode == 1 and "TextCopyChecksumComponent" in failed.stdout


def test_words_that_recur_get_a_prefix_or_suffix(added):
    first = quote(added, "The figure was called stable")
    assert first.returncode == 0
    assert "occur 2 times (lines 3, 5)" in first.stdout and 'oa:prefix "said. "' in first.stdout
    second = quote(added, "The figure was called stable", "--occurrence", "2")
    assert second.stdout.startswith("# line 5 ") and ("oa:prefix" in second.stdout or "oa:suffix" in second.stdout)
    assert quote(added, "The figure was called stable", "--occurrence", "3").returncode == 2


def test_words_not_in_the_text_exit_1_with_the_nearest_passages(added):
    run = quote(added, "In 2015, 1,257 North Korean defectors arrived")
    assert run.returncode == 1 and run.stdout == ""
    assert "line 3: In 2015, 1,275 North Korean defectors arrived" in run.stderr


def test_an_unknown_source_exits_2_naming_the_known_ones(added):
    run = nkd(added, "quote", "no-such-source", "words", "--data", "graph/sources.ttl", "--sources", "graph/sources")
    assert run.returncode == 2
    assert SLUG in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--title", TITLE), "already describes"),
    (("--title", "Another title", "--published", "March 2016"), "is not a date"),
    (("--title", "Another title", "--url", "ftp://example.org/x"), "is not an http(s) URL"),
    (("--title", "!!!"), "no letters or digits"),
])
def test_bad_input_to_sources_add_exits_2(added, args, message):
    run = nkd(added, "sources", "add", str(TEXT), *args)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_a_text_that_is_not_utf8_is_refused(tmp_path):
    root = copy_graph(tmp_path)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Corée".encode("latin-1"))
    run = nkd(root, "sources", "add", str(latin), "--title", "Latin")
    assert run.returncode == 2 and "not UTF-8" in run.stderr
    assert not (root / "graph" / "sources" / "latin.txt").exists()


def test_sources_add_outside_a_checkout_says_how_to_point_it(tmp_path):
    run = run_nkd("sources", "add", str(TEXT), "--title", TITLE, cwd=tmp_path)
    assert run.returncode == 2 and "--graph FILE and --sources DIR" in run.stderr
