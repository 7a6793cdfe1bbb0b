"""How every response leaves the server: security headers, and gzip when the client asks.

One WSGI middleware wraps the whole application — the Flask app and the SPARQL fast
path in front of it — so that every answer, a page, an RDF document, a query result
or an error, gets the same treatment without any view knowing. It imports no Flask:
it sees the status line, the headers and the body, nothing else.

Compression follows what HTTP caches expect of it (RFC 9110 §8.4, §8.8.3):

- only when the request's ``Accept-Encoding`` takes gzip, and only for textual media
  types (HTML, RDF, SPARQL results, JSON, CSS, JavaScript…);
- never twice: a response that already has a ``Content-Encoding`` (the dumps are
  stored compressed) goes out as it is;
- small bodies go out as they are (gzip's header and trailer would eat the saving);
- ``Vary: Accept-Encoding`` on every response whose encoding depends on the request;
- a compressed response's strong ``ETag`` becomes weak (``W/"…"``): the gzip bytes
  are not the identity bytes, but a weak comparison still revalidates either coding;
- a streamed body (no ``Content-Length``) stays streamed: each piece is compressed and
  flushed as it comes, so the client gets the first rows as soon as without gzip, and a
  stream that is cut off still ends without its final chunk.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from werkzeug.http import parse_accept_header

from ..negotiation import FORMATS, PLAIN_JSON

# Only this site: scripts, styles, fonts, fetches and forms. Images may also be data:
# URIs, which the result viewer's stylesheet uses for its icons (they are part of the
# stylesheet, not a request anywhere). No inline script or style: the pages keep theirs
# in static files. No one may frame the pages (clickjacking).
CSP_DIRECTIVES: tuple[str, ...] = (
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def content_security_policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The site's policy; ``style_hashes`` (``sha256-…``) let those exact inline styles in too."""
    directives = CSP_DIRECTIVES
    if style_hashes:
        directives += ("style-src 'self' " + " ".join(f"'{h}'" for h in style_hashes),)
    return "; ".join(directives)


CONTENT_SECURITY_POLICY = content_security_policy()

# Sent on every response unless the view set its own value.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Following a link to another site tells it nothing of what was being read here.
    ("Referrer-Policy", "no-referrer"),
)

# Media types worth compressing: text, every format of the format table (all textual), and
# the static files' scripts and images that are text.
COMPRESSIBLE_TYPES = frozenset({fmt.media_type for fmt in (*FORMATS, PLAIN_JSON)}) | {
    "application/javascript", "application/xml", "image/svg+xml"}
MIN_BYTES = 1024  # below this gzip saves a few hundred bytes at most, often none
WHOLE_MAX_BYTES = 1 << 20  # a body of known length up to this is compressed at once, with a Content-Length
WHOLE_LEVEL = 6  # zlib's default: pages and documents, compressed once
STREAM_LEVEL = 1  # large streamed results: the fastest level keeps up with the query's serializer
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around the deflate stream

StartResponse = Callable[..., Callable[[bytes], Any]]


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True if an ``Accept-Encoding`` value takes gzip (by name or ``*``, with q > 0)."""
    if not accept_encoding or ("gzip" not in accept_encoding and "*" not in accept_encoding):
        return False
    return _accepts_gzip(accept_encoding)


@lru_cache(maxsize=64)
def _accepts_gzip(accept_encoding: str) -> bool:
    # Clients send a handful of distinct values; parsing one costs more than the rest of the filter.
    return parse_accept_header(accept_encoding)["gzip"] > 0


def is_compressible(content_type: str | None) -> bool:
    """True for textual media types (``text/*``, JSON, XML and RDF syntaxes)."""
    if not content_type:
        return False
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return (mimetype.startswith("text/") or mimetype in COMPRESSIBLE_TYPES
            or mimetype.endswith(("+json", "+xml")))


def weak_etag(etag: str) -> str:
    """``W/"x"`` for ``"x"``; a weak tag stays as it is."""
    return etag if etag.startswith("W/") else "W/" + etag


class Delivery:
    """WSGI middleware: security headers on every response, gzip for clients that take it."""

    def __init__(self, wsgi_app: Any, min_bytes: int = MIN_BYTES) -> None:
        self.wsgi_app = wsgi_app
        self.min_bytes = min_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started: list[Any] = []
        written: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            # Headers are held back until the body is known; what a legacy app writes
            # through write() goes out first, in order.
            started[:] = [status, headers, exc_info]
            return written.append

        body = self.wsgi_app(environ, capture)
        if not started:  # an app that calls start_response on its first iteration
            body = _started(body)
        status, headers, exc_info = started
        gzip = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        headers, compress, length = self._headers(status, headers, gzip)
        if written:
            body = _Prepended(written, body)
        if compress and environ.get("REQUEST_METHOD") != "HEAD":
            if length is not None and length <= WHOLE_MAX_BYTES:
                data = _compress_whole(body)
                headers.append(("Content-Length", str(len(data))))
                start_response(status, headers, exc_info)
                return [data]
            start_response(status, headers, exc_info)
            return _Compressed(body)
        start_response(status, headers, exc_info)
        return body

    def _headers(self, status: str, headers: list[tuple[str, str]], gzip: bool
                 ) -> tuple[list[tuple[str, str]], bool, int | None]:
        """The headers to send, whether to compress the body, and its identity length."""
        content_type = encoding = length = etag_at = vary_at = None
        names = set()
        for i, (name, value) in enumerate(headers):
            lower = name.lower()
            names.add(lower)
            if lower == "content-type":
                content_type = value
            elif lower == "content-encoding":
                encoding = value
            elif lower == "content-length":
                length = value
            elif lower == "etag":
                etag_at = i
            elif lower == "vary" and vary_at is None:
                vary_at = i
        out = list(headers)
        out += [header for header in SECURITY_HEADERS if header[0].lower() not in names]
        code = status[:3]
        if code == "304":
            # No body and no Content-Type: the 200 it stands for may have been compressed,
            # so its tag is made weak the same way (weak comparison matches either), and it
            # repeats the 200's Vary (RFC 9110 §15.4.5), which names Accept-Encoding.
            if gzip and etag_at is not None:
                out[etag_at] = ("ETag", weak_etag(out[etag_at][1]))
            _vary_on_encoding(out, vary_at)
            return out, False, None
        size = int(length) if length is not None and length.isdigit() else None
        if encoding is not None or code[0] == "1" or code == "204" or not is_compressible(content_type):
            return out, False, size
        # The coding depends on the request's Accept-Encoding, compressed or not, and
        # whatever the size: a 304, which has no body, must say the same as its 200.
        _vary_on_encoding(out, vary_at)
        if not gzip or (size is not None and size < self.min_bytes):
            return out, False, size
        out = [(n, v) for n, v in out if n.lower() != "content-length"]
        out.append(("Content-Encoding", "gzip"))
        if etag_at is not None:
            out = [("ETag", weak_etag(v)) if n.lower() == "etag" else (n, v) for n, v in out]
        return out, True, size


def _vary_on_encoding(headers: list[tuple[str, str]], vary_at: int | None) -> None:
    """Add Accept-Encoding to the Vary header at ``vary_at`` (or a new one), in place."""
    if vary_at is None:
        headers.append(("Vary", "Accept-Encoding"))
    elif "accept-encoding" not in headers[vary_at][1].lower() and headers[vary_at][1].strip() != "*":
        headers[vary_at] = ("Vary", headers[vary_at][1] + ", Accept-Encoding")


def _started(body: Iterable[bytes]) -> Iterable[bytes]:
    """Run a lazy app up to its first piece, which is when it calls start_response."""
    iterator = iter(body)
    try:
        first = next(iterator)
    except StopIteration:
        return _Prepended([], body)
    return _Prepended([first], body, iterator)


def _compress_whole(body: Iterable[bytes]) -> bytes:
    compressor = zlib.compressobj(WHOLE_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    try:
        data = b"".join(compressor.compress(piece) for piece in body)
    finally:
        _close(body)
    return data + compressor.flush()


def _close(body: Iterable[bytes]) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


class _Prepended:
    """Some pieces, then the rest of a body; closing it closes the body (PEP 3333)."""

    def __init__(self, first: list[bytes], body: Iterable[bytes], iterator: Iterator[bytes] | None = None) -> None:
        self.first, self.body, self.iterator = first, body, iterator

    def __iter__(self) -> Iterator[bytes]:
        yield from self.first
        yield from self.iterator if self.iterator is not None else self.body

    def close(self) -> None:
        _close(self.body)


class _Compressed:
    """A streamed body, gzip-compressed piece by piece, each flushed as it comes.

    An exception from the body (a result cut off mid-stream) passes through before
    the gzip trailer, so the client sees a truncated stream and not a complete one.
    """

    def __init__(self, body: Iterable[bytes]) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        compressor = zlib.compressobj(STREAM_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        for piece in self.body:
            if piece:
                yield compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
        yield compressor.flush()

    def close(self) -> None:
        _close(self.body)
