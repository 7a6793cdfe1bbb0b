"""Loading RDF into a pyoxigraph store: the shipped graph or any files, one named graph each.

Each Turtle or N-Triples file goes into a named graph of its own, so that dumps keep
where every triple came from and SPARQL ``GRAPH`` can select a file; the query
engine's default graph is the union of them all. N-Quads and TriG files keep the
graphs they name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .data import KINDS, data_root, turtle_files
from .errors import InputError
from .http_cache import DataVersion, digest_files
from .negotiation import RDF_SYNTAXES

# Every RDF syntax of the format table is read, from each of its file suffixes.
_FORMATS_BY_SUFFIX = {suffix: fmt.ox for fmt in RDF_SYNTAXES for suffix in fmt.suffixes}


@dataclass(frozen=True)
class Source:
    """One RDF file to load and the named graph it goes into (None: the graphs it names)."""

    path: Path
    graph: str | None


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its suffix; :class:`InputError` when unknown."""
    fmt = _FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the RDF syntax from the suffix {path.suffix!r}",
            path=str(path),
            hint=f"Use one of: {', '.join(sorted(_FORMATS_BY_SUFFIX))}.",
        )
    return fmt


def graph_iri(base: str, path: Path, kind: str | None = None) -> str:
    """The named graph of a file: ``{base}data/{kind}/{stem}`` for shipped files, ``{base}data/{stem}`` otherwise."""
    return f"{base}data/{kind}/{path.stem}" if kind else f"{base}data/{path.stem}"


def shipped_sources(base: str) -> list[Source]:
    """The files of the shipped dataset (ontology, graph, shapes) with their graph names."""
    return [Source(path, graph_iri(base, path, kind)) for kind in KINDS for path in turtle_files(kind)]


def file_sources(paths: Iterable[str | Path], base: str) -> list[Source]:
    """Sources for user-given files: quad formats keep their graphs, others get one each."""
    sources = []
    for raw in paths:
        path = Path(raw)
        fmt = rdf_format(path)
        sources.append(Source(path, None if fmt.supports_datasets else graph_iri(base, path)))
    return sources


def load_sources(store: ox.Store, sources: Iterable[Source]) -> None:
    """Parse every source into ``store``; :class:`InputError` names the file and line of a failure."""
    for source in sources:
        fmt = rdf_format(source.path)
        to_graph = ox.NamedNode(source.graph) if source.graph else None
        try:
            # No base IRI: a relative IRI in a data file is an error, not a file path.
            store.load(path=str(source.path), format=fmt, to_graph=to_graph)
        except (SyntaxError, OSError, UnicodeDecodeError) as exc:
            raise InputError.for_file(source.path, exc) from None


def shipped_store(base: str) -> ox.Store:
    """A new in-memory store holding the shipped dataset."""
    store = ox.Store()
    load_sources(store, shipped_sources(base))
    return store


def memory_store(paths: Iterable[str | Path], base: str) -> ox.Store:
    """A new in-memory store holding the given RDF files."""
    store = ox.Store()
    load_sources(store, file_sources(paths, base))
    return store


def sources_version(sources: Iterable[Source], base: str) -> DataVersion:
    """The version of the data loaded from ``sources``: a digest of each graph name and file,
    and the newest file's modification time. The same in every process that reads them."""
    sources = list(sources)
    try:
        digest = digest_files([(base, None)] + [(s.graph or s.path.name, s.path.read_bytes()) for s in sources])
        modified = max((s.path.stat().st_mtime for s in sources), default=0.0)
    except OSError as exc:
        raise InputError.for_file(exc.filename, exc) from None
    return DataVersion(digest, modified)


_BNODE = re.compile(r"_:[A-Za-z0-9_\-.]+")


def store_version(store: ox.Store, modified: float) -> DataVersion:
    """The version of whatever ``store`` holds, from its content (for stores built in process).

    Blank node labels differ between processes that parsed the same files, so the
    N-Quads lines are hashed with blank nodes blanked out and sorted: equal data gives
    an equal digest in every process.
    """
    lines = _BNODE.sub("_:b", store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")).splitlines()
    return DataVersion(hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest(), modified)


__all__ = ["Source", "data_root", "file_sources", "graph_iri", "load_sources", "memory_store",
           "rdf_format", "shipped_sources", "shipped_store", "sources_version", "store_version"]
