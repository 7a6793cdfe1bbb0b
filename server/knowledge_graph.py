"""The Python API: a knowledge graph to query, validate and describe, from a script or a notebook.

    import nkd
    with nkd.open() as kg:
        for row in kg.query("SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5"):
            print(row["s"])

:func:`open` opens the shipped graph, RDF files, an on-disk store or an external SPARQL
endpoint, through the same composition root as `nkd serve` and `nkd query`
(:func:`nkd.engine.open_engine`). A query gets the endpoint's guards and limits, with
the common prefixes (``nkd:``, ``rdfs:``, ``qb:``, ``prov:``…) declared for it as on the
query page. No thread starts until the first query; :meth:`KnowledgeGraph.close` (or
leaving the ``with`` block) stops them.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Sequence

from .engine import DataSource, Engine, open_engine
from .errors import InputError, NkdError, Unavailable
from .guards import check_query
from .query_errors import without_prologue
from .result_table import common_prefixes, missing_prefixes, prefix_lines
from .results import HELD_FORMATS, Result
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from .linked_data import Description, LinkedData
    from .validation import ValidationReport

Path = str | os.PathLike[str]
_PREFIXED = re.compile(r"([A-Za-z][\w.\-]*)?:([^/].*)?")


class KnowledgeGraph:
    """A knowledge graph opened by :func:`open`: query it, validate it, describe its entities.

    A context manager: leaving the ``with`` block closes it, as :meth:`close` does.
    """

    def __init__(self, engine: Engine, source: DataSource) -> None:
        self.engine = engine
        self.source = source
        self.settings: Settings = engine.settings
        # The prefixes declared for every query that uses them without declaring them.
        self.prefixes: dict[str, str] = common_prefixes(self.settings)
        self._linked_data: LinkedData | None = None
        self._closed = False

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        shown = (f"{len(self.source.files)} file(s)" if self.source.files else self.source.store
                 or self.source.endpoint or "the shipped graph")
        return f"<KnowledgeGraph {shown}{' (closed)' if self._closed else ''}>"

    def close(self) -> None:
        """Stop the query threads (or close the connections to an endpoint). Queries after this
        raise :class:`~nkd.errors.Unavailable`; closing twice does nothing."""
        if not self._closed:
            self._closed = True
            self.engine.close()

    def _open_engine(self) -> Engine:
        if self._closed:
            raise Unavailable("this knowledge graph is closed", hint="Open it again with nkd.open(…).")
        return self.engine

    def query(self, text: str) -> Result:
        """Run a SPARQL query with the endpoint's guards and limits; return its :class:`Result`.

        The common prefixes of :attr:`prefixes` that the query uses without declaring are
        declared for it. Errors are those of the endpoint, typed: a query refused by a guard
        (:class:`~nkd.errors.QueryRefused`, :class:`~nkd.errors.QueryTooComplex`), malformed
        (:class:`~nkd.errors.QuerySyntaxError`, lines and columns as written), past its time
        or memory (:class:`~nkd.errors.QueryTimeout`, :class:`~nkd.errors.QueryTooExpensive`)
        or its size (:class:`~nkd.errors.PayloadTooLarge`).
        """
        engine = self._open_engine()
        added = missing_prefixes(text, self.prefixes)
        prologue = prefix_lines(added)
        try:
            query = check_query(prologue + text, self.settings)
            body = engine.serialize(query, HELD_FORMATS[query.form])
        except NkdError as err:
            raise without_prologue(err, prologue.count("\n")) from None
        return Result(query, body, self.settings.max_result_bytes, self.prefixes)

    def validate(self, shapes: Sequence[Path] | None = None, sources: Path | None = None) -> ValidationReport:
        """Validate the graph's files against the SHACL shapes and the source texts, as
        `nkd validate` does; return the report (``.conforms``, ``.results``;
        ``.render("text" | "json" | "turtle" | "junit" | "github")`` writes what the command prints).

        ``shapes``: shapes files or directories instead of the shipped shapes; ``sources``:
        the directory of the source texts instead of the shipped ones. Validation reads
        files, so a graph opened from a store or an endpoint raises :class:`~nkd.errors.InputError`.
        """
        from .validation import validate

        self._open_engine()
        if self.source.store or self.source.endpoint:
            raise InputError("validation reads RDF files, and this graph was opened from a "
                             f"{'store' if self.source.store else 'SPARQL endpoint'}",
                             hint="Open the files the store was built from, nkd.open('a.ttl', …), and "
                                  "validate that, or run `nkd validate FILES`.")
        return validate(list(self.source.files) or None, list(shapes) if shapes else None, sources=sources)

    def describe(self, iri: str) -> Description:
        """What the Linked Data page of an entity shows: its label, types, properties, the links
        that point at it, the quotes that state it and their sources, its conflicts and figure.

        ``iri`` is a full IRI, or a prefixed name of :attr:`prefixes` (``nkd:Event``).
        Raises :class:`~nkd.errors.NotFound` for an IRI the graph does not describe.
        """
        self._open_engine()
        return self.linked_data.describe(self.expand(iri))

    @property
    def linked_data(self) -> LinkedData:
        """The Linked Data view of this graph (descriptions, VoID statistics, dumps), made once."""
        if self._linked_data is None:
            from .linked_data import LinkedData

            self._linked_data = LinkedData(self.engine, self.settings, self.engine.data_version)
        return self._linked_data

    def expand(self, name: str) -> str:
        """The IRI of a prefixed name of :attr:`prefixes` (``nkd:Event``); any other text as it is."""
        match = _PREFIXED.fullmatch(name)
        if match and (match.group(1) or "") in self.prefixes:
            return self.prefixes[match.group(1) or ""] + (match.group(2) or "")
        return name


def open(*files: Path, store: Path | None = None, endpoint: str | None = None,  # noqa: A001
         **settings: Any) -> KnowledgeGraph:
    """Open a knowledge graph: the shipped graph, or RDF ``files``, an on-disk ``store``
    built by `nkd load`, or a SPARQL 1.1 ``endpoint`` URL.

    ``settings`` are rows of the settings table by name (``query_timeout_s=5``,
    ``public_base="https://example.org/kg/"``…); the others keep their defaults (the
    ``NKD_`` environment variables are not read, so a script answers alike wherever it
    runs). Raises :class:`~nkd.errors.SettingError` for an unknown or bad setting and
    :class:`~nkd.errors.InputError` for a file, store or URL that cannot be used.
    """
    resolved = load_settings(settings, environ={})
    source = DataSource(tuple(os.fspath(f) for f in files), os.fspath(store) if store else None, endpoint)
    return KnowledgeGraph(open_engine(resolved, source), source)


__all__ = ["KnowledgeGraph", "open"]
