"""Where the shipped Turtle data and source texts are, in a checkout or an installed wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
KINDS = ("ontology", "graph", "shapes")


@lru_cache(maxsize=None)
def data_root() -> Path:
    """The directory holding ``ontology/``, ``graph/`` and ``shapes/``.

    A wheel carries them in ``server/_data``; a checkout (or editable install) has them
    beside the package at the top of the repository.
    """
    for root in (_PACKAGE / "_data", _PACKAGE.parent):
        if all((root / kind).is_dir() for kind in KINDS):
            return root
    raise FileNotFoundError("the shipped ontology/, graph/ and shapes/ directories are missing")


def turtle_files(kind: str) -> list[Path]:
    """The Turtle files of one data directory (``ontology``, ``graph`` or ``shapes``), sorted."""
    return sorted((data_root() / kind).glob("*.ttl"))


def data_files() -> list[Path]:
    """Every Turtle file the shipped dataset is made of: ontology, graph, then shapes."""
    return [path for kind in KINDS for path in turtle_files(kind)]


def sources_dir() -> Path:
    """The directory holding the source documents the graph quotes."""
    return data_root() / "graph" / "sources"


def query_files() -> list[Path]:
    """The example queries in ``graph/queries/`` (one per competency question), sorted by name."""
    return sorted((data_root() / "graph" / "queries").glob("*.rq"))
