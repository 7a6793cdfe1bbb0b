"""Typed errors of the nkd core.

The core raises these; the HTTP layer turns them into a status code and one error
shape, the CLI into a message and an exit code. Each error says what went wrong
(``message``) and how to fix the request (``hint``). Nothing here imports Flask.
"""

from __future__ import annotations

from typing import Any


class NkdError(Exception):
    """Base of every error nkd reports to a user."""

    status = 500
    title = "Internal error"
    hint = "This is a bug in nkd; please report it with the request that caused it."

    def __init__(self, message: str, *, hint: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The error in the one shape every response uses."""
        body: dict[str, Any] = {
            "ok": False,
            "status": self.status,
            "title": self.title,
            "error": self.message,
            "hint": self.hint,
        }
        body.update({k: v for k, v in self.details.items() if v is not None})
        return body


class SettingError(NkdError):
    """A setting has a value that cannot be used."""

    status = 500
    title = "Bad setting"
    hint = "Fix the flag or NKD_ environment variable named in the message; `nkd serve --help` lists them."


class BadRequest(NkdError):
    """The request is malformed."""

    status = 400
    title = "Bad request"
    hint = "See the SPARQL 1.1 Protocol: send the query as `query=` (GET or form POST) or as an application/sparql-query body."


class QuerySyntaxError(BadRequest):
    """The query text is not SPARQL 1.1; ``line`` and ``column`` locate the problem."""

    title = "Query syntax error"
    hint = "Correct the query at the line and column given; the query page at /sparql shows it in place."

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 excerpt: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, line=line, column=column, excerpt=excerpt)
        self.line = line
        self.column = column
        self.excerpt = excerpt


class QueryTooComplex(BadRequest):
    """A construct of the query (nesting, a chain, a path, a join) is past its setting's limit."""

    title = "Query too complex"

    def __init__(self, message: str, *, setting: str, limit: int, line: int | None = None,
                 column: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, line=line, column=column, setting=setting, limit=limit)
        self.setting = setting
        self.limit = limit
        self.line = line
        self.column = column


class UnsupportedFunction(BadRequest):
    """The query calls a function the engine does not implement (``fn:upper-case``, ``bif:contains``…)."""

    title = "Function not supported"

    def __init__(self, message: str, *, function: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, function=function)
        self.function = function


class QueryFailed(BadRequest):
    """The engine could not evaluate the query, for a reason the query holds."""

    title = "Query could not be evaluated"
    hint = "Check the query against the SPARQL 1.1 specification; the message says what the engine refused."


class QueryRefused(NkdError):
    """The query asks for something this read-only, offline endpoint never does."""

    status = 403
    title = "Not allowed here"
    hint = "This endpoint is read-only and opens no network connections; query the data it holds."


class NotFound(NkdError):
    """No such resource."""

    status = 404
    title = "Not found"
    hint = "Check the address; the landing page / links to everything this server publishes."


class MethodNotAllowed(NkdError):
    """The HTTP method is not supported here."""

    status = 405
    title = "Method not allowed"

    def __init__(self, message: str, *, allowed: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint or f"Use one of: {', '.join(allowed)}.", allowed=allowed)
        self.allowed = allowed


class NotAcceptable(NkdError):
    """Nothing offered satisfies the client's Accept header."""

    status = 406
    title = "Not acceptable"

    def __init__(self, message: str, *, offered: list[str], hint: str | None = None) -> None:
        super().__init__(
            message,
            hint=hint or "Send an Accept header naming one of the offered media types, or add ?format=NAME.",
            offered=offered,
        )
        self.offered = offered


class PayloadTooLarge(NkdError):
    """The query, the request body or the result is larger than a configured limit."""

    status = 413
    title = "Too large"


class UnsupportedMediaType(NkdError):
    """The request body has a content type this endpoint does not read."""

    status = 415
    title = "Unsupported media type"


class QueryTimeout(NkdError):
    """The query ran past ``query_timeout_s``."""

    status = 503
    title = "Query timed out"
    hint = ("Make the query cheaper: add LIMIT, bind constants early, avoid cartesian products; "
            "or run it against your own copy of the data (see /-/dumps).")


class QueryTooExpensive(NkdError):
    """The queries running in a worker made it grow past ``max_query_memory_mb``."""

    status = 503
    title = "Query needs too much memory"
    hint = ("Make the query cheaper: avoid sorting or grouping cartesian products, add LIMIT, "
            "or run it against your own copy of the data (see /-/dumps).")


class Unavailable(NkdError):
    """The server cannot answer right now (e.g. the store is still loading)."""

    status = 503
    title = "Unavailable"
    hint = "Try again in a few seconds."


class UpstreamError(NkdError):
    """The external SPARQL store behind this server could not be reached, or its answer not read."""

    status = 502
    title = "Store unreachable"
    hint = "The store behind this server did not answer; try again shortly."


class UpstreamTimeout(UpstreamError):
    """The external SPARQL store did not answer in time (nkd's limit or the store's own)."""

    status = 504
    title = "Store timed out"
    hint = ("Make the query cheaper: add LIMIT, bind constants early, avoid cartesian products; "
            "or run it against your own copy of the data (see /-/dumps).")


class StoreRefused(BadRequest):
    """The external store refused the query itself: its parser, or a function it lacks."""

    title = "Refused by the store"
    hint = ("The query passed this server's checks but not the store's: rewrite the part the "
            "store's message names.")


class StoreFailed(NkdError):
    """The external store answered with an error of its own while running a valid query."""

    status = 500
    title = "Store error"
    hint = ("The store behind this server failed on this request; the message is the store's. "
            "Rewriting the query may avoid the failure; sending it again will not.")


class StoreBusy(NkdError):
    """The external store said it cannot answer now (HTTP 503)."""

    status = 503
    title = "Store busy"
    hint = "Try again in a few seconds."


class ResultCapped(PayloadTooLarge):
    """The external store cut the result at its row limit: sending it would pass off a part as the whole."""

    title = "Result capped by the store"


class InputError(NkdError):
    """An input file could not be read or parsed (the CLI's exit code 2)."""

    status = 400
    title = "Unreadable input"
    hint = "Fix the file at the line given, or pass a different file."

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, path=path, line=line, column=column)
        self.path = path
        self.line = line
        self.column = column

    @classmethod
    def for_file(cls, path: object, exc: BaseException, *, hint: str | None = None) -> "InputError":
        """The one error for an input file that cannot be read: the file, why, and what to do.

        A parser's ``SyntaxError`` gives the line and column (``file:line:column: message``);
        a missing file, a directory, a file that cannot be opened and a text that is not
        UTF-8 each say so. ``hint`` replaces the usual advice where the caller knows better.
        """
        name = str(path)
        if isinstance(exc, SyntaxError):
            line, column = getattr(exc, "lineno", None), getattr(exc, "offset", None)
            where = f"{name}:{line}" + (f":{column}" if column else "") if line else name
            return cls(f"{where}: {exc.msg if getattr(exc, 'msg', None) else exc}", path=name, line=line,
                       column=column, hint=hint)
        if isinstance(exc, UnicodeDecodeError):
            return cls(f"{name}: not UTF-8 text", path=name, hint=hint or "Save the file as UTF-8.")
        if isinstance(exc, FileNotFoundError):
            return cls(f"{name}: no such file", path=name,
                       hint=hint or "Check the path; run from the directory the paths are relative to.")
        if isinstance(exc, IsADirectoryError):
            return cls(f"{name} is a directory, not a file", path=name,
                       hint=hint or "Pass the files themselves, e.g. DIR/*.ttl.")
        reason = getattr(exc, "strerror", None) or exc
        return cls(f"{name}: {reason}", path=name, hint=hint or "Check that the file exists and is readable.")


class QuoteNotFound(NkdError):
    """Words that do not occur in a source's text (the CLI's exit code 1, like grep's).

    ``passages`` holds the nearest passages of the text, so the message can show them.
    """

    status = 404
    title = "Quote not found"
    hint = "Copy the words verbatim from the text (curly quotes, no-break spaces and all)."

    def __init__(self, message: str, *, passages: list | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.passages = list(passages or [])
