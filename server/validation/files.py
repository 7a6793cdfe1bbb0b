"""The files a validation reads: directories expanded, each file parsed once by pyoxigraph.

Files are parsed by pyoxigraph, the same parser the store uses, so a file that validates
is a file the server loads, and a syntax error names the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox
from rdflib.term import Node

from ..data import data_root
from ..errors import InputError
from ..store import rdf_format
from .lines import subject_lines


@dataclass
class LoadedFile:
    """One parsed RDF file: where it is, how reports name it, its triples and its prefixes."""

    path: Path
    name: str
    triples: list[ox.Triple] = field(repr=False)  # the triples of every graph of the file
    prefixes: dict[str, str] = field(default_factory=dict)
    _lines: dict[Node, int] | None = field(default=None, repr=False)

    def subject_lines(self) -> dict[Node, int]:
        """Line of the first statement whose subject is each IRI (parsed on first use)."""
        if self._lines is None:
            self._lines = subject_lines(self.path)
        return self._lines


def display_name(path: Path) -> str:
    """How a file is named in reports: shipped files relative to the data root, others as given."""
    try:
        return path.resolve().relative_to(data_root()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(path)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read: files as given, directories replaced by their RDF files (sorted).

    Raises :class:`InputError` for a path that does not exist or a directory with no RDF file.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_rdf(p))
            if not found:
                raise InputError(f"{path}: no RDF files in this directory", path=str(path),
                                 hint="Pass Turtle (.ttl) or other RDF files, or a directory holding some.")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError.for_file(path, FileNotFoundError(path))
    return files


def _is_rdf(path: Path) -> bool:
    try:
        rdf_format(path)
    except InputError:
        return False
    return True


def load_file(path: Path) -> LoadedFile:
    """Parse one RDF file with pyoxigraph; :class:`InputError` names the file and line of bad syntax."""
    name = display_name(path)
    fmt = rdf_format(path)
    try:
        # No base IRI: a relative IRI is an error here exactly as when the store loads it.
        # Blank nodes are renamed so that two files' _:b1 stay two nodes.
        parser = ox.parse(path=str(path), format=fmt, rename_blank_nodes=True)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parser]
    except (SyntaxError, OSError, UnicodeDecodeError) as exc:
        raise InputError.for_file(name, exc) from None
    return LoadedFile(path, name, triples, dict(getattr(parser, "prefixes", None) or {}))


def load_files(paths: Sequence[Path]) -> list[LoadedFile]:
    """Parse each file once (the same file named twice is read once)."""
    seen: set[Path] = set()
    loaded = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            loaded.append(load_file(path))
    return loaded
