"""Results of an external store on their way through nkd: as bytes that flow, never whole.

A store's answer is read in pieces and handed on as it comes (:func:`hand_on`): the
first MiB (64 KiB of an answer the store is still writing) is kept back, so that a
small result goes out whole with a ``Content-Length`` and a limit it hits gets a proper
status, and past it the pieces stream (:class:`RemoteStream`). When the store gives the format the client wants, its
bytes pass through, with the fixes a store needs (:func:`virtuoso_labels`) and a check
that the document ended (:func:`check_complete`); otherwise a thread parses the store's
format and serializes the client's with pyoxigraph (:class:`Pipe` carries the bytes).
Either way the size limit is checked as the bytes flow.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from urllib3.exceptions import HTTPError

from .errors import NkdError, UpstreamError, UpstreamTimeout
from .negotiation import CSV, JSON, NTRIPLES, RDFXML, TURTLE, XML, Format
from .sparql import STREAM_BYTES, ResultCutOff, ResultStream, result_too_large
from .upstream import connection_error, header

# The pieces a conversion thread hands over, and how many may wait for a slow client
# before it stops reading the store (TCP then holds the store back): memory stays a
# few MiB whatever the result's size.
CHUNK_BYTES = 256 * 1024
PIPE_CHUNKS = 4
# What is kept back of an answer the store is still writing (chunked, as Oxigraph server
# streams): a MiB takes it tens of milliseconds, and the first byte should reach the
# client about as soon as it reaches nkd. An answer the store sent whole (with its
# length, as Virtuoso does) is in already: its first MiB is kept back, as nkd's own are.
STREAMING_HEAD_BYTES = 64 * 1024
# How much of a store's answer is read at a time.
READ_CHUNK_BYTES = 64 * 1024


# --------------------------------------------------------------------------- reading the store's answer


@dataclass
class Upstream:
    """A store's answer being read: its media type, its headers and its body in chunks."""

    response: Any
    media_type: str
    timeout_s: float
    waited_s: float = 0.0
    done: bool = False

    def chunks(self) -> Iterator[bytes]:
        """The body as it comes; :class:`UpstreamTimeout` once the store has made us wait too long.

        Only time spent waiting for the store counts: a slow client holds the store back
        (TCP does), and that is not the store's work.
        """
        try:
            while True:
                started = time.monotonic()
                chunk = self.response.read(READ_CHUNK_BYTES)
                self.waited_s += time.monotonic() - started
                if not chunk:
                    self.done = True
                    return
                if self.waited_s > self.timeout_s:
                    raise UpstreamTimeout(f"the store did not finish its answer within the "
                                          f"{self.timeout_s:g} s limit")
                yield chunk
        except HTTPError as exc:
            raise connection_error(exc, "behind this server") from None

    @property
    def head_bytes(self) -> int:
        """How much of this answer to keep back before streaming it (see :func:`hand_on`)."""
        sent_whole = header(self.response.headers, "Content-Length") is not None
        return STREAM_BYTES if sent_whole else STREAMING_HEAD_BYTES

    def close(self) -> None:
        """Let go of the connection: back to the pool when the body was read, closed otherwise."""
        if not self.done:
            self.response.close()  # unread bytes must not reach the next request on it
        self.response.release_conn()


# --------------------------------------------------------------------------- passing bytes through


def capped(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """The chunks, until more than ``limit`` bytes have gone by (then :class:`PayloadTooLarge`)."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise result_too_large(limit)
        yield chunk


# Virtuoso labels blank nodes `nodeID://b10495` in SPARQL JSON, XML and CSV results: legal
# there, but not a blank node label that pyoxigraph (or Turtle, or SPARQL CSV, where blank
# nodes are written `_:label`) accepts. The label without the scheme is. Its JSON also
# types literals "typed-literal", the 2008 Note's word, where SPARQL 1.1 says "literal".
# Virtuoso 7 writes these the same way every time, so JSON and XML are fixed by plain byte
# replacement (four times faster than a pattern: a 100,000-row result is 20 MB); CSV needs
# its fields matched whole.
_VIRTUOSO_FIXES: dict[Format, tuple[tuple[bytes | re.Pattern[bytes], bytes], ...]] = {
    JSON: ((b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "'),
           (b'"type": "typed-literal"', b'"type": "literal"')),
    XML: ((b"<bnode>nodeID://", b"<bnode>"),),
    CSV: ((re.compile(rb'(^|,)"nodeID://([^",\r\n]*)"(?=,|\r?$)', re.MULTILINE), rb"\1_:\2"),),
}


def virtuoso_labels(chunks: Iterator[bytes], fmt: Format) -> Iterator[bytes]:
    """Virtuoso's results in standard words: plain blank node labels, SPARQL 1.1 JSON terms.

    Rewritten a line at a time (Virtuoso writes a binding or a row per line, and a label
    never spans lines), so nothing is split between two chunks.
    """
    rules = _VIRTUOSO_FIXES.get(fmt)
    if rules is None:
        yield from chunks
        return

    def fixed(text: bytes) -> bytes:
        for pattern, replacement in rules:
            if isinstance(pattern, bytes):
                text = text.replace(pattern, replacement)
            elif b"nodeID://" in text:  # a pattern costs more than looking first
                text = pattern.sub(replacement, text)
        return text

    pending = b""
    for chunk in chunks:
        pending += chunk
        cut = pending.rfind(b"\n") + 1
        if cut:
            yield fixed(pending[:cut])
            pending = pending[cut:]
    if pending:
        yield fixed(pending)


# How each format's documents end, once trailing white space is dropped: a store that
# stops mid-document but closes its response cleanly must not pass for a complete answer.
_ENDINGS: dict[Format, tuple[bytes, ...]] = {
    JSON: (b"}",), XML: (b"</sparql>",), NTRIPLES: (b".",), TURTLE: (b".",),
    RDFXML: (b"</rdf:RDF>", b"/>"),
}


def check_complete(chunks: Iterator[bytes], fmt: Format, media_type: str) -> Iterator[bytes]:
    """The chunks; at their end, :class:`UpstreamError` if the document visibly stops short."""
    endings = _ENDINGS.get(fmt)
    tail = b""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        tail = (tail + chunk)[-64:]
        yield chunk
    stripped = tail.rstrip()
    last_line = stripped.rsplit(b"\n", 1)[-1]
    if endings and total and stripped and not stripped.endswith(endings) and not last_line.startswith(b"#"):
        raise UpstreamError(f"the store's {media_type} answer ends mid-document: it was cut short")


def at_most_lines(chunks: Iterator[bytes], cap: int, error: Callable[[], NkdError]) -> Iterator[bytes]:
    """The chunks of an N-Triples answer (a triple a line); ``error()`` once ``cap`` lines have come.

    A store that caps a CONSTRUCT's triples (Virtuoso) does not say so: a result that
    reaches the cap is taken to be cut there.
    """
    lines = 0
    for chunk in chunks:
        lines += chunk.count(b"\n")
        if lines >= cap:
            raise error()
        yield chunk


# --------------------------------------------------------------------------- handing on


class RemoteStream(ResultStream):
    """The rest of a store's result, read as the client reads it.

    A :class:`~nkd.sparql.ResultStream` to the HTTP layer (which streams those), but
    with no queue: each piece is read from the store (or a conversion thread) when
    the client asks for the next. A failure past the status line ends the stream with
    :class:`~nkd.sparql.ResultCutOff`: the connection is closed without the final
    chunk, so the client sees an incomplete response, never a well-formed truncated one.
    """

    def __init__(self, head: bytes, rest: Iterator[bytes], on_close: Callable[[], None]) -> None:
        # ResultStream's queue is for a query thread that runs ahead of its reader; here
        # the reader drives, so none of its state is needed.
        self._head = head
        self._rest = rest
        self._on_close = on_close
        self._closed = False
        self.producer_done = threading.Event()

    def __next__(self) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        try:
            return next(self._rest)
        except StopIteration:
            self.close()
            raise
        except NkdError as error:
            self.close()
            raise ResultCutOff(error) from None

    def read_all(self) -> bytes:
        """Every remaining byte (:class:`ResultCutOff` if the stream fails)."""
        return b"".join(self)

    def close(self) -> None:
        """Stop reading the store and let go of its connection."""
        if not self._closed:
            self._closed = True
            self._on_close()
            self.producer_done.set()


def hand_on(chunks: Iterator[bytes], on_close: Callable[[], None], head_bytes: int = STREAM_BYTES
            ) -> bytes | RemoteStream:
    """A result that ends within ``head_bytes`` as bytes; a larger one as a stream.

    Any error before that point is raised here, so the client gets its status.
    """
    head = bytearray()
    try:
        for chunk in chunks:
            head += chunk
            if len(head) > head_bytes:
                return RemoteStream(bytes(head), chunks, on_close)
    except BaseException:
        on_close()
        raise
    on_close()
    return bytes(head)


# --------------------------------------------------------------------------- converting


class Pipe:
    """Bytes from a conversion thread (a file pyoxigraph writes to) to the request thread.

    Bounded: the writer waits while :data:`PIPE_CHUNKS` pieces are unread, and gives up
    once the reader has gone (:meth:`close`). The writer ends with :meth:`finish` or
    :meth:`fail`; the reader iterates and gets the writer's error raised.
    """

    def __init__(self, limit: int) -> None:
        self._queue: queue.Queue[bytes | NkdError | None] = queue.Queue(maxsize=PIPE_CHUNKS)
        self._buffer = bytearray()
        self._size = 0
        self._limit = limit
        self._closed = threading.Event()

    # -- the writer's side (pyoxigraph's serializers call write and flush)

    def write(self, data: bytes) -> int:
        """Take bytes; hand them on in :data:`CHUNK_BYTES` pieces; refuse past the size limit."""
        self._size += len(data)
        if self._size > self._limit:
            raise result_too_large(self._limit)
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._put(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Nothing to do: pieces go when they are full, or at the end."""

    def finish(self) -> None:
        """The result is complete."""
        if self._buffer:
            self._put(bytes(self._buffer))
            self._buffer.clear()
        self._put(None)

    def fail(self, error: NkdError) -> None:
        """End the result with ``error`` for the reader."""
        try:
            self._put(error)
        except _ReaderGone:
            pass

    def _put(self, item: bytes | NkdError | None) -> None:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _ReaderGone()

    # -- the reader's side

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                item = self._queue.get(timeout=3600)
            except queue.Empty:  # a writer always finishes or fails; this is a backstop
                raise UpstreamTimeout("the conversion of the store's answer stalled") from None
            if item is None:
                return
            if isinstance(item, NkdError):
                raise item
            yield item

    def close(self) -> None:
        """The reader is gone: the writer stops at its next piece."""
        self._closed.set()


class _ReaderGone(Exception):
    """Raised into pyoxigraph's serializer when nobody reads the pipe any more."""


def convert_in_thread(pipe: Pipe, convert: Callable[[Pipe], None], failed: Callable[[Exception], NkdError]
                      ) -> threading.Thread:
    """Run ``convert(pipe)`` on a thread of its own; a failure reaches the reader as ``failed(exc)``.

    pyoxigraph objects are made and used on that one thread.
    """

    def run() -> None:
        try:
            convert(pipe)
            pipe.finish()
        except _ReaderGone:
            pass
        except NkdError as error:
            pipe.fail(error)
        except Exception as exc:  # a parser's SyntaxError, an I/O error: the store's answer is bad
            pipe.fail(failed(exc))

    thread = threading.Thread(target=run, name="nkd-convert", daemon=True)
    thread.start()
    return thread


class ChunkReader:
    """A binary file over an iterator of chunks, for pyoxigraph's parsers to read from."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left for -1); b"" at the end."""
        while size < 0 or len(self._pending) < size:
            try:
                self._pending += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            data, self._pending = self._pending, b""
        else:
            data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def readable(self) -> bool:
        """A file-like object pyoxigraph can read."""
        return True


__all__ = ["STREAMING_HEAD_BYTES", "ChunkReader", "Pipe", "RemoteStream", "at_most_lines", "capped", "check_complete",
           "convert_in_thread", "hand_on", "virtuoso_labels"]
