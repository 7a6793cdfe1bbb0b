"""The Linked Data view of one engine: the object the pages, the VoID and the API ask.

:class:`LinkedData` runs every query of this package through the engine's public methods
(``triples``, ``table``, ``dump``), never the store itself, so it works the same over the
embedded pyoxigraph store and over a remote SPARQL store. Each query it builds passes
:func:`~nkd.sparql.check_query` like any other. It keeps the VoID counts and the dumps
while the data stays the same.
"""

from __future__ import annotations

import gzip
import re
from typing import TYPE_CHECKING, Callable, Sequence

from ..errors import NotFound
from ..figures import figure_words_of, figures_query
from ..http_cache import DataVersion
from ..namespaces import prologue
from ..negotiation import Format
from ..settings import Settings
from ..sparql import Term, check_query
from . import documents, dumps, statistics, void
from .describe import Description, describe_query, description
from .query_terms import iri_ref
from .view import Value

if TYPE_CHECKING:
    from ..engine import Engine

_NOT_FOUND_HINT = "Search the labels at /search, or browse from the landing page /."


class LinkedData:
    """The Linked Data view of one engine: descriptions, documents, VoID, dumps and search."""

    def __init__(self, engine: Engine, settings: Settings, version: Callable[[], DataVersion] | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.base = settings.public_base
        # What the data is now: VoID and dumps are kept while it stays the same (for the
        # life of the process over fixed data; an external store's can change under us).
        self.version = version
        self._kept_for: str | None = None
        self._void: void.VoidStats | None = None
        self._dumps: dict[tuple[str, bool], bytes] = {}

    def _current(self) -> None:
        """Forget VoID and dumps of data that has changed since they were made."""
        digest = self.version().digest if self.version is not None else None
        if digest != self._kept_for:
            self._void, self._dumps, self._kept_for = None, {}, digest

    # -- queries

    def _triples(self, text: str) -> list[tuple[Term, Term, Term]]:
        return self.engine.triples(check_query(text, self.settings))

    def _rows(self, text: str, max_rows: int | None = None) -> list[dict[str, Term]]:
        table = self.engine.table(check_query(text, self.settings), max_rows or 100_000)
        return [{v: t for v, t in zip(table.variables, row) if t is not None} for row in table.rows]

    def select(self, text: str, max_rows: int | None = None) -> list[dict[str, Term]]:
        """The rows of a SELECT (its prefixes are added) as dicts of bound variables."""
        return self._rows(prologue(self.base) + text, max_rows)

    def construct(self, text: str) -> list[tuple[Term, Term, Term]]:
        """The triples of a CONSTRUCT (its prefixes are added)."""
        return self._triples(prologue(self.base) + text)

    def _ask(self, text: str) -> bool:
        return bool(self.engine.table(check_query(text, self.settings), 1).boolean)

    def exists(self, iri: str) -> bool:
        """True if ``iri`` is the subject or the object of a triple of the graph."""
        x = iri_ref(iri)
        return self._ask(f"ASK {{ {{ {x} ?p ?o }} UNION {{ ?s ?p {x} }} }}")

    # -- resources

    def describe_triples(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """The triples of the description of ``iri`` (see :func:`describe_query`); NotFound if none."""
        triples = self._triples(describe_query(iri, self.base))
        if not triples:
            raise NotFound(f"{iri} is not in the graph", hint=_NOT_FOUND_HINT)
        return triples

    def describe(self, iri: str) -> Description:
        """The description of ``iri`` as a page shows it; :class:`NotFound` if not in the graph."""
        return description(iri, self.describe_triples(iri), self.base, self.figures([iri]).get(iri))

    def figures(self, iris: Sequence[str]) -> dict[str, str]:
        """The figure each of ``iris`` states, in its source's words (:func:`figure_words`), for those that state one."""
        iris = [iri for iri in dict.fromkeys(iris) if re.fullmatch(r"[^\s<>\"{}|^`\\]+", iri)][:1000]
        if not iris:
            return {}
        words: dict[str, str] = {}
        for row in self._rows(figures_query(iris)):
            iri = row["s"].value
            if iri not in words:
                words[iri] = figure_words_of({k: t.value for k, t in row.items()})
        return words

    def graph_triples(self, graph_iri: str) -> list[tuple[Term, Term, Term]]:
        """The triples of a named graph of the store (a file of the dataset); NotFound if empty."""
        g = iri_ref(graph_iri)
        triples = self._triples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
        if not triples:
            raise NotFound(f"{graph_iri} is not in the graph", hint=_NOT_FOUND_HINT)
        return triples

    def is_graph(self, iri: str) -> bool:
        """True if ``iri`` names a non-empty named graph of the store (one data file)."""
        return self._ask(f"ASK {{ GRAPH {iri_ref(iri)} {{ ?s ?p ?o }} }}")

    def document(self, iri: str, triples: list[tuple[Term, Term, Term]]) -> documents.Document:
        """A document's triples arranged for its HTML page: its header, then its terms by kind."""
        return documents.document_model(iri, triples, self.base)

    def document_triples(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """The whole document a hash namespace names (``/ontology``, ``/shapes``); see
        :func:`~nkd.linked_data.documents.document_triples`."""
        return documents.document_triples(self, iri)

    # -- statistics

    def observations(self, dataset_iri: str) -> list[statistics.Observation]:
        """The observations of a ``qb:DataSet`` with period, value, unit, qualifier, sources and quotes."""
        return statistics.observations(self, dataset_iri)

    def datasets(self) -> list[Value]:
        """Every ``qb:DataSet`` with its label."""
        return statistics.datasets(self)

    # -- the dataset as a whole

    def stats(self) -> void.VoidStats:
        """Counts and partitions of the whole dataset, computed once per data version."""
        self._current()
        if self._void is None:
            self._void = void.dataset_stats(self)
        return self._void

    def void_triples(self) -> list[tuple[Term, Term, Term]]:
        """The VoID description of the dataset (title, licence, sources, endpoint, dumps, counts,
        partitions), with its DCAT description beside it (see :mod:`nkd.catalog`)."""
        from ..catalog import dataset_info, dcat_triples  # it builds on this package

        return void.void_description(self.stats(), self.base) + dcat_triples(self, dataset_info(self))

    def dump(self, fmt: Format, gzipped: bool = False) -> bytes:
        """The whole dataset in ``fmt`` (gzip-compressed if asked), built once per process and data version."""
        key = (fmt.name, gzipped)
        self._current()
        if key not in self._dumps:
            # mtime=0: the same bytes in every worker process, for the same ETag.
            self._dumps[key] = (gzip.compress(self.dump(fmt), mtime=0) if gzipped
                                else dumps.build_dump(self, fmt))
        return self._dumps[key]
