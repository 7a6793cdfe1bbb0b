"""A repeated query, with and without the shared cache in front: requests per second.

    python bench/cache.py                          # 50 clients, 30 s each, shipped graph
    python bench/cache.py --duration 10 --connections 20

Starts `nkd serve` (default settings) on the shipped graph and nginx (Debian's
nginx-light) with the shipped deploy/nginx/nkd.conf in front of it, then runs wrk
(``apt-get install wrk``) with the same GET — one of the example queries, as SPARQL JSON —
against nkd directly and through the cache, for ``--duration`` seconds each. Reports
requests per second, latency percentiles and errors, and the ratio (the target: the cache
at least 10× nkd alone). Printed and saved under bench/results/.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from typing import Any

import servers
from load import run_wrk
from measure import ROOT, describe_machine, load_average, machine, markdown_table, publish

RATIO_TARGET = 10.0


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--query", default="cq01", help="the example query of graph/queries/ to repeat (default cq01)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--duration", type=int, default=30, help="seconds per target (default 30)")
    parser.add_argument("--timeout", type=int, default=30, help="wrk's per-request timeout in seconds (default 30)")
    args = parser.parse_args(argv)
    info = machine()
    text = (ROOT / "graph" / "queries" / f"{args.query}.rq").read_text(encoding="utf-8")
    results: list[dict[str, Any]] = []
    try:
        print("starting nkd serve and nginx …", file=sys.stderr, flush=True)
        nkd = servers.start_nkd()
        cache = servers.start_nginx(urllib.parse.urlsplit(nkd.query_url).netloc)
        for label, service in (("nkd alone", nkd), ("nginx cache in front", cache)):
            path = urllib.parse.urlsplit(service.query_url).path + "?" + urllib.parse.urlencode({"query": text})
            print(f"{label}: {args.connections} clients for {args.duration} s …", file=sys.stderr, flush=True)
            result = run_wrk(service.query_url, [(path, "application/sparql-results+json")], args.connections,
                             args.threads, args.duration, args.timeout)
            results.append({"label": label, **result})
    finally:
        servers.stop_all()
    load_after = load_average()
    ratio = results[1]["rps"] / results[0]["rps"]
    table = markdown_table(
        ["target", "requests/s", "p50 ms", "p99 ms", "errors"],
        [[r["label"], f"{r['rps']:,.0f}", f"{r['p50'] / 1000:.1f}", f"{r['p99'] / 1000:.1f}", r["errors"]]
         for r in results])
    verdict = "met" if ratio >= RATIO_TARGET else "**missed**"
    markdown = (f"## A repeated query ({args.query}), with and without the cache\n\n"
                f"{describe_machine(info, load_after)}\n\n{table}\n\n"
                f"The cache answers {ratio:.1f}× the requests per second of nkd alone "
                f"(target ≥ {RATIO_TARGET:g}×: {verdict}); {args.connections} clients, {args.duration} s each, "
                f"wrk on the same machine.\n")
    publish("cache", markdown, {"machine": info, "load_after": load_after, "results": results, "ratio": ratio})
    return 0


if __name__ == "__main__":
    servers.run_script(main)
