"""The query threads: pyoxigraph can neither cancel a query nor bound its memory.

:class:`QueryRunner` runs each query on a thread of its own pool, with a large stack,
and stops waiting for it past a time limit; a memory guard fails the running queries
when the process grows past its limit. The host process is told, so that it can be
replaced (see ``server/web/serve.py``).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Any, Callable

from .errors import NkdError, QueryTimeout, QueryTooExpensive, Unavailable
from .settings import Settings

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


def without_frames(error: BaseException) -> BaseException:
    """``error`` (and the errors it was raised from) without their tracebacks, if it is nkd's.

    A traceback holds the frames of the function that raised, and with them the pyoxigraph
    objects of the query (its result, a solution…), which must be dropped on the query
    thread that made them: dropped on the caller's thread, pyoxigraph refuses to free them
    ("unsendable, but is being dropped on another thread") and they leak. The caller raises
    the error again with a traceback of its own. A bug's error keeps its traceback, to be
    logged whole.
    """
    if isinstance(error, NkdError):
        seen: set[int] = set()
        link: BaseException | None = error
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            link.__traceback__ = None
            link = link.__cause__ or link.__context__
    return error


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
        self._memory_limit_bytes = memory_limit_bytes
        self._active: set[_Task] = set()
        self.on_overrun = on_overrun
        self.on_memory_overrun = on_memory_overrun
        self.overruns = 0
        self._current = threading.local()
        # No thread runs until the first query: a script that opens a graph and never
        # queries it starts none, and a server's worker starts them after the fork.
        self._started = False
        self._closed = False
        self._stopping = threading.Event()  # tells the memory guard to stop
        self._spawned: list[threading.Thread] = []
        self._busy: set[threading.Thread] = set()  # threads inside a function, stuck ones too

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            if self._closed:
                raise Unavailable("the query engine is closed", hint="Open the data again to query it.")
            self._started = True
        for _ in range(self._threads):
            self._spawn(self._work)
        if self._memory_limit_bytes is not None and resident_bytes() is not None:
            limit = self._memory_limit_bytes
            self._spawn(lambda: self._guard_memory(limit), name="nkd-memory-guard")

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
                self._spawned.append(thread)
            finally:
                threading.stack_size(previous)

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            task = self._tasks.get()
            if task is None:
                return
            with self._lock:
                if task.state != _Task.QUEUED:  # the caller gave up waiting
                    continue
                task.state = _Task.RUNNING
                self._active.add(task)
                self._busy.add(me)
            self._current.task = task
            try:
                outcome, failed = task.fn(), False
            except BaseException as exc:  # handed to the waiting caller
                outcome, failed = without_frames(exc), True
            with self._lock:
                self._active.discard(task)
                self._busy.discard(me)
                if task.state == _Task.RUNNING:  # not failed by the memory guard meanwhile
                    task.settle(outcome, failed)

    def _guard_memory(self, limit: int) -> None:
        baseline = resident_bytes() or 0
        while not self._stopping.wait(MEMORY_POLL_S):
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
            # Nobody replaces this process (a script's): guard its next queries too.

    def run(self, fn: Callable[[], Any], timeout_s: float) -> Any:
        """Run ``fn`` on a query thread; return its result or raise :class:`QueryTimeout`.

        The first call starts the threads (:class:`Unavailable` once the runner is closed).
        """
        if not self._started:
            self._start()
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

    @property
    def running_threads(self) -> int:
        """How many of this runner's threads (query threads and memory guard) are alive."""
        return sum(thread.is_alive() for thread in self._spawned)

    def close(self, wait_s: float = 5.0) -> None:
        """Stop the threads; wait up to ``wait_s`` for the idle ones and the memory guard to end.

        A thread stuck in a query past its limit cannot be stopped: it ends with the process.
        Queries after this raise :class:`Unavailable`.
        """
        with self._lock:
            self._closed = True
            started, self._started = self._started, False
        if not started:
            return
        self._stopping.set()
        for _ in self._spawned:  # one stop per thread ever spawned, replacements included
            self._tasks.put(None)
        with self._lock:
            idle = [thread for thread in self._spawned if thread not in self._busy]
        deadline = time.monotonic() + wait_s
        for thread in idle:  # busy ones end when their function does
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))


__all__ = ["QUERY_THREAD_STACK_BYTES", "QueryRunner", "resident_bytes", "without_frames"]
