"""Results on their way out: whole when small, streamed chunk by chunk when large.

pyoxigraph serializes a result on its query thread into a :class:`_ResultSink`; the
first :data:`STREAM_BYTES` collect in memory, and a larger result goes on through a
:class:`ResultStream` that the request thread reads while the query thread fills it.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable

from .errors import NkdError, PayloadTooLarge, QueryTimeout

# A result that ends within this many bytes is sent as one body, with its length and,
# should a limit stop it, a clean error status; a larger one streams from there on.
STREAM_BYTES = 1 << 20
# The pieces a streaming result is handed over in.
CHUNK_BYTES = 256 * 1024
# How often a waiting reader looks up from the queue (deadline passed? writer stuck?).
STREAM_POLL_S = 0.1


class ResultCutOff(Exception):
    """A streaming result stopped after its status line was sent; the connection must close."""

    def __init__(self, error: NkdError) -> None:
        super().__init__(error.message)
        self.error = error


class ResultStream:
    """A result still being serialized on its query thread, read chunk by chunk.

    The query thread ``put``s chunks and ends with ``end`` or ``fail``; the request
    thread iterates. The query thread never waits for the reader: what a slow client
    has not read yet waits in memory (at most ``max_result_bytes``, as a result sent
    whole would), so ``deadline`` bounds the query's own work and not the client's
    reading. A limit passed once bytes have gone out raises :class:`ResultCutOff`
    from the iteration: the status line said 200, so the only honest signal left is
    to close the connection without the final chunk. ``close`` (WSGI servers call it
    when the client goes away) stops the query thread at its next write.
    """

    def __init__(self, deadline: float, on_stuck: Callable[[], None]) -> None:
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._deadline = deadline
        self._on_stuck = on_stuck
        self._error: NkdError | None = None
        self._cancelled = False
        self.producer_done = threading.Event()

    # -- the query thread's side

    def put(self, chunk: bytes) -> None:
        """Queue a chunk; past the deadline, or once the reader is gone, stop the query instead."""
        if self._cancelled:
            raise _Abandoned()
        if time.monotonic() > self._deadline:
            raise QueryTimeout("the query ran past the time limit while its result was being sent")
        self._chunks.put(chunk)

    def end(self) -> None:
        """The result is complete."""
        self._chunks.put(None)

    def fail(self, error: NkdError) -> None:
        """Stop the stream with ``error`` (callable from any thread; never blocks)."""
        if self._error is None:
            self._error = error

    # -- the request thread's side

    def __iter__(self) -> "ResultStream":
        return self

    def __next__(self) -> bytes:
        while True:
            if self._error is not None:
                raise ResultCutOff(self._error)
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    self._time_out()
                    continue
                try:
                    chunk = self._chunks.get(timeout=min(remaining, STREAM_POLL_S))
                except queue.Empty:
                    continue
            if chunk is None:
                raise StopIteration
            return chunk

    def _time_out(self) -> None:
        # Nothing to read and the time is up. A writer that is running notices the
        # deadline at its next write and fails the stream; one that never writes
        # again is stuck inside pyoxigraph.
        if self.producer_done.wait(2 * STREAM_POLL_S):
            if self._error is None and self._chunks.empty():  # a writer always ends or fails first;
                self.fail(NkdError("the query stopped before its result was complete"))  # no busy loop
            return  # ended or failed meanwhile: the caller reads which
        if self._error is None:
            self._on_stuck()
            self.fail(QueryTimeout("the query ran past the time limit while its result was being sent"))
        raise ResultCutOff(self._error)  # type: ignore[arg-type]

    def read_all(self) -> bytes:
        """Every remaining byte (:class:`ResultCutOff` if the stream fails)."""
        return b"".join(self)

    def close(self) -> None:
        """The reader is gone: make the query thread stop at its next write."""
        self._cancelled = True


class _Abandoned(Exception):
    """Raised into pyoxigraph's serializer when nobody reads the stream any more."""


def result_too_large(limit: int) -> PayloadTooLarge:
    """The error for a result past ``max_result_bytes`` (``limit``), from any engine."""
    return PayloadTooLarge(f"the result is larger than {limit:,} bytes",
                           hint="Add LIMIT, select fewer variables, or download a dump from /-/dumps.")


class _ResultSink:
    """Where pyoxigraph serializes a result (it writes ~8 KB pieces).

    The first :data:`STREAM_BYTES` collect in memory. Past them, ``start_stream`` (if
    given) opens a :class:`ResultStream` and the bytes go through it in
    :data:`CHUNK_BYTES` chunks. Past ``limit`` bytes in all the sink refuses them
    (:class:`PayloadTooLarge`).
    """

    def __init__(self, limit: int, start_stream: Callable[[], ResultStream] | None = None) -> None:
        self.buffer = bytearray()
        self.size = 0
        self.limit = limit
        self.stream: ResultStream | None = None
        self._start_stream = start_stream

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise result_too_large(self.limit)
        self.buffer += data
        if self.stream is None:
            if self._start_stream is not None and len(self.buffer) > STREAM_BYTES:
                self.stream = self._start_stream()
                self._pass_on()
        elif len(self.buffer) >= CHUNK_BYTES:
            self._pass_on()
        return len(data)

    def _pass_on(self) -> None:
        chunk = bytes(self.buffer)
        self.buffer.clear()
        self.stream.put(chunk)  # type: ignore[union-attr]

    def flush(self) -> None:
        pass


__all__ = ["CHUNK_BYTES", "STREAM_BYTES", "ResultCutOff", "ResultStream", "result_too_large"]
