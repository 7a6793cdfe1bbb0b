"""Full-text search over the graph's labels, the quotes of its facts and the source texts.

SQLite's FTS5 does the matching, from the standard library: its ``unicode61`` tokenizer
folds case and diacritics and splits words at hyphens, spaces and punctuation, so
"kim jong un" finds "Kim Jong-un"; the ``porter`` stemmer lets "defectors" find
"defector" and "repatriation" find "repatriated"; ``bm25`` ranks the hits and
``highlight`` / ``snippet`` say where the words matched. A hand-written matcher would
have to get all of that right itself (the SPARQL ``CONTAINS`` this replaces found
nothing for "kim jong un").

Each entity is one row (its labels, the labels of its types, every quote that states
it, its notes), so a search finds the entity or fact a quote belongs to, once, never the
annotation that carries the quote. Each paragraph of a source text is a row of its own;
its hits are grouped by source. The index is built from SPARQL answers the first time a
process searches, and kept (the data does not change while the server runs).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .annotated import paragraph_spans
from .source_texts import text_file, text_stem
from .errors import BadRequest
from .linked_data import LinkedData, Triples, link

MAX_QUERY_CHARS = 200
TOKENIZER = "porter unicode61 remove_diacritics 2"
OPEN, CLOSE = "\x02", "\x03"  # marks around matched words (never in the data)
# How much each column counts towards the rank: a match in a label beats one in a quote.
WEIGHTS = {"label": 10.0, "kinds": 4.0, "quotes": 2.0, "notes": 1.0}
QUOTE_SEPARATOR = "\n"


@dataclass
class Hit:
    """An entity or fact that matched: where, how often, and the words that matched."""

    href: str
    label: str
    iri: str
    types: list[str]
    fields: list[str]  # where the words matched: "label", "type", "quotes", "notes"
    count: int  # how many of its labels, quotes and notes matched
    words: list[str]  # the words of the data that matched, as written there
    snippets: list[str]  # HTML-escaped text with <mark> around the matched words


@dataclass
class TextHit:
    """A source text with paragraphs that matched."""

    href: str
    label: str
    count: int
    words: list[str]
    snippets: list[tuple[str, str]] = field(default_factory=list)  # (href of the paragraph, snippet)


@dataclass
class Results:
    """What a search found."""

    query: str
    hits: list[Hit]
    texts: list[TextHit]

    @property
    def total(self) -> int:
        """How many entities and source texts matched."""
        return len(self.hits) + len(self.texts)


def match_expression(text: str) -> str | None:
    """The FTS5 query for what a person typed: every word must occur, punctuation ignored.

    Each whitespace-separated chunk becomes a quoted FTS5 string (so no character of it
    is FTS5 syntax) that the index's own tokenizer splits: "Jong-un" is the phrase
    "jong un". A last chunk of three characters or more also matches as a prefix.
    """
    chunks = [chunk for chunk in text.split() if re.search(r"\w", chunk)]
    if not chunks:
        return None
    parts = ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]
    if len(re.sub(r"\W", "", chunks[-1])) >= 3:
        parts[-1] += " *"
    return " ".join(parts)


class SearchIndex:
    """An in-memory FTS5 index of one dataset (build it with :meth:`build`)."""

    def __init__(self) -> None:
        # One connection shared by the server's threads, used under a lock: queries take
        # well under a millisecond on an index of this size.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(f"CREATE VIRTUAL TABLE entities USING fts5(iri UNINDEXED, href UNINDEXED, "
                         f"label, kinds, quotes, notes, tokenize='{TOKENIZER}')")
        self._db.execute(f"CREATE VIRTUAL TABLE texts USING fts5(href UNINDEXED, source UNINDEXED, "
                         f"paragraph UNINDEXED, body, tokenize='{TOKENIZER}')")

    @classmethod
    def build(cls, ld: LinkedData) -> "SearchIndex":
        """Index every labelled IRI of ``ld`` (annotations folded into what they state) and the texts."""
        index = cls()
        entities: dict[str, dict[str, list[str]]] = {}

        def add(iri: str, column: str, text: str) -> None:
            entry = entities.setdefault(iri, {"label": [], "kinds": [], "quotes": [], "notes": []})
            if text not in entry[column]:
                entry[column].append(text)

        annotations = {r["a"].value for r in ld.select("SELECT DISTINCT ?a WHERE { ?a a oa:Annotation }")}
        for row in ld.select("""SELECT ?s ?o WHERE { ?s ?p ?o
  FILTER(?p IN (rdfs:label, skos:prefLabel, skos:altLabel, dcterms:title) && isIRI(?s) && isLiteral(?o)) }"""):
            if row["s"].value not in annotations:
                add(row["s"].value, "label", row["o"].value)
        labelled = set(entities)
        names = Triples([], ld.base)
        for row in ld.select("""SELECT ?s ?t (SAMPLE(?l) AS ?label) WHERE { ?s a ?t FILTER(isIRI(?s))
  OPTIONAL { ?t rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") } } GROUP BY ?s ?t"""):
            if row["s"].value in labelled:
                add(row["s"].value, "kinds", row["label"].value if "label" in row else names.curie(row["t"].value))
        for row in ld.select("SELECT ?b ?q WHERE { ?a oa:hasBody ?b ; oa:hasTarget/oa:hasSelector/oa:exact ?q "
                             "FILTER(isIRI(?b)) }"):
            add(row["b"].value, "quotes", row["q"].value)
        for row in ld.select("""SELECT ?s ?o WHERE { ?s ?p ?o
  FILTER(?p IN (rdfs:comment, skos:definition, nkd:statement, dcterms:description, schema:description)
         && isIRI(?s) && isLiteral(?o)) }"""):
            if row["s"].value in labelled:
                add(row["s"].value, "notes", row["o"].value)
        index._db.executemany(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)",
            [(iri, link(ld.base, iri), " | ".join(e["label"]), " | ".join(e["kinds"]),
              QUOTE_SEPARATOR.join(e["quotes"]), QUOTE_SEPARATOR.join(e["notes"]))
             for iri, e in entities.items() if e["label"] or e["quotes"]])
        index._index_texts(ld)
        return index

    def _index_texts(self, ld: LinkedData) -> None:
        copies: dict[str, str] = {}
        for row in ld.select("""SELECT ?copy (SAMPLE(?l) AS ?label) WHERE { ?s nkd:textCopy ?copy
  OPTIONAL { ?s rdfs:label ?l FILTER NOT EXISTS { ?s nkd:responseTo ?other } } } GROUP BY ?copy"""):
            copies[row["copy"].value] = row["label"].value if "label" in row else row["copy"].value
        for copy, label in copies.items():
            stem = text_stem(ld.base, copy)
            path = text_file(stem) if stem else None
            if path is None:
                continue  # a text this server does not hold
            text = path.read_text(encoding="utf-8")
            paragraphs = [text[start:end] for start, end in paragraph_spans(text)]  # numbered as on its page
            self._db.executemany("INSERT INTO texts VALUES (?, ?, ?, ?)",
                                 [(f"/sources/{stem}", label, n, body) for n, body in enumerate(paragraphs, 1)])

    def search(self, text: str, limit: int = 50) -> Results:
        """The entities and source texts matching every word of ``text``, best first."""
        text = text.strip()
        if len(text) > MAX_QUERY_CHARS:
            raise BadRequest(f"the search text is longer than {MAX_QUERY_CHARS} characters",
                             hint="Search for a shorter phrase.")
        expression = match_expression(text)
        if expression is None:
            return Results(text, [], [])
        weights = ", ".join(["0", "0", *(str(w) for w in WEIGHTS.values())])
        marks = f"'{OPEN}', '{CLOSE}'"
        with self._lock:
            rows = self._db.execute(
                f"SELECT iri, href, highlight(entities, 2, {marks}), highlight(entities, 3, {marks}), "
                f"highlight(entities, 4, {marks}), highlight(entities, 5, {marks}), kinds "
                f"FROM entities WHERE entities MATCH ? ORDER BY bm25(entities, {weights}) LIMIT ?",
                (expression, 4 * int(limit))).fetchall()
            text_rows = self._db.execute(
                f"SELECT href, source, paragraph, snippet(texts, 3, {marks}, '…', 16), highlight(texts, 3, {marks}) "
                f"FROM texts WHERE texts MATCH ? ORDER BY bm25(texts) LIMIT 200", (expression,)).fetchall()
        # What the graph says about the world first, then the terms of its vocabulary.
        rows.sort(key=lambda row: not row[1].startswith("/id/"))
        return Results(text, [_hit(row) for row in rows[:limit]], _text_hits(text_rows))


def _marked(text: str) -> list[str]:
    return re.findall(f"{OPEN}(.*?){CLOSE}", text, re.DOTALL)


def _html(text: str) -> str:
    return escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def _hit(row: tuple[Any, ...]) -> Hit:
    iri, href, label, kinds, quotes, notes, plain_kinds = row
    fields, words, snippets, count = [], [], [], 0
    for name, column, separator in (("label", label, " | "), ("type", kinds, " | "), ("quotes", quotes, QUOTE_SEPARATOR),
                                    ("notes", notes, QUOTE_SEPARATOR)):
        matched = [part for part in column.split(separator) if OPEN in part]
        if not matched:
            continue
        fields.append(name)
        count += len(matched)
        for part in matched:
            for word in _marked(part):
                if word.lower() not in (w.lower() for w in words):
                    words.append(word)
        if name in ("quotes", "notes"):
            snippets.extend(_html(_around(part)) for part in matched[:2])
    labels = [part for part in label.replace(OPEN, "").replace(CLOSE, "").split(" | ") if part]
    return Hit(href=href, label=labels[0] if labels else iri, iri=iri, types=[k for k in plain_kinds.split(" | ") if k],
               fields=fields, count=count, words=words, snippets=snippets)


def _around(text: str, width: int = 200) -> str:
    # A window of about ``width`` characters around the first match, its marks kept paired.
    first = text.find(OPEN)
    if len(text) <= width or first < 0:
        return text
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    if text.rfind(OPEN, 0, start) > text.rfind(CLOSE, 0, start):
        piece = OPEN + piece  # the window starts inside a match
    if piece.rfind(OPEN) > piece.rfind(CLOSE):
        piece += CLOSE  # and ends inside one
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def _text_hits(rows: list[tuple[Any, ...]]) -> list[TextHit]:
    found: dict[str, TextHit] = {}
    for href, source, paragraph, snippet, highlighted in rows:
        hit = found.setdefault(href, TextHit(href=href, label=source, count=0, words=[]))
        hit.count += 1
        for word in _marked(highlighted):
            if word.lower() not in (w.lower() for w in hit.words):
                hit.words.append(word)
        if len(hit.snippets) < 3:
            hit.snippets.append((f"{href}#p-{paragraph}", _html(snippet)))
    return list(found.values())


__all__ = ["Hit", "Results", "SearchIndex", "TextHit", "match_expression"]
