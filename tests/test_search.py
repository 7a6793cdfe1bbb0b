"""Search over labels, quotes and source texts (SQLite FTS5), through Flask's test client and the index."""

from __future__ import annotations

import re

import pytest

from graph_queries import PREFIXES, select
from nkd.search import match_expression

HTML = {"Accept": "text/html"}


def hits(client, q: str) -> list[str]:
    """The entity links of a search's results, in order."""
    page = client.get("/search", query_string={"q": q}, headers=HTML)
    assert page.status_code == 200
    return re.findall(r'<li class="hit">\s*<a href="([^"]+)" title=', page.get_data(as_text=True))


def test_case_hyphens_and_spaces_are_folded_regression_kim_jong_un_found_nothing(client):
    folded = hits(client, "kim jong un")
    assert "/id/person/kim-jong-un" in folded
    assert folded == hits(client, "Kim Jong-un") == hits(client, "KIM  JONG-UN")


def test_words_are_matched_across_label_and_quotes_regression_defectors_2019_found_nothing(client):
    found = hits(client, "defectors 2019")
    assert "/id/observation/arrivals-2019-blog" in found and "/id/observation/arrivals-2019-article" in found


def test_repatriation_finds_the_repatriation_of_the_two_sailors_regression(client):
    assert "/id/event/2019-11-sailors-repatriation" in hits(client, "repatriation")


def test_results_are_entities_once_each_never_annotations(client, store):
    annotations = {row["a"] for row in select(store, PREFIXES + "SELECT ?a WHERE { ?a a oa:Annotation }")}
    for q in ("sailors", "kim jong un", "defectors 2019", "China"):
        found = hits(client, q)
        assert found and len(found) == len(set(found))
        assert not [h for h in found if "/id/annotation/" in h]
        assert not annotations & {"https://w3id.org/nkd" + h for h in found}


def test_each_result_says_its_type_how_many_matches_and_which_words(client):
    page = client.get("/search", query_string={"q": "repatriation"}, headers=HTML).get_data(as_text=True)
    item = re.search(r'<li class="hit">\s*<a href="/id/event/2019-11-sailors-repatriation".*?</li>', page, re.DOTALL)
    assert item
    text = item.group(0)
    assert '<span class="item-type">repatriation</span>' in text
    count = re.search(r"(\d+) matches in ([a-z, ]+)", text)
    assert count and int(count.group(1)) >= 3 and "quotes" in count.group(2)
    assert "<mark>repatriation</mark>" in text and "<mark>repatriate</mark>" in text  # the words, as written
    assert "In the source texts" in page and 'href="/sources/001_147da7631101f1fd#p-' in page


def test_search_text_is_data_never_fts_syntax(client):
    for q in ('"', 'kim"', "NEAR(kim jong)", "kim OR", "*", "label:kim", "-kim", "kim AND NOT un", "(", "^kim"):
        response = client.get("/search", query_string={"q": q}, headers=HTML)
        assert response.status_code == 200, q
    assert match_expression("label: x") == '"label:" "x"'  # a column filter is only words
    assert match_expression("-- * ()") is None  # nothing to look for


def test_a_search_longer_than_the_limit_is_a_400_saying_how_to_fix_it(client):
    response = client.get("/search", query_string={"q": "x" * 201}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and "shorter" in response.get_json()["hint"]


@pytest.mark.parametrize("q, expected", [
    ("kim jong-un", '"kim" "jong-un" *'),
    ("un", '"un"'),
    ('say "hi"', '"say" """hi"""'),
    ("defectors 2019", '"defectors" "2019" *'),
])
def test_match_expression_quotes_every_chunk(q, expected):
    assert match_expression(q) == expected
