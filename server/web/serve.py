"""`nkd serve`: the app under gunicorn, with query time limits that hold.

Each gunicorn worker process loads its own store and serves requests on threads;
queries run on the worker's query threads (:class:`~nkd.sparql.QueryRunner`). A
query that overruns ``query_timeout_s`` gets a 503 at once, but pyoxigraph cannot
stop it, so the worker then retires: it stops accepting connections, finishes the
requests it has, and exits, and gunicorn forks a fresh worker in its place. Other
workers keep answering meanwhile, and ``/healthz`` never waits on a query thread.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from typing import Any, Callable

from gunicorn.app.base import BaseApplication

from ..errors import NkdError
from ..settings import Settings
from ..sparql import ResultCutOff

log = logging.getLogger("nkd")

def _pre_request(worker: Any, req: Any) -> None:
    req.nkd_started = time.perf_counter()


def _post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    """One access-log line per request on stdout, written after the response is sent.

    Client, time, method, path (without the query string, which can hold a whole
    query), status, bytes sent, duration in milliseconds and the query's hash (the
    X-Query-Hash header; "-" when the response has none). Written with one
    ``os.write`` rather than gunicorn's access log, whose formatting and logging
    machinery cost about a tenth of a millisecond a request.
    """
    started = getattr(req, "nkd_started", None)
    elapsed_ms = round((time.perf_counter() - started) * 1000) if started is not None else "-"
    digest = next((value for name, value in resp.headers if name.lower() == "x-query-hash"), "-")
    # gunicorn sets status_code in start_response; an app that failed before calling it
    # got gunicorn's own 500, and the request still gets its line.
    status = getattr(resp, "status_code", None) or 500
    line = (f'{environ.get("REMOTE_ADDR", "-")} {time.strftime("[%d/%b/%Y:%H:%M:%S %z]")} '
            f'"{req.method} {req.path}" {status} {getattr(resp, "sent", 0)} {elapsed_ms}ms query={digest}\n')
    try:
        os.write(sys.stdout.fileno(), line.encode("utf-8", "replace"))
    except (OSError, ValueError):
        pass  # a closed or full stdout must not fail the request


class OneLineCutOffs(logging.Filter):
    """Turn gunicorn's traceback for a result stream cut off mid-way into one warning line.

    When a limit stops a streaming result after its status line was sent, the
    iteration raises :class:`ResultCutOff` and gunicorn closes the connection (the
    right signal) and logs "Error handling request" with a traceback (noise: nothing
    failed in the server).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record when it is about a cut-off stream; keep every record."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ResultCutOff):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "a streaming result was cut off: %s", (error.error.message,), None, None)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


# Time the request threads get to send their 503s before a worker abandons its queries.
ABANDON_GRACE_S = 0.5

# Set in a worker whose query thread is stuck in an overrun query.
_retiring = False


def retire_worker() -> None:
    """Ask this gunicorn worker to stop accepting, finish its requests and exit."""
    global _retiring
    if not _retiring:
        _retiring = True
        log.warning("a query overran its time limit; worker %s retires", os.getpid())
        os.kill(os.getpid(), signal.SIGTERM)  # gunicorn's graceful worker shutdown


def abandon_worker() -> None:
    """Leave at once (after a moment to send the 503s): a query is eating memory.

    Unlike a timeout, runaway memory cannot wait for a graceful shutdown: sorting a
    cartesian product grows by hundreds of megabytes a second.
    """
    global _retiring
    _retiring = True
    log.warning("queries outgrew max_query_memory_mb; worker %s exits now", os.getpid())
    timer = threading.Timer(ABANDON_GRACE_S, _exit_now)
    timer.daemon = True
    timer.start()


def _exit_now() -> None:
    logging.shutdown()
    os._exit(0)


def _worker_exit(server: Any, worker: Any) -> None:
    if _retiring:
        # The stuck query thread is inside pyoxigraph; interpreter shutdown would
        # wait on it or crash on it. Leave at once: all responses are sent.
        _exit_now()


# glibc raises its mmap threshold (up to 32 MiB) each time a big block is freed, so
# result buffers of tens of MB then come from the heap, whose free space is kept, not
# returned: at 1M triples each worker grew by about 100 MiB after a few 100k-row
# results. A fixed 1 MiB threshold keeps big buffers in mmap, given back on free.
M_MMAP_THRESHOLD = -3
BIG_BLOCK_BYTES = 1 << 20


def return_big_blocks_to_the_os() -> None:
    """Fix glibc's mmap threshold in this process (inherited by forked workers); no-op elsewhere."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, BIG_BLOCK_BYTES)
    except (OSError, AttributeError):  # not glibc
        pass


class NkdServer(BaseApplication):
    """A gunicorn application whose workers each build the app with ``make_app``."""

    def __init__(self, settings: Settings, make_app: Callable[[Settings], Any],
                 options: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.make_app = make_app
        self.options = options or {}
        return_big_blocks_to_the_os()
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        config = {
            "bind": [f"[{s.host}]:{s.port}" if ":" in s.host else f"{s.host}:{s.port}"],
            "workers": s.workers,
            "worker_class": "gthread",
            "threads": s.threads,
            # gunicorn's own watchdog only kills workers whose main loop hangs; query
            # time is bounded by query_timeout_s, so give in-flight queries room.
            "timeout": max(30, int(s.query_timeout_s * 2) + 5),
            "graceful_timeout": int(s.query_timeout_s) + 5,
            "keepalive": 5,
            # GET queries travel in the request line; gunicorn's default of 4 KB would cut
            # off ordinary queries, 8 KB is its maximum. Longer queries are POSTed.
            "limit_request_line": 8190,
            "worker_exit": _worker_exit,
            "proc_name": "nkd",
            "pre_request": _pre_request,
            "post_request": _post_request,
        }
        if "control_socket_disable" in self.cfg.settings:
            config["control_socket_disable"] = True  # gunicorn >= 25 would write a socket under $HOME
        config.update(self.options)
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        logging.getLogger("gunicorn.error").addFilter(OneLineCutOffs())
        try:
            return self.make_app(self.settings)
        except NkdError as exc:
            # A clean message instead of gunicorn's traceback; exit code 4 makes the
            # master stop rather than respawn a worker that cannot load its data.
            print(f"nkd: error: {exc.message}\nHow to fix: {exc.hint}", file=sys.stderr, flush=True)
            sys.exit(4)
