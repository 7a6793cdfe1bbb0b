"""What every provenance check reads: the data's store, the source texts, and what a check reports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from ..figures import STATED_PROPERTIES
from ..namespaces import SPDX, prefix_lines, prefixes

SHA256 = SPDX + "checksumAlgorithm_sha256"

# The properties whose values are counts or amounts a source states: each needs its words.
STATED = STATED_PROPERTIES

# shape (the check) -> its constraint components: the IRIs results name (shapes/provenance.ttl).
COMPONENTS = {
    "TextCopyCheck": ("TextCopyChecksumComponent",),
    "QuoteCheck": ("QuoteInSourceComponent", "QuoteUniqueComponent", "QuoteContextComponent"),
    "FigureCheck": ("FigureWordsComponent", "DerivationComponent"),
    "ConflictCheck": ("UnlinkedConflictComponent", "CorroborationComponent"),
}

# The checks' queries may use any prefix of the namespace table.
PREFIXES = prefix_lines(prefixes(every=True))


@dataclass(frozen=True)
class Finding:
    """One failed check: the node it is about, where, the value at fault, and what to do."""

    focus: object                     # a pyoxigraph term
    shape: str                        # local name under nkdsh: (a key of COMPONENTS)
    component: str                    # local name under nkdsh:
    message: str
    path: tuple[str, ...] = ()        # a SHACL sequence path of property IRIs
    value: object | None = None       # a pyoxigraph term


class ProvenanceData:
    """The data a check reads: a store holding it (one named graph per file) and the texts' directory."""

    def __init__(self, store: ox.Store, sources_dir: Path) -> None:
        self.store = store
        self.sources_dir = Path(sources_dir)
        self._texts: dict[str, str | None] = {}
        self._trusted: dict[str, bool] = {}  # text copy -> its checksum holds (set by the text checks)

    def rows(self, query: str) -> list[dict[str, object]]:
        """A SELECT over the union of the data's graphs; each row maps names to pyoxigraph terms."""
        results = self.store.query(PREFIXES + query, use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in results]

    def text_path(self, copy: str) -> Path:
        """The file holding the text published at a text-copy IRI: its last path segment."""
        return self.sources_dir / unquote(copy.rstrip("/").rsplit("/", 1)[-1])

    def text(self, copy: str) -> str | None:
        """The text of a text copy, or None when the file is missing or not UTF-8."""
        if copy not in self._texts:
            try:
                self._texts[copy] = self.text_path(copy).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[copy] = None
        return self._texts[copy]

    def stated_value(self, node: object) -> object | None:
        """The count or amount a node states (its first of :data:`STATED`), or None."""
        for prop in STATED:
            quad = next(self.store.quads_for_pattern(node, ox.NamedNode(prop), None, None), None)
            if quad is not None:
                return quad.object
        return None

    def object_of(self, subject: object, predicate: str) -> object | None:
        """One object of ``subject predicate ?o`` in any graph, or None."""
        quad = next(self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None), None)
        return quad.object if quad is not None else None


def local(term: object | None) -> str | None:
    """The local name of an IRI term (``…#LessThan`` → ``LessThan``), None for none."""
    if term is None:
        return None
    return local_name(term.value)


def local_name(iri: str) -> str:
    """The local name of an IRI: after its last ``#`` or ``/``."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def short(term: object) -> str:
    """How messages name an entity: ``observation/arrivals-2019-blog``."""
    value = term.value
    return "/".join(value.split("/")[-2:]) if "/id/" in value else value


def as_number(term: object | None) -> Decimal | None:
    """A numeric literal's value, None for anything else."""
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None
