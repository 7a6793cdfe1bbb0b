"""Where the source texts are: the text copy's IRI in the graph, the file, the pages.

A source's ``nkd:textCopy`` is ``{public_base}sources/{stem}.txt``: the verbatim text,
served as plain text at that address and kept as ``graph/sources/{stem}.txt``. The page
with its quoted passages marked is ``/sources/{stem}``, and a passage there has the id
:func:`passage_id` of its words, so any page can link a quote to its place in the text
without reading the text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .data import sources_dir

SUFFIX = ".txt"
_STEM = re.compile(r"[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*")


def passage_id(exact: str) -> str:
    """The id of the passage quoting ``exact`` on its source's page (stable, from the words)."""
    return "q-" + hashlib.sha256(exact.encode("utf-8")).hexdigest()[:12]


def copy_iri(base: str, stem: str) -> str:
    """The IRI of the text copy named ``stem`` (what ``nkd:textCopy`` holds)."""
    return f"{base}sources/{stem}{SUFFIX}"


def text_stem(base: str, iri: str | None) -> str | None:
    """The stem of a text copy IRI published here, or None for any other IRI."""
    prefix = f"{base}sources/"
    if not iri or not iri.startswith(prefix) or not iri.endswith(SUFFIX):
        return None
    stem = iri[len(prefix):-len(SUFFIX)]
    return stem if _STEM.fullmatch(stem) else None


def text_page(base: str, iri: str | None) -> str | None:
    """The path of the page of a text copy (``/sources/{stem}``), or None if not one of ours."""
    stem = text_stem(base, iri)
    return f"/sources/{stem}" if stem else None


def passage_href(base: str, iri: str | None, exact: str) -> str | None:
    """The link to the passage quoting ``exact`` on the page of the text copy ``iri``."""
    page = text_page(base, iri)
    return f"{page}#{passage_id(exact)}" if page else None


def text_file(stem: str) -> Path | None:
    """The file of the text named ``stem``, or None when there is none (or the name is not a name)."""
    if not _STEM.fullmatch(stem):
        return None
    try:
        path = sources_dir() / f"{stem}{SUFFIX}"
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


__all__ = ["copy_iri", "passage_href", "passage_id", "text_file", "text_page", "text_stem"]
