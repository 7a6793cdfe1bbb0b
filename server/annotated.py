"""A source text with every quoted passage marked and linked to the facts that quote it.

Each ``oa:TextQuoteSelector`` that targets a source whose ``nkd:textCopy`` is the text
selects a passage: its ``oa:exact`` words, at the occurrence its ``oa:prefix`` /
``oa:suffix`` pick out (the first one when it has none, as the Web Annotation model
reads an ambiguous selector). Annotations quoting the same words are one passage; the
facts they state (their ``oa:hasBody``) are listed in a note after the paragraph where
the passage ends.

Passages overlap (a sentence, and a figure inside it), so the text is cut at every
passage boundary and each piece is wrapped in one ``<mark>`` per passage covering it,
outermost first: overlaps read darker, and every piece of passage *n* carries
``data-passage="n"``. The first piece of a passage carries its id, :func:`passage_id`
of its words, so an entity page links a quote to ``/sources/{file}#{passage_id(exact)}``
without reading the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from .linked_data import LinkedData, Value, iri_ref, row_value
from .source_texts import passage_id


@dataclass
class Quoted:
    """One annotation's selector: the words, what disambiguates them, and the facts it states."""

    annotation: str
    exact: str
    prefix: str | None = None
    suffix: str | None = None
    facts: list[tuple[Value, list[str]]] = field(default_factory=list)  # (fact, its type labels)


@dataclass
class Passage:
    """A quoted passage of the text, located, with every fact quoting it."""

    number: int
    anchor: str
    exact: str
    start: int
    end: int
    occurrences: int
    facts: list[tuple[Value, list[str]]]
    annotations: list[str]


@dataclass
class Paragraph:
    """A paragraph of the text as HTML (with its marks), and the notes of passages ending in it."""

    html: str
    notes: list[Passage]


@dataclass
class AnnotatedText:
    """The whole text, its paragraphs, its passages and the quotes it does not contain."""

    paragraphs: list[Paragraph]
    passages: list[Passage]
    missing: list[Quoted]


def locate(text: str, quoted: Quoted) -> tuple[int, int] | None:
    """(occurrence start, how many occurrences) of the selector's words in ``text``, or None."""
    starts = [m.start() for m in re.finditer(re.escape(quoted.exact), text)] if quoted.exact else []
    if not starts:
        return None
    for start in starts:
        before_ok = quoted.prefix is None or text[:start].endswith(quoted.prefix)
        after_ok = quoted.suffix is None or text[start + len(quoted.exact):].startswith(quoted.suffix)
        if before_ok and after_ok:
            return start, len(starts)
    return starts[0], len(starts)


def annotate(text: str, quotes: list[Quoted]) -> AnnotatedText:
    """Mark every quote in ``text``; quotes the text does not contain are returned as missing."""
    found: dict[tuple[int, int], Passage] = {}
    missing: list[Quoted] = []
    for quoted in quotes:
        where = locate(text, quoted)
        if where is None:
            missing.append(quoted)
            continue
        start, occurrences = where
        key = (start, start + len(quoted.exact))
        passage = found.get(key)
        if passage is None:
            passage = found[key] = Passage(0, "", quoted.exact, key[0], key[1], occurrences, [], [])
        if quoted.annotation not in passage.annotations:
            passage.annotations.append(quoted.annotation)
        for fact, types in quoted.facts:
            if all(f.term != fact.term for f, _ in passage.facts):
                passage.facts.append((fact, types))
    passages = sorted(found.values(), key=lambda p: (p.start, -p.end))
    used: dict[str, int] = {}
    for number, passage in enumerate(passages, 1):
        passage.number = number
        anchor = passage_id(passage.exact)
        used[anchor] = used.get(anchor, 0) + 1
        passage.anchor = anchor if used[anchor] == 1 else f"{anchor}-{used[anchor]}"
    blocks = paragraph_spans(text)
    paragraphs = [Paragraph(_marked(text, start, end, passages), []) for start, end in blocks]
    for passage in passages:  # a note follows the paragraph where its passage ends
        index = next((i for i, (_, end) in enumerate(blocks) if passage.end <= end), len(blocks) - 1)
        paragraphs[index].notes.append(passage)
    return AnnotatedText(paragraphs, passages, missing)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a text: paragraphs are separated by blank lines."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S(?:.|\n(?![ \t\u00a0]*\n))*", text)]


def _marked(text: str, start: int, end: int, passages: list[Passage]) -> str:
    inside = [p for p in passages if p.start < end and p.end > start]
    cuts = sorted({start, end, *(max(start, min(end, p.start)) for p in inside),
                   *(max(start, min(end, p.end)) for p in inside)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [p for p in inside if p.start <= a and p.end >= b]  # outermost first (sorted)
        for p in covering:
            anchor = f' id="{p.anchor}"' if p.start == a else ""
            out.append(f'<mark class="quote" data-passage="{p.number}"{anchor}>')
        out.append(escape(text[a:b]))
        out.append("</mark>" * len(covering))
        for p in inside:
            if p.end == b:
                out.append(f'<sup class="ref"><a href="#note-{p.number}" aria-label="passage {p.number}: '
                           f'the facts it states">{p.number}</a></sup>')
    return "".join(out)


# --------------------------------------------------------------------------- a source's page


@dataclass
class SourceInfo:
    """A source a text copy holds (a post and the reader responses under it share one text)."""

    value: Value
    types: list[str]
    details: list[tuple[str, list[str]]]  # ("author", ["Robert R. King"]), in reading order
    rights: list[tuple[str, str]]  # (statement, explanation)


# What a reader wants to know of a source, in the order the page says it.
_DETAILS = (("kind", "rdf:type"), ("author", "dcterms:creator"), ("outlet", "schema:isPartOf"),
            ("publisher", "dcterms:publisher"), ("in response to", "nkd:responseTo"),
            ("published", "nkd:publicationTime"), ("how the date is known", "nkd:publicationTimeStatus"),
            ("note", "rdfs:comment"))


def source_infos(ld: LinkedData, copy_iri: str) -> list[SourceInfo]:
    """The sources whose ``nkd:textCopy`` is ``copy_iri``, with author, outlet, date and rights."""
    copy = iri_ref(copy_iri)
    unions = " UNION ".join(f'{{ ?s {path} ?v BIND("{name}" AS ?what) }}' for name, path in _DETAILS)
    rows = ld.select(f"""SELECT ?s ?label ?what ?v ?vl ?rights ?rl ?rc WHERE {{
  ?s nkd:textCopy {copy} OPTIONAL {{ ?s rdfs:label ?label }}
  OPTIONAL {{ {unions} OPTIONAL {{ ?v rdfs:label ?vl }} }}
  OPTIONAL {{ ?s dcterms:rights ?rights OPTIONAL {{ ?rights rdfs:label ?rl }} OPTIONAL {{ ?rights rdfs:comment ?rc }} }}
}} ORDER BY ?s""")
    found: dict[str, SourceInfo] = {}
    for row in rows:
        iri = row["s"].value
        info = found.get(iri)
        if info is None:
            info = found[iri] = SourceInfo(row_value(ld.base, row, "s", "label"), [], [], [])
        if "v" in row:
            words = row["vl"].value if "vl" in row else row["v"].value
            if row["what"].value == "kind":
                if words not in info.types:
                    info.types.append(words)
            else:
                slot = next((values for name, values in info.details if name == row["what"].value), None)
                if slot is None:
                    info.details.append((row["what"].value, slot := []))
                if words not in slot:
                    slot.append(words)
        if "rights" in row:
            statement = (row["rl"].value if "rl" in row else row["rights"].value, row["rc"].value if "rc" in row else "")
            if statement not in info.rights:
                info.rights.append(statement)
    order = [name for name, _ in _DETAILS]
    for info in found.values():
        info.details.sort(key=lambda item: order.index(item[0]))
    # The document itself first, then what responds to it.
    return sorted(found.values(), key=lambda i: (any(n == "in response to" for n, _ in i.details), i.value.label))


def quotes_of(ld: LinkedData, copy_iri: str) -> list[Quoted]:
    """Every selector that quotes a source held by the text at ``copy_iri``, with the facts it states."""
    rows = ld.select(f"""SELECT ?ann ?exact ?prefix ?suffix ?body ?label ?typeLabel WHERE {{
  ?src nkd:textCopy {iri_ref(copy_iri)} . ?ann oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?sel .
  ?sel oa:exact ?exact OPTIONAL {{ ?sel oa:prefix ?prefix }} OPTIONAL {{ ?sel oa:suffix ?suffix }}
  OPTIONAL {{ ?ann oa:hasBody ?body OPTIONAL {{ ?body rdfs:label ?label }}
             OPTIONAL {{ ?body a ?type . ?type rdfs:label ?typeLabel
                         FILTER(LANGMATCHES(LANG(?typeLabel), "en") || LANG(?typeLabel) = "") }} }}
}}""")
    found: dict[tuple[str, str, str | None, str | None], Quoted] = {}
    for row in rows:
        prefix = row["prefix"].value if "prefix" in row else None
        suffix = row["suffix"].value if "suffix" in row else None
        key = (row["ann"].value, row["exact"].value, prefix, suffix)
        quoted = found.setdefault(key, Quoted(row["ann"].value, row["exact"].value, prefix, suffix))
        if "body" in row:
            iri = row["body"].value
            fact = next((f for f in quoted.facts if f[0].term.value == iri), None)
            if fact is None:
                fact = (row_value(ld.base, row, "body", "label"), [])
                quoted.facts.append(fact)
            if "typeLabel" in row and row["typeLabel"].value not in fact[1]:
                fact[1].append(row["typeLabel"].value)
    return list(found.values())


__all__ = ["AnnotatedText", "Paragraph", "Passage", "Quoted", "SourceInfo", "annotate", "locate", "paragraph_spans",
           "quotes_of", "source_infos"]
