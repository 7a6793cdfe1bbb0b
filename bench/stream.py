"""Large results through `nkd serve --endpoint`, beside the store answering directly.

    python bench/stream.py                      # 100,000 rows, Oxigraph server and Virtuoso
    python bench/stream.py --rows 20000 --stores oxigraph --repeat 3

For each store (Oxigraph server; Virtuoso, Debian's virtuoso-opensource) loaded with the
same synthetic graph, and each format — SPARQL JSON and CSV for ``SELECT ?s ?p ?o … LIMIT
N``, N-Triples for the ``CONSTRUCT`` of the same triples — it times the same request sent
to the store itself and to `nkd serve --endpoint` in front of it (one worker), alternately:
the whole answer and its first byte (the time from sending the request to reading the
first byte of the body). While nkd answers, its worker's resident memory is sampled every
10 ms; its growth over its size before the request is reported.

The targets (from the issue that asked for streaming): through nkd at most 1.2× the
store's own time for each format, the first byte within 50 ms of the store's, and the
worker's growth under 20 MB for any result size. Printed and saved under bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
import urllib.parse
from typing import Any

import generate
import servers
from measure import describe_machine, load_average, machine, markdown_table, ms, publish

FORMATS = {  # name: (Accept, query form)
    "json": ("application/sparql-results+json", "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {rows}"),
    "csv": ("text/csv", "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {rows}"),
    "ntriples": ("application/n-triples", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {rows}"),
}
RATIO_TARGET, FIRST_BYTE_TARGET_S, GROWTH_TARGET = 1.2, 0.050, 20 * 2**20
SAMPLE_S = 0.01


def timed_get(url: str, query: str, accept: str) -> tuple[float, float, int]:
    """GET a query on a fresh connection; (first body byte, whole answer, bytes) in seconds and bytes."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=900)
    conn.connect()
    try:
        started = time.perf_counter()
        conn.request("GET", parts.path + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
        response = conn.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(1 << 16):
            size += len(chunk)
        total = time.perf_counter() - started
        if response.status != 200:
            raise servers.BenchError(f"{url} answered {response.status}")
        return first_byte, total, size
    finally:
        conn.close()


class Sampler:
    """The largest resident size of a process while it runs, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = self._rss()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        return servers.memory(self.pid).rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(SAMPLE_S)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        """How much the process grew while sampled."""
        return max(0, self.peak - self.baseline)


def worker_of(nkd: servers.Service) -> int:
    """The pid of `nkd serve`'s one worker (the master's child)."""
    found = [pid for pid in servers.descendants(nkd.pid) if pid != nkd.pid]
    if len(found) != 1:
        raise servers.BenchError(f"expected one nkd worker, found {len(found)}")
    return found[0]


def measure_store(name: str, store: servers.Service, rows: int, repeat: int, formats: list[str]) -> list[dict[str, Any]]:
    """Every format through the store and through nkd in front of it."""
    nkd = servers.start_nkd(extra=["--endpoint", store.query_url, "--workers", "1",
                                   "--max-result-bytes", str(4 * 2**30), "--timeout", "600"])
    worker = worker_of(nkd)
    results = []
    try:
        for fmt in formats:
            accept, template = FORMATS[fmt]
            query = template.format(rows=rows)
            timed_get(store.query_url, query, accept)  # warm both once
            timed_get(nkd.query_url, query, accept)
            direct, through, growth = [], [], []
            for _ in range(repeat):
                direct.append(timed_get(store.query_url, query, accept))
                with Sampler(worker) as sampler:
                    through.append(timed_get(nkd.query_url, query, accept))
                growth.append(sampler.growth)
            results.append(summarize(name, fmt, direct, through, growth))
            print(f"  {name} {fmt}: done", file=sys.stderr, flush=True)
    finally:
        nkd.stop()
    return results


def summarize(store: str, fmt: str, direct: list, through: list, growth: list[int]) -> dict[str, Any]:
    """Medians of the runs, and whether each target is met."""
    median = {key: statistics.median(run[index] for run in runs)
              for key, index, runs in (("store_first", 0, direct), ("store_total", 1, direct),
                                       ("nkd_first", 0, through), ("nkd_total", 1, through))}
    ratio = median["nkd_total"] / median["store_total"]
    first_delta = median["nkd_first"] - median["store_first"]
    return {"store": store, "format": fmt, "bytes": through[0][2], **median, "ratio": ratio,
            "first_byte_delta": first_delta, "growth_max": max(growth), "samples": {"direct": direct,
                                                                                    "through": through,
                                                                                    "growth": growth},
            "met": {"time": ratio <= RATIO_TARGET, "first_byte": first_delta <= FIRST_BYTE_TARGET_S,
                    "memory": max(growth) < GROWTH_TARGET}}


def report(info: dict[str, Any], load_after: str, rows: int, triples: int, results: list[dict[str, Any]],
           repeat: int) -> str:
    """The markdown report."""
    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    table = markdown_table(
        ["store", "format", "MB", "store", "nkd", "× (≤1.2)", "store 1st byte", "nkd 1st byte", "Δ (≤50 ms)",
         "worker growth (<20 MB)"],
        [[r["store"], r["format"], f"{r['bytes'] / 1e6:.1f}", ms(r["store_total"]), ms(r["nkd_total"]),
          f"{r['ratio']:.2f} {mark(r['met']['time'])}", ms(r["store_first"]), ms(r["nkd_first"]),
          f"{r['first_byte_delta'] * 1000:+.0f} ms {mark(r['met']['first_byte'])}",
          f"{r['growth_max'] / 2**20:.1f} MB {mark(r['met']['memory'])}"] for r in results])
    return (f"## {rows:,} rows through nkd in front of a store ({triples:,}-triple synthetic graph)\n\n"
            f"{describe_machine(info, load_after)}\n\n{table}\n\n"
            f"Medians of {repeat} runs each, store and nkd alternately, a fresh connection per request; "
            f"worker growth is the largest over the runs.\n")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows (and triples) per answer (default 100,000)")
    parser.add_argument("--size", default="200k", help="synthetic graph size (default 200k; at least --rows)")
    parser.add_argument("--stores", nargs="+", choices=("oxigraph", "virtuoso"), default=["oxigraph", "virtuoso"])
    parser.add_argument("--formats", nargs="+", choices=tuple(FORMATS), default=list(FORMATS))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per store and format (default 5)")
    args = parser.parse_args(argv)
    info = machine()
    data = generate.ensure(args.size)
    triples = generate.parse_size(args.size)
    results: list[dict[str, Any]] = []
    try:
        for name in args.stores:
            print(f"loading and starting {name} …", file=sys.stderr, flush=True)
            store = servers.start_oxigraph([data]) if name == "oxigraph" else servers.start_virtuoso([data])
            try:
                results += measure_store(name, store, args.rows, args.repeat, args.formats)
            finally:
                store.stop()
    finally:
        servers.stop_all()
    load_after = load_average()
    publish("stream", report(info, load_after, args.rows, triples, results, args.repeat),
            {"machine": info, "load_after": load_after, "rows": args.rows, "results": results})
    return 0


if __name__ == "__main__":
    servers.run_script(main)
