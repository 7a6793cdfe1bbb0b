"""Conditional requests in the HTTP layer: validators on every cacheable answer, and 304s.

Views that build an answer at some cost (entity documents, VoID, the ontology, dumps)
check :func:`fresh` first and answer 304 without building it; every other GET answer
of 200 gets its validators, and its 304, here after the view ran. Errors carry
``Cache-Control: no-store`` (:mod:`nkd.web.errors`), and so does anything else that
is not a 200 to a GET or HEAD. The rules themselves live in :mod:`nkd.http_cache`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from flask import Flask, Response, request

from ..http_cache import NO_STORE, Validators, not_modified_headers, validators
from . import get_state

CACHEABLE_METHODS = ("GET", "HEAD")


def validators_for(media_type: str) -> Validators | None:
    """The validators of this request's answer in ``media_type`` (None: caching is off)."""
    if request.method not in CACHEABLE_METHODS:
        return None
    state = get_state()
    return validators(state.data_version(), state.settings, request.path, request.query_string, media_type)


def query_validators(state: Any, method: str, query_string: str, media_type: str) -> Validators | None:
    """The validators of a query's result on /sparql: for GET and HEAD only, never for POST."""
    if method not in CACHEABLE_METHODS:
        return None
    return validators(state.data_version(), state.settings, "/sparql", query_string, media_type)


def fresh(found: Validators | None) -> bool:
    """True when the client's copy of this answer is current (send 304)."""
    return found is not None and found.fresh(request.headers.get("If-None-Match"),
                                             request.headers.get("If-Modified-Since"))


def not_modified(found: Validators, headers: Iterable[tuple[str, str]] = ()) -> Response:
    """A 304 with the validators and the headers a 304 repeats from its 200."""
    return Response(status=304, headers=not_modified_headers(found, headers))


def conditional(found: Validators | None, headers: list[tuple[str, str]],
                build: Callable[[], Response]) -> Response:
    """304 when the client's copy is current; otherwise ``build()`` with the validators added."""
    if fresh(found):
        return not_modified(found, headers)  # type: ignore[arg-type]
    response = build()
    for name, value in headers:
        response.headers[name] = value
    apply(response, found)
    return response


def apply(response: Response, found: Validators | None) -> None:
    """Put the validators (or ``no-store``, when caching is off) on a response."""
    if found is None:
        response.headers["Cache-Control"] = NO_STORE
        return
    for name, value in found.headers():
        response.headers[name] = value


def register(app: Flask) -> None:
    """Give every answer its caching headers."""

    @app.after_request
    def cache_answers(response: Response) -> Response:
        if "Cache-Control" in response.headers:  # the view decided (errors, /healthz, dumps…)
            return response
        if request.method not in CACHEABLE_METHODS or response.status_code != 200:
            if response.status_code >= 400:
                response.headers["Cache-Control"] = NO_STORE
            return response
        found = validators_for(response.mimetype or "")
        apply(response, found)
        if fresh(found):
            return not_modified(found, response.headers.items())  # type: ignore[arg-type]
        return response


__all__ = ["apply", "conditional", "fresh", "not_modified", "query_validators", "register", "validators_for"]
