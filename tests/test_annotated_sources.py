"""Source texts: verbatim for text clients, annotated for browsers (one negotiation), with every
quoted passage marked once and linked to the facts that quote it, and every fact's quote linked
to its passage. Checked against the graph with SPARQL on the store; Flask's test client."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from graph_queries import PREFIXES, select
from nkd.annotated import Quoted, annotate
from nkd.source_texts import passage_id
from nkd.namespaces import BASE

STEMS = ("000_76ada298a9581b2c", "001_147da7631101f1fd")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Marks(HTMLParser):
    """The text inside each passage's <mark> pieces, and the ids in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.text: dict[str, list[str]] = {}
        self.ids: list[str] = []
        self.first: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "mark":
            number = attrs.get("data-passage")
            self.stack.append(number)
            if number and "id" in attrs:
                self.first[number] = attrs["id"]
        elif tag == "sup":
            self.stack.append(None)  # footnote numbers are not the text

    def handle_endtag(self, tag):
        if tag in ("mark", "sup") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if None in self.stack:
            return
        for number in set(self.stack):
            self.text.setdefault(number, []).append(data)


def quotes_of(store, stem: str) -> list[dict]:
    return select(store, PREFIXES + f"""SELECT ?ann ?exact ?body WHERE {{
        ?src nkd:textCopy <{BASE}sources/{stem}.txt> . ?ann oa:hasTarget ?t .
        ?t oa:hasSource ?src ; oa:hasSelector/oa:exact ?exact . ?ann oa:hasBody ?body }}""")


@pytest.mark.parametrize("accept, suffix, media_type", [
    (BROWSER, "", "text/html"),
    ("text/html", "", "text/html"),
    (None, "", "text/plain"),
    ("*/*", "", "text/plain"),
    ("text/plain", "", "text/plain"),
    ("text/plain;q=0.5, text/html", "", "text/html"),
    (BROWSER, ".txt", "text/plain"),
    ("text/plain", ".html", "text/html"),
])
def test_a_source_is_negotiated_text_or_annotated_page(client, accept, suffix, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/sources/{STEMS[1]}{suffix}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    if media_type == "text/plain":
        assert response.data == (ROOT / "graph" / "sources" / f"{STEMS[1]}.txt").read_bytes()
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    if not suffix:
        assert response.headers["Content-Location"] == f"/sources/{STEMS[1]}.{'txt' if media_type == 'text/plain' else 'html'}"


def test_a_source_answers_what_it_cannot_give_with_a_clear_4xx(client):
    assert client.get(f"/sources/{STEMS[0]}", headers={"Accept": "application/json"}).status_code == 406
    for bad in ("missing", "..%2Fpyproject.toml", "%2E%2E", "a.b.c.txt"):
        assert client.get(f"/sources/{bad}", headers={"Accept": "text/html"}).status_code == 404


@pytest.mark.parametrize("stem", STEMS)
def test_every_quote_is_marked_once_and_linked_to_every_fact_that_quotes_it(client, store, stem):
    rows = quotes_of(store, stem)
    assert rows
    page = client.get(f"/sources/{stem}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Quotes not found in this text" not in page
    parsed = Marks()
    parsed.feed(page)
    assert len(parsed.ids) == len(set(parsed.ids))  # no id twice
    exacts = {row["exact"] for row in rows}
    marked = {number: html.unescape("".join(parts)) for number, parts in parsed.text.items()}
    assert len(marked) == len(exacts) == len(parsed.first)  # one passage per distinct quote
    by_anchor = {parsed.first[n]: text for n, text in marked.items()}
    for exact in exacts:
        anchor = passage_id(exact)
        assert anchor in by_anchor, exact
        # All its words and only them (a passage across paragraphs loses the blank line between).
        assert "".join(by_anchor[anchor].split()) == "".join(exact.split())
    for exact in exacts:
        number = next(n for n, a in parsed.first.items() if a == passage_id(exact))
        note = re.search(rf'<li id="note-{number}" value="{number}">(.*?)</li>\s*</ul>', page, re.DOTALL).group(1)
        assert f'href="#{passage_id(exact)}"' in note
        for body in {r["body"] for r in rows if r["exact"] == exact}:
            assert f'href="/{body[len(BASE):]}"' in note, (exact, body)


def test_a_source_page_says_who_wrote_it_where_and_its_rights(client):
    page = html.unescape(client.get(f"/sources/{STEMS[1]}", headers={"Accept": "text/html"}).get_data(as_text=True))
    assert "<dt>author</dt><dd>Robert R. King</dd>" in page and "<dt>outlet</dt><dd>The Peninsula</dd>" in page
    assert "Rights:</strong> third-party text, reproduced verbatim for verification" in page
    assert page.count('<section class="source-info"') == 3  # the post and the two responses under it
    assert page.count("Rights:</strong>") == 1  # one statement, shared by the three


def test_each_facts_quote_links_to_its_passage_in_the_source(client, store):
    rows = select(store, PREFIXES + f"""SELECT ?body ?exact WHERE {{
        ?src nkd:textCopy <{BASE}sources/{STEMS[1]}.txt> . ?ann oa:hasBody ?body ; oa:hasTarget ?t .
        ?t oa:hasSource ?src ; oa:hasSelector/oa:exact ?exact FILTER(STRSTARTS(STR(?body), "{BASE}id/observation/")) }}""")
    source = client.get(f"/sources/{STEMS[1]}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert rows
    for row in rows:
        page = client.get("/" + row["body"][len(BASE):], headers={"Accept": "text/html"}).get_data(as_text=True)
        href = f"/sources/{STEMS[1]}#{passage_id(row['exact'])}"
        assert f'href="{href}"' in page, row
        assert f'id="{passage_id(row["exact"])}"' in source


def test_overlapping_and_repeated_quotes_regression_nested_passages():
    text = "Hello big world.\n\nSecond para here and here."
    marked = annotate(text, [Quoted("a", "big world"), Quoted("b", "Hello big"), Quoted("c", "world.\n\nSecond"),
                             Quoted("d", "here", prefix="and "), Quoted("e", "absent")])
    assert [(p.exact, p.start, p.occurrences) for p in marked.passages] == [
        ("Hello big", 0, 1), ("big world", 6, 1), ("world.\n\nSecond", 10, 1), ("here", 39, 2)]
    assert [q.annotation for q in marked.missing] == ["e"]
    assert [[n.number for n in p.notes] for p in marked.paragraphs] == [[1, 2], [3, 4]]
    first = marked.paragraphs[0].html
    assert '<mark class="quote" data-passage="1"><mark class="quote" data-passage="2" id="' in first  # nested
