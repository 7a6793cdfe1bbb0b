"""Talking HTTP to an external SPARQL store: connections, credentials, and what its errors mean.

Shared by :mod:`nkd.remote` (queries) and :mod:`nkd.gsp` (`nkd push`). Every
failure becomes a typed error that says what happened, with the store's own message:
HTML error pages are reduced to their text, and Virtuoso's ``SPARQL query:`` echo is
left out. Which error is which:

- the store cannot be reached, or its answer cannot be read → :class:`UpstreamError` (502)
- the store stops the query for time, or nkd's limit passes → :class:`UpstreamTimeout` (504)
- the store refuses the query (its parser, a function it lacks) → :class:`StoreRefused` (400)
- the store fails while running a valid query → :class:`StoreFailed` (500)
- the store says it is busy → :class:`StoreBusy` (503)
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Mapping
from urllib.parse import urlsplit, urlunsplit

import urllib3
from urllib3.exceptions import (ConnectTimeoutError, MaxRetryError, NewConnectionError, ProtocolError,
                                ReadTimeoutError)

from .errors import (InputError, NkdError, PayloadTooLarge, StoreBusy, StoreFailed, StoreRefused,
                     UpstreamError, UpstreamTimeout)

log = logging.getLogger("nkd")

# How long to wait for a TCP connection (capped by the query time limit): a store that
# does not accept within this is as good as down.
CONNECT_TIMEOUT_S = 5.0
# The store's message is shown whole up to this length (Virtuoso's run to a few lines).
MESSAGE_CHARS = 1000
# Error bodies are read up to this size: a message, not a result.
ERROR_BODY_BYTES = 64 * 1024


def check_url(url: str, what: str = "--endpoint") -> str:
    """Return ``url`` if it is an absolute http(s) URL; :class:`InputError` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} {url!r} is not an http(s) URL",
                         hint=f"Pass the store's full URL, e.g. {what} http://127.0.0.1:7878/query")
    return url


def without_credentials(url: str) -> str:
    """``url`` with any user:password removed, for messages, logs and requests."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def credentials(url: str) -> tuple[str, str] | None:
    """The user and password in a URL's ``user:password@``, if any."""
    parts = urlsplit(url)
    if parts.username is None:
        return None
    return parts.username, parts.password or ""


def auth_headers(url: str) -> dict[str, str]:
    """HTTP Basic credentials from the URL's user:password, if it has them."""
    found = credentials(url)
    if found is None:
        return {}
    return urllib3.util.make_headers(basic_auth=f"{found[0]}:{found[1]}")


def make_pool(connections: int) -> urllib3.PoolManager:
    """A thread-safe connection pool that retries a request only when it provably never left.

    A connection that could not be opened (refused, or no answer to the handshake)
    carried no request, so sending once more is safe. Anything later is not retried:
    a store that drops a connection mid-query may well have run the query, and a
    second copy would run it again. Idle pooled connections the store has closed are
    dropped by urllib3 before reuse, so they never carry a request.
    """
    retries = urllib3.Retry(total=1, connect=1, read=False, status=False, other=0, redirect=False,
                            allowed_methods=None, raise_on_status=False)
    return urllib3.PoolManager(maxsize=max(1, connections), block=False, retries=retries,
                               headers={"User-Agent": "nkd"})


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3 error inside a wrapper (urllib3's MaxRetryError, requests' exceptions)."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MaxRetryError) and exc.reason is not None:
            exc = exc.reason
            continue
        inner = next((arg for arg in exc.args if isinstance(arg, BaseException)), None)
        if inner is None and exc.__context__ is not None and not isinstance(
                exc, (ReadTimeoutError, ConnectTimeoutError, ProtocolError)):
            inner = exc.__context__
        if inner is None:
            break
        exc = inner
    return exc


def connection_error(exc: BaseException, target: str) -> UpstreamError:
    """The typed error for a failure to reach or hear from the store (urllib3's or requests')."""
    reason = _root_cause(exc)
    if isinstance(reason, ReadTimeoutError) or type(reason).__name__ in ("ReadTimeout", "TimeoutError"):
        return UpstreamTimeout(f"the store {target} did not answer in time")
    if isinstance(reason, NewConnectionError):  # a subclass of ConnectTimeoutError: test it first
        return UpstreamError(f"the store {target} could not be reached (connection refused or host down)")
    if isinstance(reason, ConnectTimeoutError):
        return UpstreamError(f"the store {target} could not be reached (it did not accept a connection in time)")
    if isinstance(reason, (ProtocolError, ConnectionError)):
        return UpstreamError(f"the store {target} closed the connection without a complete answer")
    return UpstreamError(f"the store {target} could not be reached ({type(reason).__name__})")


# --------------------------------------------------------------------------- the store's messages


class _TextOfHtml(HTMLParser):
    """The text a browser would show of an HTML page, a line per block (stdlib parser).

    Error pages are small and simple; the standard library's tolerant parser reads
    them without a dependency, and only their text is wanted.
    """

    _HIDDEN = {"script", "style", "head", "title"}
    _BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "pre", "xmp", "hr",
               "table", "ul", "ol", "dt", "dd", "body"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML document, one line per block, blank lines dropped."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def store_message(body: bytes, content_type: str | None) -> str:
    """The store's own words from an error body: HTML reduced to its text, Virtuoso's query echo cut."""
    charset = "utf-8"
    match = re.search(r"charset=([\w-]+)", content_type or "", re.IGNORECASE)
    if match:
        charset = match.group(1)
    try:
        text = body.decode(charset, "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in ("text/html", "application/xhtml+xml") or text.lstrip()[:15].lower().startswith(
            ("<!doctype html", "<html")):
        text = html_text(text)
    # Virtuoso repeats the query after its message; the client has it already.
    text = re.split(r"\n\s*SPARQL query:\s*\n", text, maxsplit=1)[0].strip()
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "…"


_TIMED_OUT = re.compile(r"\bS1T00\b|\bS1TAT\b|timed out|timeout|estimated execution time", re.IGNORECASE)
_NO_FUNCTION = re.compile(
    r"Undefined procedure\s+(?:DB\.DBA\.)?(?P<virtuoso>\S+?)\.?(?:\s|$)"
    r"|(?:unknown|unsupported|undefined) function\s*:?\s*(?P<other><?[^\s,;]+>?)?", re.IGNORECASE)


def query_error(status: int, message: str) -> NkdError:
    """The typed error for a store's refusal to answer a query (HTTP ``status``, its ``message``)."""
    said = f": {message}" if message else ""
    if _TIMED_OUT.search(message) or status == 504:
        return UpstreamTimeout(f"the store stopped the query{said}")
    missing = _NO_FUNCTION.search(message)
    if missing and status in (400, 500, 501):
        name = missing.group("virtuoso") or missing.group("other") or "it calls"
        name = name if name.startswith("<") or name == "it calls" else f"<{name}>"
        return StoreRefused(f"the store behind this server does not support the function {name}{said}",
                            hint="Use the SPARQL 1.1 functions, or those the store documents.")
    if status == 400:
        return StoreRefused(f"the store refused the query{said}")
    if status in (413, 414, 431):
        return PayloadTooLarge(f"the store refused the query as too large (HTTP {status}){said}",
                               hint="Shorten the query.")
    if status == 503:
        return StoreBusy(f"the store is busy (HTTP 503){said}")
    if status in (401, 403):
        return StoreFailed(f"the store refused this server's request (HTTP {status}){said}",
                           hint="The server's operator must let it query the store (credentials "
                                "in --endpoint, or the store's permissions).")
    if status in (404, 405):
        return StoreFailed(f"the store has no SPARQL endpoint at the configured address (HTTP {status}){said}",
                           hint="The server's operator must point --endpoint at the store's query endpoint.")
    return StoreFailed(f"the store failed to answer (HTTP {status}){said}")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A response header's value, or None (urllib3's headers are case-insensitive)."""
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else None


__all__ = ["CONNECT_TIMEOUT_S", "ERROR_BODY_BYTES", "auth_headers", "check_url", "connection_error",
           "credentials", "header", "html_text", "make_pool", "query_error", "store_message",
           "without_credentials"]
