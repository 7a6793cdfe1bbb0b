"""The query mix, a lean HTTP SPARQL client, the in-process floor, statistics and report helpers."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox

from servers import BenchError

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
QUERIES_DIR = BENCH / "queries"
RESULTS_DIR = BENCH / "results"

ACCEPT_TABLE = "application/sparql-results+json"
ACCEPT_GRAPH = "text/turtle"


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix: its file stem, text and whether it returns a graph."""

    name: str
    text: str

    @property
    def returns_graph(self) -> bool:
        """CONSTRUCT or DESCRIBE (asked for as Turtle); otherwise a table (asked for as JSON)."""
        body = "\n".join(line for line in self.text.splitlines()
                         if not line.lstrip().upper().startswith(("#", "PREFIX", "BASE")))
        return body.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))

    @property
    def accept(self) -> str:
        """The Accept header the runner sends."""
        return ACCEPT_GRAPH if self.returns_graph else ACCEPT_TABLE


def load_queries(directory: Path = QUERIES_DIR, names: Iterable[str] | None = None) -> list[BenchQuery]:
    """The ``*.rq`` files of a directory, in a fixed order (all, or only ``names``)."""
    wanted = set(names) if names else None
    queries = []
    for path in sorted(directory.glob("*.rq")):
        if wanted is not None and path.stem not in wanted:
            continue
        queries.append(BenchQuery(path.stem, path.read_text(encoding="utf-8")))
    if wanted is not None and len(queries) != len(wanted):
        missing = wanted - {q.name for q in queries}
        raise ValueError(f"no such queries in {directory}: {', '.join(sorted(missing))}")
    return queries


# The light queries of the mix, which the load tests mix with lookups. The bulk ones
# measure one client's throughput; under load they would only show that two cores can
# serialize so many megabytes a second.
LIGHT_QUERIES = ("two-hop", "property-path", "construct-subgraph")


def lookup_of(iri: str) -> BenchQuery:
    """The triples of one subject (the shape of the mix's ``lookup``)."""
    return BenchQuery("lookup", f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")


def subjects(endpoint: "HttpEndpoint", count: int, seed: int) -> list[str]:
    """Up to ``count`` IRIs that are subjects in the served graph, drawn from 20 × ``count`` of them."""
    query = BenchQuery("subjects", f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s)) }} LIMIT {count * 20}")
    _, status, body = endpoint.fetch(query)
    if status != 200:
        raise BenchError(f"listing subjects failed with {status}: {body[:300]!r}")
    found = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    if not found:
        raise BenchError("the server has no subjects to look up")
    return random.Random(seed).sample(found, min(count, len(found)))


def triples_in(path: Path) -> int:
    """Statements in an N-Triples / N-Quads file (one per line)."""
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def parse_endpoint(text: str) -> tuple[str, str]:
    """``--endpoint NAME=URL`` (http or https)."""
    name, sep, url = text.partition("=")
    if not sep or not name or not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"expected NAME=URL with an http(s) URL, got {text!r}")
    return name, url


def parse_variable(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` of an environment variable."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


# --------------------------------------------------------------------------- clients


class HttpEndpoint:
    """A SPARQL endpoint spoken to over one persistent HTTP/1.1 connection.

    http.client rather than requests: the lookups take about a millisecond, and
    requests' own per-call overhead (a few hundred microseconds) would blur them.
    """

    def __init__(self, name: str, query_url: str, method: str = "GET") -> None:
        self.name = name
        parts = urllib.parse.urlsplit(query_url)
        self._connect = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or self._connect.default_port
        self.path = parts.path or "/"
        self.method = method
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = self._connect(self.host, self.port, timeout=600)
            self._conn.connect()
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def fetch(self, query: BenchQuery) -> tuple[float, int, bytes]:
        """Send ``query``; return (seconds, status, body). Reconnects, untimed, if the server closed."""
        for attempt in (1, 2):
            conn = self._connection()  # connecting is not part of the timed request
            try:
                started = time.perf_counter()
                if self.method == "GET":
                    conn.request("GET", self.path + "?" + urllib.parse.urlencode({"query": query.text}),
                                 headers={"Accept": query.accept})
                else:
                    conn.request("POST", self.path, body=query.text.encode("utf-8"),
                                 headers={"Accept": query.accept, "Content-Type": "application/sparql-query"})
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return elapsed, response.status, body
        raise AssertionError("unreachable")


class InProcess:
    """The floor: pyoxigraph ``store.query`` and native ``serialize`` in this process, no HTTP."""

    name = "in-process"

    def __init__(self, files: Sequence[Path]) -> None:
        self.store = ox.Store()
        for path in files:
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            self.store.bulk_load(path=str(path), format=fmt)

    def fetch(self, query: BenchQuery) -> tuple[float, int, bytes]:
        """Run and serialize ``query`` as the server would; return (seconds, 200, body)."""
        started = time.perf_counter()
        result = self.store.query(query.text, use_default_graph_as_union=True)
        sink = io.BytesIO()
        if isinstance(result, ox.QuerySolutions) or isinstance(result, ox.QueryBoolean):
            result.serialize(sink, ox.QueryResultsFormat.JSON)
        else:
            result.serialize(sink, ox.RdfFormat.TURTLE)
        body = sink.getvalue()
        return time.perf_counter() - started, 200, body

    def close(self) -> None:
        """Nothing to close."""


def result_size(query: BenchQuery, body: bytes) -> int:
    """Rows of a JSON result (1 for ASK) or triples of a Turtle result: what a client gets."""
    if query.returns_graph:
        return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.TURTLE))
    data = json.loads(body)
    if "boolean" in data:
        return 1
    return len(data["results"]["bindings"])


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Latencies of one query on one endpoint, in seconds."""

    samples: int
    median: float
    p95: float

    @classmethod
    def of(cls, values: Sequence[float]) -> "Summary":
        """Summarise a sample: the median (the mean of the two middle values of an even count)
        and the nearest-rank 95th percentile."""
        return cls(len(values), statistics.median(values), percentile(values, 0.95))


def geomean(values: Iterable[float]) -> float:
    """Geometric mean of positive numbers."""
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def ms(seconds: float) -> str:
    """Seconds as milliseconds with sensible precision."""
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- context


def _version(module: str) -> str:
    try:
        from importlib.metadata import version
        return version(module)
    except Exception:  # not installed
        return "-"


def git_commit() -> str:
    """The checkout's commit (with + when the tree has changes), or '-'."""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "-"


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "-"


def machine() -> dict[str, object]:
    """What a results table must carry: date, cores, load average, CPU, versions, commit."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "loadavg": load_average(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "pyoxigraph": _version("pyoxigraph"),
        "oxigraph": _version("oxigraph"),
        "commit": git_commit(),
    }


def describe_machine(info: dict[str, object], load_after: str | None = None) -> str:
    """One markdown line about the machine and the run."""
    load = f"load average {info['loadavg']}" + (f" → {load_after}" if load_after else "")
    return (f"{info['date']} · nproc {info['nproc']} · {load} · {info['cpu']} · Python {info['python']} · "
            f"pyoxigraph {info['pyoxigraph']} · oxigraph {info['oxigraph']} · commit {info['commit']}")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def publish(stem: str, markdown: str, data: dict[str, object]) -> Path:
    """Print a report and save it (see :func:`write_result`)."""
    path = write_result(stem, markdown, data)
    print(markdown)
    print(f"saved {path} (and .json)", file=sys.stderr)
    return path


def write_result(stem: str, markdown: str, data: dict[str, object]) -> Path:
    """Save a report as ``bench/results/{stem}-{timestamp}.md`` and ``.json``; return the .md path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"{stem}-{stamp}.md"
    path.write_text(markdown + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path
