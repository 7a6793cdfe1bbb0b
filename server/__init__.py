"""nkd: an open knowledge graph of North Korean defection.

From Python::

    import nkd
    with nkd.open() as kg:                  # or nkd.open("my.ttl"), store=DIR, endpoint=URL
        for row in kg.query("SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5"):
            print(row["s"])

:func:`open` returns a :class:`KnowledgeGraph` (:mod:`nkd.knowledge_graph`), whose
``query`` returns a :class:`Result` (:mod:`nkd.results`). The errors it raises are
exported here: :class:`NkdError` and its kinds.

The core (settings, store loading, query guards and execution, content negotiation,
validation, resource description) imports no Flask and raises the typed errors of
:mod:`nkd.errors`; :mod:`nkd.web` and :mod:`nkd.cli` translate them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (BadRequest, InputError, MethodNotAllowed, NkdError, NotAcceptable, NotFound,
                     PayloadTooLarge, QueryFailed, QueryRefused, QuerySyntaxError, QueryTimeout,
                     QueryTooComplex, QueryTooExpensive, ResultCapped, SettingError, StoreBusy,
                     StoreFailed, StoreRefused, Unavailable, UnsupportedFunction, UnsupportedMediaType,
                     UpstreamError, UpstreamTimeout)

if TYPE_CHECKING:
    from .knowledge_graph import KnowledgeGraph, open
    from .results import Result, Row
    from .sparql import Term

__version__ = "0.1.0"

# The API is imported on first use, so that `nkd` commands (and `import nkd.errors`)
# do not pay for it.
_API = {"open": "knowledge_graph", "KnowledgeGraph": "knowledge_graph", "Result": "results",
        "Row": "results", "Term": "sparql"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from importlib import import_module

        value = getattr(import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = [
    "KnowledgeGraph", "Result", "Row", "Term", "open",
    "BadRequest", "InputError", "MethodNotAllowed", "NkdError", "NotAcceptable", "NotFound", "PayloadTooLarge",
    "QueryFailed", "QueryRefused", "QuerySyntaxError", "QueryTimeout", "QueryTooComplex", "QueryTooExpensive",
    "ResultCapped", "SettingError", "StoreBusy", "StoreFailed", "StoreRefused", "Unavailable",
    "UnsupportedFunction", "UnsupportedMediaType", "UpstreamError", "UpstreamTimeout",
]
