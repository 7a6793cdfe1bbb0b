"""Quotes in source texts: where words occur, the context that makes them unique, the
closest passage when they do not occur, and Turtle for a W3C ``oa:TextQuoteSelector``.

A TextQuoteSelector (https://www.w3.org/TR/annotation-model/#text-quote-selector)
names a span of text by its exact words, with ``oa:prefix`` and ``oa:suffix``, the text
immediately before and after it, when the words alone occur more than once. Matching is
on the text exactly as stored (Python strings, so code points, as the model requires).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

NBSP = "\u00a0"


@dataclass(frozen=True)
class Passage:
    """A span of a source text: where it starts and ends, its line, and its words."""

    start: int
    end: int
    line: int
    text: str


def occurrences(text: str, exact: str) -> list[int]:
    """Every index where ``exact`` starts in ``text`` (overlapping ones too)."""
    found = []
    index = text.find(exact)
    while index >= 0 and exact:
        found.append(index)
        index = text.find(exact, index + 1)
    return found


def matching(text: str, exact: str, prefix: str | None = None, suffix: str | None = None) -> list[int]:
    """The occurrences of ``exact`` that ``prefix`` immediately precedes and ``suffix`` follows."""
    return [start for start in occurrences(text, exact)
            if (not prefix or text[:start].endswith(prefix))
            and (not suffix or text.startswith(suffix, start + len(exact)))]


def line_at(text: str, index: int) -> int:
    """The line (1-based) of a character of ``text``."""
    return text.count("\n", 0, index) + 1


def passage(text: str, start: int, end: int) -> Passage:
    """The span ``text[start:end]`` with its line."""
    return Passage(start, end, line_at(text, start), text[start:end])


def context_for(text: str, start: int, length: int) -> tuple[str, str]:
    """The shortest ``(prefix, suffix)`` that make the occurrence at ``start`` unique.

    Grows the context a word at a time, before, after or on both sides, whichever first
    names one place, so that the context reads naturally and survives small edits
    elsewhere in the text; either may be empty.
    """
    exact = text[start:start + length]
    before = [0]
    after = [0]
    while True:
        grown_before = _next_boundary_back(text, start, before[-1])
        grown_after = _next_boundary_forward(text, start + length, after[-1])
        if grown_before == before[-1] and grown_after == after[-1]:
            break  # the whole text around it: nothing more to add
        before.append(grown_before)
        after.append(grown_after)
        for b, a in ((before[-1], 0), (0, after[-1]), (before[-1], after[-1])):
            prefix = text[start - b:start]
            suffix = text[start + length:start + length + a]
            if len(matching(text, exact, prefix or None, suffix or None)) == 1:
                return prefix, suffix
    return text[start - before[-1]:start], text[start + length:start + length + after[-1]]


def _next_boundary_back(text: str, start: int, taken: int) -> int:
    """``taken`` grown by the whitespace and the word before it."""
    position = start - taken
    while position > 0 and text[position - 1].isspace():
        position -= 1
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return start - position


def _next_boundary_forward(text: str, end: int, taken: int) -> int:
    """``taken`` grown by the whitespace and the word after it."""
    position = end + taken
    while position < len(text) and text[position].isspace():
        position += 1
    while position < len(text) and not text[position].isspace():
        position += 1
    return position - end


def nearest(text: str, words: str, count: int = 3) -> list[Passage]:
    """The passages of ``text`` closest to ``words`` (most similar first), for a quote that
    does not occur: a typo, a changed figure, a straight quote for a curly one."""
    if not words or not text:
        return []
    matcher = difflib.SequenceMatcher(None, text, words, autojunk=False)
    candidates: dict[int, float] = {}
    for block in sorted(matcher.get_matching_blocks(), key=lambda b: -b.size)[:12]:
        if block.size == 0:
            continue
        start = max(0, block.a - block.b)
        start, end = _word_span(text, start, min(len(text), start + len(words)))
        if start not in candidates:
            candidates[start] = difflib.SequenceMatcher(None, text[start:end], words, autojunk=False).ratio()
    best = sorted(candidates.items(), key=lambda item: -item[1])[:count]
    passages = []
    for start, _ratio in best:
        start, end = _word_span(text, start, min(len(text), start + len(words)))
        passages.append(passage(text, start, end))
    return passages


def _word_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as lowercase hex (as ``spdx:checksumValue`` holds it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", NBSP: "\\u00A0"}


def turtle_string(value: str) -> str:
    """A Turtle string literal; no-break spaces written as ``\\u00A0`` so that none hides in a file."""
    return '"' + re.sub(r'[\\"\n\r\t\u00a0]', lambda m: _ESCAPES[m.group(0)], value) + '"'


def shorten(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters, for messages (no-break spaces kept)."""
    flat = re.sub(r"[ \t\r\n]+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


__all__ = ["Passage", "context_for", "line_at", "matching", "nearest", "occurrences", "passage", "sha256",
           "shorten", "turtle_string"]
