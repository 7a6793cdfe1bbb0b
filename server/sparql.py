"""Checking and running SPARQL queries, with the guards of a public, read-only endpoint.

:func:`check_query` reads a query's tokens before any parser sees it and refuses what
this endpoint never does: updates, ``SERVICE`` (pyoxigraph would open an HTTP
connection for it, with no switch to turn that off), texts longer than
``max_query_bytes`` and nesting deeper than ``max_query_depth`` (pyoxigraph's parser
overflows its stack and kills the process on a few thousand nested brackets).

:class:`EmbeddedEngine` runs checked queries on a pyoxigraph store. pyoxigraph cannot
cancel a query, so every query runs on a thread of a :class:`QueryRunner`; the caller
waits at most ``query_timeout_s`` and then gets :class:`QueryTimeout`, while the
runner reports the overrun so that the process hosting it can be replaced (see
``server/web/serve.py``). The query is parsed, evaluated and serialized on the same
thread: pyoxigraph's result objects crash the process when touched from another one.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
import time
from functools import cached_property, lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence

import pyoxigraph as ox

from .errors import (NkdError, PayloadTooLarge, QueryRefused, QuerySyntaxError, QueryTimeout,
                     QueryTooExpensive)
from .negotiation import (DATASET_FORMATS, GRAPH_FORMATS, HTML, RESULTS_FORMATS, Format)
from .settings import Settings

# --------------------------------------------------------------------------- lexing

# Terminals of the SPARQL 1.1 grammar (§19.8) that can hide other characters: strings,
# IRIs, comments and prefixed names with escapes. IRIREF is tried before the `<`
# operator and before comments, as the parser does where an IRI may stand; a `<` the
# parser reads as an operator can only make us see *more* keywords, never fewer.
_TOKEN = re.compile(
    r"""
    (?P<ws>[\ \t\r\n]+)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
             |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
             |'(?:[^'\\\n\r]|\\.)*'
             |"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\r\n]*)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<word>(?:[\w\u00B7\u00C0-\U000EFFFF:%.\-]|\\[_~.\-!$&'()*+,;=/?#@%])+)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<datatype>\^\^)
  | (?P<op>&&|\|\||!=|<=|>=|[-+*/|^!=<>])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


@dataclass(frozen=True)
class Query:
    """A query that passed the guards: its text, its form and whether it names a dataset."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset_clause: bool = False

    @property
    def returns_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, whose result is RDF rather than a table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @cached_property
    def digest(self) -> str:
        """A short stable hash of the text, for logs."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def _unescape_codepoints(text: str) -> str:
    # SPARQL 1.1 §19.2 lets \u and \U escapes stand anywhere; decode them first so
    # an escaped keyword cannot slip past the checks (pyoxigraph rejects most of
    # these, but a check that is stricter than the parser costs nothing).
    def decode(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)
    return _CODEPOINT.sub(decode, text)


# Clients repeat the same short queries (dashboards, Linked Data pages, retries), and
# checking one costs tens of microseconds, a lookup's whole evaluation; texts this
# short are remembered, so the cache stays a few megabytes at most.
_CACHED_TEXT_CHARS = 4096


def check_query(text: str, settings: Settings) -> Query:
    """Check a query's size, nesting, form and keywords before it reaches a parser.

    Returns the :class:`Query`; raises :class:`PayloadTooLarge` (413),
    :class:`QueryRefused` (403) for an update or ``SERVICE``, or
    :class:`QuerySyntaxError` (400) for a text that is too deep, has too many
    operators or has no query form.
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _check_remembered(text, settings)
    return _check(text, settings)


@lru_cache(maxsize=1024)
def _check_remembered(text: str, settings: Settings) -> Query:
    return _check(text, settings)  # a refusal raises, and is not remembered


def _check(text: str, settings: Settings) -> Query:
    size = len(text.encode("utf-8"))
    if size > settings.max_query_bytes:
        # Deep nesting is reported as such (400) even in a text that is also too long;
        # scanning only the first max_query_bytes keeps the cost of refusing bounded.
        _scan(text[: settings.max_query_bytes], settings)
        raise PayloadTooLarge(
            f"the query is {size:,} bytes; this endpoint accepts at most {settings.max_query_bytes:,}",
            hint="Shorten the query (VALUES blocks with thousands of rows are the usual cause), "
                 "or run it against your own copy of the data.",
        )
    if "\x00" in text:
        raise QuerySyntaxError("the query contains a NUL character", hint="Remove the NUL character.")
    form, has_dataset = _scan(text, settings)
    if form is None:
        raise QuerySyntaxError(
            "no query form found: a query starts (after any PREFIX and BASE) with "
            "SELECT, ASK, CONSTRUCT or DESCRIBE",
            line=1, column=1,
        )
    return Query(text=text, form=form, has_dataset_clause=has_dataset)


def _too_many_operators(limit: int, line: int, column: int) -> QuerySyntaxError:
    return QuerySyntaxError(
        f"the query has more than {limit} operators",
        line=line, column=column,
        hint="Long chains of operators (+, -, ||, &&, !, property path steps /, UNION) take "
             "pyoxigraph's parser time that grows with the square or cube of their length; "
             "use VALUES or IN (…) lists instead, or split the query.",
    )


def _scan(text: str, settings: Settings) -> tuple[str | None, bool]:
    """Read the tokens; return the query form (None if none) and whether it has FROM."""
    form: str | None = None
    depth = max_depth = operators = 0
    has_dataset = False
    line, line_start = 1, 0
    for match in _TOKEN.finditer(_unescape_codepoints(text)):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > max_depth:
                max_depth = depth
                if max_depth > settings.max_query_depth:
                    column = match.start() - line_start + 1
                    raise QuerySyntaxError(
                        f"the query nests brackets more than {settings.max_query_depth} levels deep",
                        line=line, column=column,
                        hint="Flatten the query: deep nesting of {}, () or [] is refused "
                             "before parsing to keep the server safe.",
                    )
        elif kind == "close":
            depth -= 1
        elif kind == "op":
            operators += 1
            if operators > settings.max_query_operators:
                raise _too_many_operators(settings.max_query_operators, line, match.start() - line_start + 1)
        elif kind == "word":
            word = match.group().rstrip(".").upper()
            if not word:
                continue  # the `.` between triple patterns
            if word[0] in "0123456789-":
                # `1-1-1…` lexes as numbers with signs (INTEGER_NEGATIVE): a chain all the same.
                operators += word.count("-")
            elif word == "UNION":
                operators += 1
            if operators > settings.max_query_operators:
                raise _too_many_operators(settings.max_query_operators, line, match.start() - line_start + 1)
            if word == "SERVICE":
                raise QueryRefused(
                    "SERVICE (federated query) is disabled: this endpoint never opens network connections",
                    hint="Remove the SERVICE clause and query the remote endpoint yourself.",
                )
            if form is None:
                if word in QUERY_FORMS:
                    form = word
                elif word in UPDATE_KEYWORDS:
                    raise QueryRefused(
                        f"{word} is a SPARQL Update operation; this endpoint is read-only",
                        hint="Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.",
                    )
            elif word == "FROM":
                has_dataset = True
        elif kind in ("ws", "string", "comment"):
            newlines = match.group().count("\n")
            if newlines:
                line += newlines
                line_start = match.start() + match.group().rindex("\n") + 1
    return form, has_dataset


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_EXPECTED_TOKEN = re.compile(r'"[^"]+"|\b[A-Za-z][A-Za-z0-9_]*\b')
_DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([^\s:]*):", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"^([A-Za-z\u00C0-\U000EFFFF][\w.\-\u00B7\u00C0-\U000EFFFF]*)?:")


def syntax_error(text: str, error: SyntaxError) -> QuerySyntaxError:
    """Turn pyoxigraph's parser error into a :class:`QuerySyntaxError` a person can act on.

    pyoxigraph reports the farthest position its parser reached, which is often past
    the real mistake (an undeclared prefix or an unclosed brace shows up at the end
    of the query). Those two mistakes are found from the tokens first, with their own
    position; otherwise the parser's position is given with what stands there.
    """
    message = str(error)
    match = _POSITION.match(message)
    if not match:
        return QuerySyntaxError(f"the query is not valid SPARQL: {message[:300]}")
    found = _locate_mistake(text)
    if found is None:
        line, column, expected = int(match.group(1)), int(match.group(2)), match.group(3)
        detail = _describe_position(text, line, column, expected)
    else:
        line, column, detail = found
    lines = text.splitlines() or [""]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    excerpt = f"{source_line}\n{' ' * max(column - 1, 0)}^"
    return QuerySyntaxError(f"syntax error at line {line}, column {column}: {detail}",
                            line=line, column=column, excerpt=excerpt)


_PAIRS = {"}": "{", ")": "(", "]": "["}


def _locate_mistake(text: str) -> tuple[int, int, str] | None:
    """The position and description of an unbalanced bracket or an undeclared prefix."""
    declared = {m.group(1) for m in _DECLARED_PREFIX.finditer(text)}
    stack: list[tuple[str, int, int]] = []
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        column = match.start() - line_start + 1
        if kind == "open":
            stack.append((value, line, column))
        elif kind == "close":
            if not stack or stack[-1][0] != _PAIRS[value]:
                return line, column, f"this {value!r} closes nothing that is open"
            stack.pop()
        elif kind == "word":
            prefixed = _PREFIXED_NAME.match(value)
            previous = text[max(0, match.start() - 12):match.start()].upper()
            in_iri = text.startswith("//", match.end())  # `<http://x y>`: an IRI with a space
            if prefixed and (prefixed.group(1) or "") not in declared and "PREFIX" not in previous \
                    and not in_iri:
                prefix = prefixed.group(1) or ""
                return line, column, f"the prefix {prefix}: is not declared; add PREFIX {prefix}: <…> at the top"
        elif kind in ("ws", "string", "comment") and "\n" in value:
            line += value.count("\n")
            line_start = match.start() + value.rindex("\n") + 1
    if stack:
        opener, line, column = stack[-1]
        return line, column, f"this {opener!r} is never closed"
    return None


def _describe_position(text: str, line: int, column: int, expected: str) -> str:
    lines = text.splitlines() or [""]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    at = source_line[column - 1:] if 0 < column <= len(source_line) else ""
    if not "\n".join([at, *lines[line:]]).strip():
        detail = "the parser reached the end of the query without completing it"
    else:
        token = _TOKEN.match(at.lstrip())
        shown = token.group() if token else at.lstrip()[:1]
        detail = f"the parser could not continue at {shown[:40]!r}"
    if "parsing failed" in expected:
        detail += f" ({expected.replace('expected ', '', 1)})"
    elif expected.startswith("expected one of"):
        tokens = _EXPECTED_TOKEN.findall(expected[len("expected one of"):].split("[", 1)[0])
        if 0 < len(tokens) <= 6:
            detail += " (it expected " + " or ".join(tokens) + ")"
    elif expected.startswith("expected "):
        detail += f" (it expected {expected[len('expected '):][:60]})"
    return detail


def offered_formats(query: Query) -> tuple[Format, ...]:
    """The response formats a query's form can take, the default first (HTML last)."""
    if query.returns_graph:
        return (*GRAPH_FORMATS, *DATASET_FORMATS, HTML)
    return (*RESULTS_FORMATS, HTML)


@dataclass(frozen=True)
class Example:
    """A documented example query: file stem, title, question and text."""

    name: str
    title: str
    question: str
    text: str


_HEADER = re.compile(r"#\s*(title|question)\s*:\s*(.*)", re.IGNORECASE)


def read_example(path: Path) -> Example:
    """Read an example query file whose first comment lines say ``# title:`` and ``# question:``."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), match.group(2).strip())
    return Example(name=path.stem, title=header.get("title", path.stem),
                   question=header.get("question", ""), text=text)


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a request (SPARQL Protocol ``default-graph-uri``/``named-graph-uri``).

    Empty lists mean "as the query says", and with no FROM either, the default graph
    is the union of every graph.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class Table:
    """The first rows of a SELECT or ASK result, as Python values, for HTML pages and the CLI."""

    variables: list[str]
    rows: list[list[Term | None]]
    truncated: bool = False
    boolean: bool | None = None


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: kind (iri, bnode, literal, triple), value, datatype, language."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    @classmethod
    def from_ox(cls, term: Any) -> "Term":
        """Convert a pyoxigraph term."""
        if isinstance(term, ox.NamedNode):
            return cls("iri", term.value)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        if isinstance(term, ox.Literal):
            return cls("literal", term.value, term.datatype.value, term.language)
        return cls("triple", str(term))


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


# Deep but legal expressions (long chains of `+`, `!`, `&&`) recurse in pyoxigraph's
# parser and evaluator; a large stack on the query threads keeps them from
# overflowing. Only the pages a query touches are committed.
QUERY_THREAD_STACK_BYTES = 512 * 1024 * 1024


def resident_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc/self/statm``), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# How often the memory guard looks at the process's size. pyoxigraph can grow by
# ~400 MB/s sorting a cartesian product, so a query overshoots the limit by ~20 MB.
MEMORY_POLL_S = 0.05


class _Task:
    """One call handed to a query thread, and its outcome.

    Lighter than a :class:`concurrent.futures.Future`: the caller waits on a bare lock
    that the query thread releases, which saves a lookup tens of microseconds. Its
    state changes under the runner's lock: queued, running, then done or cancelled —
    or handed over, when the function gave its caller an outcome early and runs on
    (a :class:`ResultStream` it goes on feeding).
    """

    __slots__ = ("fn", "state", "outcome", "failed", "ready")
    QUEUED, RUNNING, DONE, CANCELLED, HANDED = range(5)

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.state = _Task.QUEUED
        self.outcome: Any = None
        self.failed = False
        self.ready = threading.Lock()
        self.ready.acquire()

    def settle(self, outcome: Any, failed: bool) -> None:
        """Record the outcome and wake the caller (the runner's lock is held)."""
        self.outcome, self.failed, self.state = outcome, failed, _Task.DONE
        self.ready.release()


class QueryRunner:
    """Runs functions on dedicated threads and stops waiting for them past a limit.

    Two limits, because pyoxigraph can neither cancel a query nor bound its memory:
    a caller waits at most ``timeout_s`` (then :class:`QueryTimeout`), and while
    queries run the process may grow by at most ``memory_limit_bytes`` over its size
    when idle (then every running query fails with :class:`QueryTooExpensive`). A
    query past a limit cannot be stopped: its thread is abandoned, a fresh thread
    takes its place, and ``on_overrun`` (time) or ``on_memory_overrun`` (memory) is
    called so that the host can replace the process — gracefully after a timeout, at
    once when memory runs away. ``threads`` bounds concurrent queries.
    """

    def __init__(self, threads: int, on_overrun: Callable[[], None] | None = None,
                 memory_limit_bytes: int | None = None,
                 on_memory_overrun: Callable[[], None] | None = None) -> None:
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = threads
        self._active: set[_Task] = set()
        self.on_overrun = on_overrun
        self.on_memory_overrun = on_memory_overrun
        self.overruns = 0
        self._current = threading.local()
        for _ in range(threads):
            self._spawn(self._work)
        if memory_limit_bytes is not None and resident_bytes() is not None:
            self._spawn(lambda: self._guard_memory(memory_limit_bytes), name="nkd-memory-guard")

    @classmethod
    def for_settings(cls, settings: Settings, threads: int | None = None, **callbacks: Any) -> "QueryRunner":
        """A runner with the limits of ``settings`` (``threads`` defaults to the setting)."""
        return cls(threads or settings.threads, memory_limit_bytes=settings.max_query_memory_mb * 2**20,
                   **callbacks)

    def _spawn(self, target: Callable[[], None], name: str = "nkd-query") -> None:
        with self._lock:
            previous = threading.stack_size(QUERY_THREAD_STACK_BYTES)
            try:
                thread = threading.Thread(target=target, name=name, daemon=True)
                thread.start()
            finally:
                threading.stack_size(previous)

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            with self._lock:
                if task.state != _Task.QUEUED:  # the caller gave up waiting
                    continue
                task.state = _Task.RUNNING
                self._active.add(task)
            self._current.task = task
            try:
                outcome, failed = task.fn(), False
            except BaseException as exc:  # handed to the waiting caller
                outcome, failed = exc, True
            with self._lock:
                self._active.discard(task)
                if task.state == _Task.RUNNING:  # not failed by the memory guard meanwhile
                    task.settle(outcome, failed)

    def _guard_memory(self, limit: int) -> None:
        baseline = resident_bytes() or 0
        while True:
            time.sleep(MEMORY_POLL_S)
            size = resident_bytes() or 0
            with self._lock:
                if not self._active:
                    baseline = size  # caches and freed-but-kept pages are not a query's
                    continue
                if size - baseline <= limit:
                    continue
                running = list(self._active)  # abandoned after a timeout ones too: still growing
                error = QueryTooExpensive(
                    f"the queries running here needed more than {limit // 2**20:,} MB of memory")
                for task in running:
                    if task.state == _Task.RUNNING:
                        task.settle(error, True)
                    elif task.state == _Task.HANDED:
                        task.outcome.fail(error)
                self._active.clear()
            self.overruns += 1
            for _ in running:
                self._spawn(self._work)
            if self.on_memory_overrun is not None:
                self.on_memory_overrun()
            return  # the process is being replaced; one report is enough

    def run(self, fn: Callable[[], Any], timeout_s: float) -> Any:
        """Run ``fn`` on a query thread; return its result or raise :class:`QueryTimeout`."""
        task = _Task(fn)
        self._tasks.put(task)
        if not task.ready.acquire(timeout=timeout_s):
            with self._lock:
                state = task.state
                if state in (_Task.RUNNING, _Task.QUEUED):
                    task.state = _Task.CANCELLED
            if state == _Task.QUEUED:  # nothing is stuck: no thread was free
                raise QueryTimeout(
                    f"the query waited {timeout_s:g} s for a free query thread",
                    hint="The server is busy; try again shortly.")
            if state == _Task.RUNNING:
                self.stuck()
                raise QueryTimeout(f"the query ran longer than the {timeout_s:g} s limit")
        if task.failed:
            raise task.outcome
        return task.outcome

    def hand_over(self, outcome: Any) -> bool:
        """From inside a running function: wake its caller with ``outcome`` now, and run on.

        False when the caller has stopped waiting (the function should then give up).
        """
        task = self._current.task
        with self._lock:
            if task.state != _Task.RUNNING:
                return False
            task.outcome, task.failed, task.state = outcome, False, _Task.HANDED
            task.ready.release()
        return True

    def stuck(self) -> None:
        """A query thread is stuck past its time limit: replace it and report the overrun."""
        self.overruns += 1
        self._spawn(self._work)
        if self.on_overrun is not None:
            self.on_overrun()

    def close(self) -> None:
        """Let idle threads end (stuck ones end with the process)."""
        for _ in range(self._threads):
            self._tasks.put(None)


def _graph_nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    nodes = []
    for iri in iris:
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError:
            raise QuerySyntaxError(f"{iri!r} is not a valid graph IRI",
                                   hint="Pass absolute IRIs in default-graph-uri and named-graph-uri.") from None
    return nodes


class Engine(Protocol):
    """What the HTTP layer and the CLI need from a query engine.

    :class:`EmbeddedEngine` answers from an in-process pyoxigraph store, and
    :class:`server.remote.RemoteEngine` from any SPARQL 1.1 store, with the same three
    methods. Each takes a :class:`Query` that passed :func:`check_query` and a
    :class:`Dataset`, enforces ``settings.query_timeout_s`` and raises only
    :class:`~server.errors.NkdError` subclasses. An engine may also have
    ``serialize_stream`` (same arguments as ``serialize``, returning the bytes or, for a
    large result, a :class:`ResultStream`), which ``/sparql`` prefers: a large result
    then starts reaching the client before it is complete.
    """

    settings: Settings

    def serialize(self, query: Query, fmt: Format, dataset: Dataset = ...) -> bytes:
        """The whole result in ``fmt`` (one of :func:`offered_formats`, not HTML)."""

    def table(self, query: Query, max_rows: int, dataset: Dataset = ...) -> Table:
        """The first ``max_rows`` rows of a SELECT, or the answer of an ASK."""

    def triples(self, query: Query, dataset: Dataset = ..., max_rows: int | None = None
                ) -> list[tuple[Term, Term, Term]]:
        """The triples of a CONSTRUCT or DESCRIBE (at most ``max_rows`` when given)."""


@dataclass
class EmbeddedEngine:
    """Runs checked queries on an in-process pyoxigraph store, with a time and size limit.

    Every pyoxigraph object of a query (its result, its solutions, its terms) is
    created and consumed inside one function run on a query thread: pyoxigraph's
    result objects crash the process when touched from another thread.
    """

    store: ox.Store
    settings: Settings
    runner: QueryRunner = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.runner is None:
            self.runner = QueryRunner.for_settings(self.settings)

    def _evaluate(self, query: Query, dataset: Dataset) -> Any:
        options: dict[str, Any] = {}
        if dataset.default_graphs or dataset.named_graphs:
            # The protocol's dataset replaces the query's FROM / FROM NAMED (§2.1.4).
            options["default_graph"] = _graph_nodes(dataset.default_graphs) or None
            options["named_graphs"] = _graph_nodes(dataset.named_graphs) or None
            if options["default_graph"] is None:
                options["default_graph"] = [ox.DefaultGraph()]
        elif not query.has_dataset_clause:
            # pyoxigraph ignores FROM when the union flag is set, so set it only without FROM.
            options["use_default_graph_as_union"] = True
        try:
            return self.store.query(query.text, **options)
        except SyntaxError as exc:
            raise syntax_error(query.text, exc) from None

    def _run(self, work: Callable[[], Any]) -> Any:
        return self.runner.run(work, self.settings.query_timeout_s)

    def serialize_stream(self, query: Query, fmt: Format,
                         dataset: Dataset = Dataset()) -> bytes | ResultStream:
        """Run ``query``; return its result serialized natively in ``fmt``.

        A result of up to :data:`STREAM_BYTES` comes back whole, as bytes; a larger one
        as a :class:`ResultStream` that its query thread goes on filling while the
        caller sends what has come so far.
        """
        limit = self.settings.max_result_bytes
        deadline = time.monotonic() + self.settings.query_timeout_s
        runner = self.runner

        def start_stream() -> ResultStream:
            stream = ResultStream(deadline, runner.stuck)
            if not runner.hand_over(stream):
                raise _Abandoned()  # the caller timed out in the meantime
            return stream

        def work() -> bytes | None:
            result = self._evaluate(query, dataset)
            sink = _ResultSink(limit, start_stream)
            try:
                result.serialize(sink, fmt.ox)
                if sink.stream is None:
                    return bytes(sink.buffer)
                if sink.buffer:
                    sink.stream.put(bytes(sink.buffer))
                sink.stream.end()
            except _Abandoned:
                pass
            except BaseException as exc:
                error = NkdError(f"the store failed while answering: {exc}") if isinstance(exc, OSError) else exc
                if sink.stream is None:
                    raise error from None
                # Past the hand-over nobody catches what this thread raises: the reader
                # learns of any failure through the stream, at once.
                sink.stream.fail(error if isinstance(error, NkdError)
                                 else NkdError("the query failed while its result was being sent"))
            finally:
                if sink.stream is not None:
                    sink.stream.producer_done.set()
            return None

        return self._run(work)

    def serialize(self, query: Query, fmt: Format, dataset: Dataset = Dataset()) -> bytes:
        """Run ``query`` and return its whole result serialized natively in ``fmt``."""
        result = self.serialize_stream(query, fmt, dataset)
        if isinstance(result, ResultStream):
            try:
                return result.read_all()
            except ResultCutOff as cut:
                raise cut.error from None
        return result

    def table(self, query: Query, max_rows: int, dataset: Dataset = Dataset()) -> Table:
        """Run a SELECT or ASK query and return at most ``max_rows`` rows as a :class:`Table`."""

        def work() -> Table:
            result = self._evaluate(query, dataset)
            if isinstance(result, ox.QueryBoolean):
                return Table(variables=[], rows=[], boolean=bool(result))
            variables = [v.value for v in result.variables]
            rows: list[list[Term | None]] = []
            truncated = False
            for solution in result:
                if len(rows) == max_rows:
                    truncated = True
                    break
                rows.append([None if solution[v] is None else Term.from_ox(solution[v])
                             for v in variables])
            return Table(variables=variables, rows=rows, truncated=truncated)

        return self._run(work)

    def triples(self, query: Query, dataset: Dataset = Dataset(),
                max_rows: int | None = None) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples (the first ``max_rows``, if given)."""

        def work() -> list[tuple[Term, Term, Term]]:
            found: list[tuple[Term, Term, Term]] = []
            for triple in self._evaluate(query, dataset):
                if max_rows is not None and len(found) == max_rows:
                    break
                found.append((Term.from_ox(triple.subject), Term.from_ox(triple.predicate),
                              Term.from_ox(triple.object)))
            return found

        return self._run(work)

    def dump(self, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
        """The whole store serialized in ``fmt``, for the dataset dumps.

        Quad formats (N-Quads, TriG) keep every named graph; triple formats get the
        union of all graphs, each triple once. Limited by ``max_result_bytes`` and
        ``query_timeout_s`` like any query.
        """
        limit = self.settings.max_result_bytes
        rdf_format = fmt.ox

        def work() -> bytes:
            sink = _ResultSink(limit)
            if fmt in DATASET_FORMATS:
                self.store.dump(sink, rdf_format, prefixes=prefixes)
            else:
                # store.dump writes one graph at a time; the union needs the quads merged.
                triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object)
                                        for q in self.store.quads_for_pattern(None, None, None, None))
                ox.serialize(triples, sink, rdf_format, prefixes=prefixes)
            return bytes(sink.buffer)
        return self._run(work)


__all__: Sequence[str] = (
    "Dataset", "EmbeddedEngine", "Engine", "Example", "Query", "QueryRunner", "ResultCutOff",
    "ResultStream", "Table", "Term",
    "check_query", "offered_formats", "read_example", "result_too_large", "syntax_error",
)
