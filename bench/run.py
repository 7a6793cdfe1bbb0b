"""Query latency of nkd beside Oxigraph server and the in-process floor, on the same data, in one run.

    python bench/run.py                      # 1M triples: nkd serve, Oxigraph server, in-process
    python bench/run.py --size 100k --repeat 10
    python bench/run.py --endpoint mine=http://127.0.0.1:8000/sparql --size 100k

By default it generates (once) the synthetic graph of ``--size``, starts ``nkd serve
--data FILE`` with default settings and Oxigraph server over the same file (loaded
with ``oxigraph load``, default graph = union of the graphs, as in nkd), loads the
file into a pyoxigraph store in this process for the floor, and then, query by
query, warms each up and times ``--repeat`` runs (``--fast-repeat`` for a query every
endpoint answered in under 10 ms while warming up: noise moves the median of a
sub-millisecond lookup by tenths of a millisecond over 20 runs), interleaved (nkd,
Oxigraph, floor, rotating who goes first) so that all three see the same noise. Tables are
asked for as SPARQL JSON, graphs as Turtle. Every answer is checked (status 200, the
same number of rows or triples everywhere) before timing starts.

It prints a markdown report and saves it, with the raw numbers as JSON, under
``bench/results/``: per query the median and p95 of each, the nkd/Oxigraph ratio,
the geometric means, the 100k-row JSON throughput, nkd's total RSS (master and
workers, from /proc) and the issue's targets, each marked met or missed. With
``--endpoint NAME=URL`` it measures running endpoints instead (any SPARQL 1.1
endpoint; nothing is started, the names ``nkd`` and ``oxigraph`` get the ratio).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import generate
import servers
from measure import (BenchQuery, HttpEndpoint, InProcess, Summary, describe_machine, geomean, load_average,
                     load_queries, machine, markdown_table, ms, parse_endpoint, parse_variable, publish,
                     result_size, triples_in)

SUBJECT, BASELINE, FLOOR = "nkd", "oxigraph", InProcess.name
ROWS_QUERY = "rows-100k"
LOOKUP_MS, LOOKUP_LIMIT_MS = 1.0, 1.5  # "sub-millisecond lookups stay under 1.5 ms median"
RATIO_TARGET = 0.7
FAST_QUERY_S = 0.010  # queries this quick get --fast-repeat timed runs
RSS_LIMIT = 1_000_000_000


def data_files(args: argparse.Namespace) -> list[Path]:
    """The RDF files to serve: ``--data``, or the generated graph of ``--size``."""
    if args.data:
        missing = [p for p in args.data if not p.is_file()]
        if missing:
            raise servers.BenchError(f"no such file: {', '.join(map(str, missing))}")
        return list(args.data)
    return [generate.ensure(args.size)]


def check_answers(targets: Sequence[Any], queries: Sequence[BenchQuery]) -> dict[str, dict[str, int]]:
    """Run every query once on every target; fail on a non-200; return result sizes per query."""
    sizes: dict[str, dict[str, int]] = {}
    for query in queries:
        sizes[query.name] = {}
        for target in targets:
            _, status, body = target.fetch(query)
            if status != 200:
                raise servers.BenchError(
                    f"{target.name} answered {status} to {query.name}: {body[:500].decode(errors='replace')}")
            sizes[query.name][target.name] = result_size(query, body)
    return sizes


def measure(targets: Sequence[Any], queries: Sequence[BenchQuery], repeat: int, warmup: int,
            progress: bool = True, fast_repeat: int | None = None
            ) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    """Interleaved timings: per query, per target, seconds values; and bytes per answer.

    ``repeat`` values per query, or ``fast_repeat`` (when given) for a query that every
    target answered in under :data:`FAST_QUERY_S` during the warm-up.
    """
    times: dict[str, dict[str, list[float]]] = {}
    body_bytes: dict[str, int] = {}
    for query in queries:
        times[query.name] = {target.name: [] for target in targets}
        slowest = 0.0
        for target in targets:
            for _ in range(warmup):
                slowest = max(slowest, target.fetch(query)[0])
        runs = fast_repeat if fast_repeat is not None and warmup and slowest < FAST_QUERY_S else repeat
        for rep in range(runs):
            shift = rep % len(targets)
            for target in list(targets[shift:]) + list(targets[:shift]):
                elapsed, status, body = target.fetch(query)
                if status != 200:
                    raise servers.BenchError(f"{target.name} answered {status} to {query.name} during timing")
                times[query.name][target.name].append(elapsed)
                if target.name == SUBJECT or query.name not in body_bytes:
                    body_bytes[query.name] = len(body)
        if progress:
            medians = "  ".join(f"{t.name} {ms(Summary.of(times[query.name][t.name]).median)} ms"
                                for t in targets)
            print(f"  {query.name:<20} {medians}", file=sys.stderr, flush=True)
    return times, body_bytes


def merge_rounds(rounds: list[dict[str, dict[str, list[float]]]]) -> dict[str, dict[str, list[float]]]:
    """All samples of several rounds together."""
    merged: dict[str, dict[str, list[float]]] = {}
    for one in rounds:
        for query, per_target in one.items():
            for target, values in per_target.items():
                merged.setdefault(query, {}).setdefault(target, []).extend(values)
    return merged


def report(title: str, info: dict[str, Any], load_after: str, queries: Sequence[BenchQuery],
           names: Sequence[str], summaries: dict[str, dict[str, Summary]], sizes: dict[str, dict[str, int]],
           body_bytes: dict[str, int], memory: dict[str, servers.Memory], startup: dict[str, float],
           notes: Sequence[str]) -> tuple[str, list[tuple[str, bool]]]:
    """The markdown report and the list of (target, met?)."""
    compare = SUBJECT in names and BASELINE in names
    header = ["query", "rows"]
    for name in names:
        header += [f"{name} median ms", f"{name} p95 ms"]
    if compare:
        header.append(f"{SUBJECT}/{BASELINE}")
    rows = []
    verdicts: list[tuple[str, bool]] = []
    slow: list[str] = []
    for query in queries:
        per = summaries[query.name]
        counts = sizes[query.name]
        distinct = sorted(set(counts.values()))
        row: list[object] = [query.name, f"{distinct[0]:,}" if len(distinct) == 1
                             else " / ".join(f"{n}: {c:,}" for n, c in counts.items()) + " (differ!)"]
        for name in names:
            row += [ms(per[name].median), ms(per[name].p95)]
        if compare:
            ratio = per[SUBJECT].median / per[BASELINE].median
            row.append(f"{ratio:.2f}")
            is_lookup = per[BASELINE].median * 1000 < LOOKUP_MS
            ok = ratio <= 1.0 or (is_lookup and per[SUBJECT].median * 1000 < LOOKUP_LIMIT_MS)
            if not ok:
                slow.append(query.name)
        rows.append(row)
    means = {name: geomean(summaries[q.name][name].median for q in queries) for name in names}
    total: list[object] = ["**geometric mean**", ""]
    for name in names:
        total += [f"**{ms(means[name])}**", ""]
    if compare:
        ratio = means[SUBJECT] / means[BASELINE]
        total.append(f"**{ratio:.2f}**")
        verdicts.append((f"geometric-mean median latency ≤ {RATIO_TARGET}× Oxigraph server's "
                         f"(measured {ratio:.2f}×)", ratio <= RATIO_TARGET))
        verdicts.append(("no query slower than Oxigraph server's, except sub-millisecond lookups under "
                         f"{LOOKUP_LIMIT_MS} ms median" + (f" (slower: {', '.join(slow)})" if slow else ""),
                         not slow))
    rows.append(total)

    lines = [f"## {title}", "", describe_machine(info, load_after), "", markdown_table(header, rows), ""]
    if ROWS_QUERY in summaries:
        row_count = max(sizes[ROWS_QUERY].values())
        per = summaries[ROWS_QUERY]
        through = {name: row_count / per[name].median for name in names}
        lines.append(f"{ROWS_QUERY} as SPARQL JSON ({row_count:,} rows, {body_bytes[ROWS_QUERY] / 2**20:.1f} MiB): "
                     + ", ".join(f"{name} {through[name]:,.0f} rows/s "
                                 f"({body_bytes[ROWS_QUERY] / per[name].median / 2**20:.0f} MiB/s)"
                                 for name in names) + ".")
        lines.append("")
        if compare:
            verdicts.append((f"{ROWS_QUERY} JSON throughput ≥ Oxigraph server's "
                             f"({through[SUBJECT] / through[BASELINE]:.2f}×)",
                             through[SUBJECT] >= through[BASELINE]))
    for name, mem in memory.items():
        lines.append(f"Memory of {name} after the run: {mem.describe()}.")
    if SUBJECT in memory:
        verdicts.append((f"total RSS of nkd serve under 1 GB ({memory[SUBJECT].rss / 1e9:.2f} GB)",
                         memory[SUBJECT].rss < RSS_LIMIT))
    for name, seconds in startup.items():
        lines.append(f"{name} answered its first query {seconds:.1f} s after start (including loading).")
    lines.append("")
    if verdicts:
        lines += ["Targets:", ""] + [f"- {'met' if ok else '**missed**'}: {text}" for text, ok in verdicts]
        lines.append("")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n", verdicts


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--size", default="1M", help="synthetic graph size: 10k, 100k, 1M, 10M (default 1M)")
    parser.add_argument("--data", type=Path, nargs="+", help="serve these RDF files instead of a synthetic graph")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query and endpoint (default 20)")
    parser.add_argument("--fast-repeat", type=int, default=500,
                        help=f"timed runs of a query answered in under {FAST_QUERY_S * 1000:g} ms (default 500)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="go through the whole mix this many times and pool the samples (default 1)")
    parser.add_argument("--queries", nargs="+", metavar="NAME", help="only these queries of bench/queries/")
    parser.add_argument("--method", choices=("GET", "POST"), default="GET", help="how to send queries (default GET)")
    parser.add_argument("--endpoint", type=parse_endpoint, action="append", metavar="NAME=URL",
                        help="measure this running endpoint instead of starting servers (repeatable)")
    parser.add_argument("--no-oxigraph", action="store_true", help="do not start Oxigraph server")
    parser.add_argument("--no-floor", action="store_true", help="skip the in-process floor")
    parser.add_argument("--with-minimal", action="store_true",
                        help="also measure bench/minimal_endpoint.py (Flask + gunicorn + pyoxigraph, no guards)")
    parser.add_argument("--nkd-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for nkd serve, e.g. --nkd-arg=--workers=4 (default settings otherwise)")
    parser.add_argument("--nkd-store", action="store_true",
                        help="serve nkd from an on-disk store built with nkd load (nkd serve --store) "
                             "instead of --data")
    parser.add_argument("--nkd-env", type=parse_variable, action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment variable for nkd serve (repeatable)")
    args = parser.parse_args(argv)
    queries = load_queries(names=args.queries)
    info = machine()
    files = data_files(args)
    targets: list[Any] = []
    memory: dict[str, servers.Memory] = {}
    startup: dict[str, float] = {}
    notes = [f"data: {', '.join(p.name for p in files)}; {args.repeat} timed runs per query and endpoint "
             f"({args.fast_repeat} for queries answered in under {FAST_QUERY_S * 1000:g} ms) "
             f"× {args.rounds} round(s) after {args.warmup} warm-up runs, interleaved; "
             f"queries sent by HTTP {args.method}, one keep-alive connection per endpoint."]
    started_services: list[servers.Service] = []
    try:
        if args.endpoint:
            for name, url in args.endpoint:
                started_services.append(servers.external(name, url))
                targets.append(HttpEndpoint(name, url, args.method))
        else:
            print(f"starting nkd serve on {files[0].name} …", file=sys.stderr, flush=True)
            nkd_env = dict(args.nkd_env)
            if args.nkd_store:
                store = Path(tempfile.mkdtemp(prefix="nkd-bench-store-"))
                try:
                    servers.nkd_load(store / "store", files)
                except BaseException:
                    shutil.rmtree(store, ignore_errors=True)
                    raise
                nkd = servers.start_nkd(store=store / "store", extra=args.nkd_arg, env=nkd_env, cleanup=[store])
                notes.append("nkd served an on-disk store built with nkd load (nkd serve --store)")
            else:
                nkd = servers.start_nkd(files, extra=args.nkd_arg, env=nkd_env)
            startup[SUBJECT] = nkd.first_answer_s  # from its start (after any nkd load)
            started_services.append(nkd)
            targets.append(HttpEndpoint(SUBJECT, nkd.query_url, args.method))
            if args.nkd_arg or args.nkd_env:
                notes.append("nkd serve ran with " + " ".join([f"{k}={v}" for k, v in args.nkd_env] + args.nkd_arg))
            if not args.no_oxigraph:
                print("loading and starting Oxigraph server …", file=sys.stderr, flush=True)
                began = time.monotonic()
                oxigraph = servers.start_oxigraph(files)
                # oxigraph load, then the server's start to its first answer (not the idle wait after).
                startup[BASELINE] = oxigraph.started_at + oxigraph.first_answer_s - began
                started_services.append(oxigraph)
                targets.append(HttpEndpoint(BASELINE, oxigraph.query_url, args.method))
        if args.with_minimal and not args.endpoint:
            print("starting the minimal Flask endpoint …", file=sys.stderr, flush=True)
            minimal = servers.start_minimal(files)
            started_services.append(minimal)
            targets.append(HttpEndpoint(minimal.name, minimal.query_url, args.method))
        if not args.no_floor:
            print("loading the in-process floor …", file=sys.stderr, flush=True)
            targets.append(InProcess(files))

        print("checking every answer …", file=sys.stderr, flush=True)
        sizes = check_answers(targets, queries)
        rounds = []
        body_bytes: dict[str, int] = {}
        for number in range(args.rounds):
            print(f"round {number + 1}/{args.rounds}:", file=sys.stderr, flush=True)
            timings, body_bytes = measure(targets, queries, args.repeat, args.warmup, fast_repeat=args.fast_repeat)
            rounds.append(timings)
        for service in started_services:
            if service.pid is not None:
                memory[service.name] = servers.memory(service.pid)
    finally:
        for target in targets:
            target.close()
        servers.stop_all()

    samples = merge_rounds(rounds)
    names = [t.name for t in targets]
    summaries = {q: {n: Summary.of(samples[q][n]) for n in names} for q in samples}
    triples = triples_in(files[0]) if not args.data else None
    title = (f"Query mix at {args.size} ({triples:,} triples)" if triples and not args.data
             else f"Query mix on {', '.join(p.name for p in files)}")
    load_after = load_average()
    text, verdicts = report(title, info, load_after, queries, names, summaries, sizes, body_bytes,
                            memory, startup, notes)
    publish(f"run-{args.size if not args.data else 'data'}", text, {
        "machine": info, "load_after": load_after, "files": [str(p) for p in files],
        "samples_s": samples, "sizes": sizes, "body_bytes": body_bytes,
        "memory": {k: vars(v) for k, v in memory.items()}, "startup_s": startup,
        "targets": [{"target": t, "met": ok} for t, ok in verdicts],
    })
    return 0


if __name__ == "__main__":
    servers.run_script(main)
