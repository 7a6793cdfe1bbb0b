"""The example queries (``graph/queries/*.rq``, one per competency question), read in one place.

Each file starts with comment lines that say ``# title:`` and ``# question:``; the rest is
the query. The query page lists them all and the landing page the first few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .data import query_files


@dataclass(frozen=True)
class Example:
    """A documented example query: file stem, title, question and text."""

    name: str
    title: str
    question: str
    text: str


_HEADER = re.compile(r"#\s*(title|question)\s*:\s*(.*)", re.IGNORECASE)


def read_example(path: Path) -> Example:
    """Read an example query file whose first comment lines say ``# title:`` and ``# question:``."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), match.group(2).strip())
    return Example(name=path.stem, title=header.get("title", path.stem),
                   question=header.get("question", ""), text=text)


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """The shipped example queries, sorted by name, read once (none when they are not there)."""
    try:
        return tuple(read_example(path) for path in query_files())
    except (FileNotFoundError, OSError, UnicodeDecodeError):
        return ()


__all__ = ["Example", "examples", "read_example"]
