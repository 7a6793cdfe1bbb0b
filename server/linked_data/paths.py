"""Where the IRIs of the graph live on this server, and the one way to link to an IRI.

The server maps its own paths onto ``public_base``: ``/id/event/x`` answers for
``{public_base}id/event/x`` whatever host it runs on. So a page links an IRI under
``public_base`` to its path here (:func:`link`), and any other IRI to itself.
"""

from __future__ import annotations

from typing import Iterable


def split_suffix(path: str, extensions: Iterable[str]) -> tuple[str, str | None]:
    """Split a request path into the resource path and a format suffix it ends with, if any."""
    head, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in set(extensions):
        return head, ext
    return path, None


def iri_for_path(base: str, path: str) -> str:
    """The IRI a request path on this server stands for: ``/id/event/x`` → ``{base}id/event/x``."""
    return base + path.lstrip("/")


def local_path(base: str, iri: str) -> str | None:
    """The path of an IRI on this server, or None for an IRI outside ``public_base``."""
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return None


def link(base: str, iri: str) -> str:
    """Where a page links an IRI: its path on this server when it is under ``base``, else the IRI."""
    return local_path(base, iri) or iri
