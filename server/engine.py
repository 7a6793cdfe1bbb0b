"""Query engines: what every engine does, and the one place that opens one.

:class:`Engine` is the protocol the HTTP layer, the CLI and the Python API use, whatever
answers: :class:`~nkd.sparql.EmbeddedEngine` (an in-process pyoxigraph store, in memory
or on disk) or :class:`~nkd.remote.RemoteEngine` (any SPARQL 1.1 store). Both implement
all of it, so no caller asks an engine what it can do.

:class:`DataSource` says where the data is (the shipped graph, RDF files, an on-disk
store or an endpoint URL) and :func:`open_engine` opens an engine over it: `nkd serve`
(in each worker), `nkd query`, :func:`nkd.open` and ``create_app``'s default all come
through here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import InputError
from .http_cache import DataVersion
from .settings import Settings

if TYPE_CHECKING:
    from .guards import Query
    from .negotiation import Format
    from .runner import QueryRunner
    from .sparql import Dataset, Table, Term
    from .streaming import ResultStream


class Engine(Protocol):
    """What the HTTP layer, the CLI and the API need from a query engine.

    Each query method takes a :class:`~nkd.guards.Query` that passed
    :func:`~nkd.guards.check_query` and a :class:`~nkd.sparql.Dataset`, enforces
    ``settings.query_timeout_s`` and ``max_result_bytes``, and raises only
    :class:`~nkd.errors.NkdError` subclasses.
    """

    settings: Settings

    def serialize_stream(self, query: Query, fmt: Format, dataset: Dataset = ...) -> bytes | ResultStream:
        """The result in ``fmt``: whole as bytes if small, else a stream that goes on filling
        while the caller sends what has come (``/sparql`` sends it as it comes)."""

    def serialize(self, query: Query, fmt: Format, dataset: Dataset = ...) -> bytes:
        """The whole result in ``fmt`` (one of :func:`~nkd.sparql.offered_formats`, not HTML)."""

    def table(self, query: Query, max_rows: int, dataset: Dataset = ...) -> Table:
        """The first ``max_rows`` rows of a SELECT, or the answer of an ASK."""

    def triples(self, query: Query, dataset: Dataset = ..., max_rows: int | None = None
                ) -> list[tuple[Term, Term, Term]]:
        """The triples of a CONSTRUCT or DESCRIBE (at most ``max_rows`` when given)."""

    def dump(self, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
        """The whole dataset in ``fmt``: quad formats keep the named graphs, triple formats
        get their union."""

    def data_version(self) -> DataVersion:
        """The version of the data answered from, as served with these settings (for ETags)."""

    def close(self) -> None:
        """Stop the engine's threads and connections; it answers no query after this."""


@dataclass(frozen=True)
class DataSource:
    """Where the data is: RDF ``files``, an on-disk ``store`` directory, an ``endpoint`` URL,
    or, with none of them, the shipped graph. At most one may be given."""

    files: tuple[str, ...] = ()
    store: str | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(str(path) for path in self.files))
        if sum(map(bool, (self.files, self.store, self.endpoint))) > 1:
            raise InputError("give one source of data: RDF files, a store directory or an endpoint URL, "
                             "not several", hint="Drop all but one of them.")

    def check(self, settings: Settings) -> list[str]:
        """Fail early (:class:`InputError`) on a missing file, an unknown suffix, a directory
        that holds no store or a URL that is not http(s); return warnings worth showing."""
        from .store import file_sources

        for path in self.files:
            if not os.path.isfile(path):
                raise InputError(f"{path}: no such file", path=path,
                                 hint="Check the path, or pass no files to use the shipped graph.")
        file_sources(self.files, settings.public_base)  # an unknown suffix
        if self.endpoint:
            from .upstream import check_url

            check_url(self.endpoint)
        if self.store:
            from .disk_store import check_store

            info = check_store(self.store)
            if info and info.public_base and info.public_base != settings.public_base:
                return [f"{self.store} names its graphs under {info.public_base}, but public_base "
                        f"is {settings.public_base}"]
        return []

    def version(self, settings: Settings) -> DataVersion | None:
        """The version of fixed data (files, a store), the same in every process that reads
        it; None for an endpoint, whose engine reads the store's version as it changes."""
        from .disk_store import disk_version
        from .store import file_sources, shipped_sources, sources_version

        if self.endpoint:
            return None
        if self.store:
            return disk_version(self.store)
        base = settings.public_base
        return sources_version(file_sources(self.files, base) if self.files else shipped_sources(base), base)


def open_engine(settings: Settings, source: DataSource = DataSource(), *, runner: QueryRunner | None = None,
                version: DataVersion | None = None) -> Engine:
    """Open an engine over ``source`` with ``settings``: the one composition root.

    ``runner`` runs an embedded engine's queries (default: one with the settings' threads
    and memory limit, started by the first query); ``version`` is the data's version when
    it was computed already (`nkd serve` does so once, before forking its workers).
    Raises :class:`InputError` for unusable files, stores or URLs.
    """
    if source.endpoint:
        from .remote import RemoteEngine

        return RemoteEngine(source.endpoint, settings)
    from .sparql import EmbeddedEngine

    if version is None:
        version = source.version(settings)
    return EmbeddedEngine(_open_store(settings, source), settings, runner, version=version)


def _open_store(settings: Settings, source: DataSource):  # -> pyoxigraph.Store
    from .disk_store import open_store
    from .store import memory_store, shipped_store

    if source.store:
        return open_store(source.store)
    if source.files:
        return memory_store([Path(path) for path in source.files], settings.public_base)
    return shipped_store(settings.public_base)


__all__ = ["DataSource", "Engine", "open_engine"]
