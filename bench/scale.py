"""Scale figures of the on-disk store: load, size, memory, query latency and validation by graph size.

    python bench/scale.py                          # 10k, 100k, 1M
    python bench/scale.py --sizes 10k 100k 1M 10M  # 10M where time allows
    python bench/scale.py --sizes 10k --skip leak load-vs-oxigraph

For each size it generates (once) the synthetic graph, then:

- ``nkd load --store DIR FILE``: wall time, triples per second, peak RSS of the load
  process, and the store's size on disk;
- ``nkd serve --store DIR`` (default settings): seconds from start to the first
  answer of the mix's lookup, total RSS (master + workers) after start and after the mix,
  and the median latency of every query of the bench mix (``--repeat`` runs each,
  over HTTP, one client), so the growth curve is visible;
- ``nkd validate FILE`` for sizes up to ``--validate-max`` (1M by default): wall time
  and peak RSS (the synthetic graph conforms to the shipped shapes, so the time is that of
  a clean run, not of writing thousands of reports).

Then, at ``--compare-size`` (1M), ``nkd load`` and ``oxigraph load`` on the same file,
interleaved ``--load-repeat`` times (target: nkd at least 0.9× Oxigraph's speed); and
the leak check: 10,000 queries (lookups of 400 subjects and the light queries, cycled, on
four connections) against ``nkd serve --store`` on that store, with the server's total
RSS sampled every 1,000 (target: flat, at most 10 % growth from the 1,000th query on).

A step whose command does not exist yet in this checkout (``nkd load``, ``nkd serve
--store``, ``nkd validate``) is reported as not available instead of failing the run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import generate
import servers
from measure import (LIGHT_QUERIES, BenchQuery, HttpEndpoint, describe_machine, load_average, load_queries,
                     lookup_of, machine, markdown_table, ms, publish, subjects, triples_in)

LOAD_RATIO_TARGET = 0.9
FIRST_ANSWER_TARGET_S = 1.0
LEAK_QUERIES, LEAK_SAMPLE_EVERY, LEAK_CONNECTIONS, LEAK_SUBJECTS = 10_000, 1_000, 4, 400
# "Flat": at most 10 % growth from the sample after the first 1,000 queries (once the
# cycled queries have touched every page they read) to the last.
LEAK_GROWTH_LIMIT = 0.10


def has_command(command: str, option: str | None = None) -> bool:
    """True when this checkout's ``nkd COMMAND`` exists (and its ``--help`` names ``option``)."""
    probe = servers.run_timed(servers.nkd_command(command, "--help"),
                              servers.log_dir() / f"probe-{command}.log", timeout_s=60, env=servers.NKD_ENV)
    return probe.code == 0 and (option is None or option in probe.log_path.read_text(errors="replace"))


def mix_latency(service: servers.Service, queries: list[BenchQuery], repeat: int) -> dict[str, float | str]:
    """Median seconds per query, one client, after one warm-up run each; the status when it fails.

    A query that fails (say 503 past ``query_timeout_s`` on a large store) is not
    repeated: its status stands in the table instead of a time.
    """
    endpoint = HttpEndpoint("nkd", service.query_url)
    medians: dict[str, float | str] = {}
    try:
        for query in queries:
            _, status, _ = endpoint.fetch(query)
            samples = []
            for _ in range(repeat if status == 200 else 0):
                elapsed, status, _ = endpoint.fetch(query)
                if status != 200:
                    break
                samples.append(elapsed)
            medians[query.name] = statistics.median(samples) if status == 200 else f"HTTP {status}"
    finally:
        endpoint.close()
    return medians


def one_size(size: str, args: argparse.Namespace, available: dict[str, bool], queries: list[BenchQuery],
             work: Path) -> dict[str, Any]:
    """Every figure for one size."""
    data = generate.ensure(size, progress=lambda m: print(m, file=sys.stderr))
    row: dict[str, Any] = {"size": size, "triples": triples_in(data), "file_bytes": data.stat().st_size}
    if available["validate"] and generate.parse_size(size) <= generate.parse_size(args.validate_max):
        print(f"{size}: nkd validate …", file=sys.stderr, flush=True)
        result = servers.run_timed(servers.nkd_command("validate", str(data)),
                                   servers.log_dir() / f"nkd-validate-{size}.log",
                                   timeout_s=args.validate_timeout, env=servers.NKD_ENV)
        row["validate"] = {"seconds": result.seconds, "code": result.code, "peak_rss": result.peak_rss,
                           "timed_out": result.code == -9}
    if not available["load"]:
        return row
    store = work / f"store-{size}"
    print(f"{size}: nkd load …", file=sys.stderr, flush=True)
    loaded = servers.nkd_load(store, [data])
    row["load"] = {"seconds": loaded.seconds, "peak_rss": loaded.peak_rss,
                   "store_bytes": servers.disk_usage(store)}
    if available["serve_store"]:
        print(f"{size}: nkd serve --store …", file=sys.stderr, flush=True)
        lookup = next((q.text for q in queries if q.name == "lookup"), "ASK {}")
        service = servers.start_nkd(store=store, probe=lookup)
        try:
            row["serve"] = {"first_answer_s": service.first_answer_s,
                            "memory_start": vars(servers.memory(service.pid))}
            row["latency_s"] = mix_latency(service, queries, args.repeat)
            row["serve"]["memory_after"] = vars(servers.memory(service.pid))
        finally:
            service.stop()
    if args.keep_stores:
        row["store_path"] = str(store)
    elif size != args.leak_size or "leak" in args.skip:  # the leak check serves that one again
        shutil.rmtree(store, ignore_errors=True)
    return row


def load_vs_oxigraph(size: str, repeat: int, work: Path) -> dict[str, Any]:
    """``nkd load`` and ``oxigraph load`` on the same file, interleaved; seconds per run."""
    data = generate.ensure(size)
    runs: dict[str, list[float]] = {"nkd": [], "oxigraph": []}
    for number in range(repeat):
        order = ("nkd", "oxigraph") if number % 2 == 0 else ("oxigraph", "nkd")
        for name in order:
            location = work / f"compare-{name}"
            shutil.rmtree(location, ignore_errors=True)
            print(f"{size}: {name} load, run {number + 1}/{repeat} …", file=sys.stderr, flush=True)
            loader = servers.nkd_load if name == "nkd" else servers.oxigraph_load
            result = loader(location, [data])
            runs[name].append(result.seconds)
            shutil.rmtree(location, ignore_errors=True)
    return {"size": size, "triples": triples_in(data), "runs_s": runs}


def leak_check(size: str, work: Path) -> dict[str, Any]:
    """Total RSS of ``nkd serve --store`` sampled every 1,000 of 10,000 queries."""
    store = work / f"store-{size}"  # built by one_size when the size was measured too
    if not store.is_dir():
        servers.nkd_load(store, [generate.ensure(size)])
    service = servers.start_nkd(store=store)
    samples = [(0, servers.memory(service.pid).rss)]
    errors = 0
    lock = threading.Lock()
    done = 0
    try:
        probe = HttpEndpoint("nkd", service.query_url)
        # A fixed set of queries, cycled: after the first round every page they touch is
        # cached, so growth after that is a leak, not a cache warming up.
        iris = subjects(probe, LEAK_SUBJECTS, seed=5)
        probe.close()
        light = load_queries(names=LIGHT_QUERIES)
        plan = [lookup_of(iris[i % len(iris)]) if i % 5 else light[(i // 5) % len(light)]
                for i in range(LEAK_QUERIES)]

        def client(part: list[BenchQuery]) -> None:
            nonlocal done, errors
            endpoint = HttpEndpoint("nkd", service.query_url)
            try:
                for query in part:
                    _, status, _ = endpoint.fetch(query)
                    with lock:
                        errors += status != 200
                        done += 1
            finally:
                endpoint.close()

        step = LEAK_SAMPLE_EVERY
        for start in range(0, LEAK_QUERIES, step):
            chunk = plan[start:start + step]
            threads = [threading.Thread(target=client, args=(chunk[i::LEAK_CONNECTIONS],))
                       for i in range(LEAK_CONNECTIONS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            samples.append((done, servers.memory(service.pid).rss))
            print(f"  {done:,} queries: {samples[-1][1] / 2**20:,.0f} MiB", file=sys.stderr, flush=True)
    finally:
        service.stop()
        shutil.rmtree(store, ignore_errors=True)
    return {"size": size, "samples": samples, "errors": errors}


def _cell(value: float | str) -> str:
    return ms(value) if isinstance(value, float) else value


def report(info: dict[str, Any], load_after: str, rows: list[dict[str, Any]], queries: list[BenchQuery],
           compare: dict[str, Any] | None, leak: dict[str, Any] | None, available: dict[str, bool]) -> str:
    """The markdown tables."""
    out = ["## Scale: on-disk store by graph size", "", describe_machine(info, load_after), ""]
    mib = lambda b: f"{b / 2**20:,.0f}"  # noqa: E731
    table = []
    for r in rows:
        load, serve, val = r.get("load"), r.get("serve"), r.get("validate")
        table.append([
            r["size"], f"{r['triples']:,}", mib(r["file_bytes"]),
            f"{load['seconds']:.1f}" if load else "n/a",
            f"{r['triples'] / load['seconds']:,.0f}" if load else "n/a",
            mib(load["peak_rss"]) if load else "n/a",
            mib(load["store_bytes"]) if load else "n/a",
            f"{serve['first_answer_s']:.2f}" if serve else "n/a",
            mib(serve["memory_start"]["rss"]) if serve else "n/a",
            mib(serve["memory_after"]["rss"]) if serve else "n/a",
            ("n/a" if not val else f"> {val['seconds']:.0f} (stopped)" if val["timed_out"]
             else f"{val['seconds']:.1f} (exit {val['code']})"),
            mib(val["peak_rss"]) if val else "n/a",
        ])
    out += [markdown_table(["size", "triples", "file MiB", "nkd load s", "triples/s", "load peak RSS MiB",
                            "store on disk MiB", "serve first answer s", "serve RSS at start MiB",
                            "serve RSS after mix MiB", "nkd validate s", "validate peak RSS MiB"], table), ""]
    missing = [name for name, ok in available.items() if not ok]
    if missing:
        out += [f"- not measured (skipped, or not in this checkout): {', '.join(missing)}", ""]
    with_latency = [r for r in rows if "latency_s" in r]
    if with_latency:
        out += ["Median query latency (ms) of `nkd serve --store`, one client over HTTP:", "",
                markdown_table(["query"] + [r["size"] for r in with_latency],
                               [[q.name] + [_cell(r["latency_s"][q.name]) for r in with_latency]
                                for q in queries]),
                ""]
    verdicts = []
    first = [r for r in rows if r.get("serve") and r["size"] == "1M"]
    if first:
        seconds = first[0]["serve"]["first_answer_s"]
        verdicts.append((f"`nkd serve --store` answers its first query within {FIRST_ANSWER_TARGET_S:g} s "
                         f"of start on 1M ({seconds:.2f} s)", seconds <= FIRST_ANSWER_TARGET_S))
    if compare:
        nkd_s, ox_s = (statistics.median(compare["runs_s"][n]) for n in ("nkd", "oxigraph"))
        ratio = ox_s / nkd_s
        out += [f"`nkd load` vs `oxigraph load`, {compare['size']} ({compare['triples']:,} triples), "
                f"interleaved, {len(compare['runs_s']['nkd'])} runs each:", "",
                markdown_table(["tool", "runs (s)", "median s", "triples/s"], [
                    [name, ", ".join(f"{s:.1f}" for s in compare["runs_s"][name]),
                     f"{statistics.median(compare['runs_s'][name]):.1f}",
                     f"{compare['triples'] / statistics.median(compare['runs_s'][name]):,.0f}"]
                    for name in ("nkd", "oxigraph")]), ""]
        verdicts.append((f"`nkd load` at least {LOAD_RATIO_TARGET}× the speed of `oxigraph load` "
                         f"({ratio:.2f}×)", ratio >= LOAD_RATIO_TARGET))
    if leak:
        samples = leak["samples"]
        base = samples[1][1] if len(samples) > 1 else samples[0][1]
        growth = samples[-1][1] / base - 1
        out += [f"Total RSS of `nkd serve --store` ({leak['size']}) across {LEAK_QUERIES:,} queries "
                f"({LEAK_CONNECTIONS} connections, {leak['errors']} errors):", "",
                markdown_table(["queries", "RSS MiB"], [[f"{n:,}", mib(b)] for n, b in samples]), ""]
        verdicts.append((f"RSS flat across {LEAK_QUERIES:,} queries: growth from the first "
                         f"{LEAK_SAMPLE_EVERY:,} to the last at most {LEAK_GROWTH_LIMIT:.0%} ({growth:+.1%})",
                         growth <= LEAK_GROWTH_LIMIT and leak["errors"] == 0))
    if verdicts:
        out += ["Targets:", ""] + [f"- {'met' if ok else '**missed**'}: {text}" for text, ok in verdicts] + [""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", nargs="*", default=["10k", "100k", "1M"],
                        help="sizes (default 10k 100k 1M; none: only the comparison and the leak check)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query at each size (default 5)")
    parser.add_argument("--validate-max", default="1M", help="largest size to validate (default 1M)")
    parser.add_argument("--validate-timeout", type=float, default=1800,
                        help="stop nkd validate after this many seconds (default 1800)")
    parser.add_argument("--compare-size", default="1M", help="size for nkd load vs oxigraph load (default 1M)")
    parser.add_argument("--load-repeat", type=int, default=3, help="runs of each loader (default 3)")
    parser.add_argument("--leak-size", default="1M", help="store size for the 10,000-query RSS check (default 1M)")
    parser.add_argument("--skip", nargs="+", default=[], choices=("validate", "load-vs-oxigraph", "leak"),
                        help="leave out these parts")
    parser.add_argument("--keep-stores", action="store_true", help="keep the stores built under bench/data/")
    args = parser.parse_args(argv)
    for size in args.sizes + [args.validate_max, args.compare_size, args.leak_size]:
        try:
            generate.parse_size(size)
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
    info = machine()
    available = {"load": has_command("load"), "serve_store": has_command("serve", "--store"),
                 "validate": "validate" not in args.skip and has_command("validate")}
    queries = load_queries()
    generate.DATA_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="stores-", dir=generate.DATA_DIR))
    rows, compare, leak = [], None, None
    try:
        for size in args.sizes:
            rows.append(one_size(size, args, available, queries, work))
        if available["load"] and "load-vs-oxigraph" not in args.skip:
            compare = load_vs_oxigraph(args.compare_size, args.load_repeat, work)
        if available["load"] and available["serve_store"] and "leak" not in args.skip:
            leak = leak_check(args.leak_size, work)
    finally:
        servers.stop_all()
        if not args.keep_stores:
            shutil.rmtree(work, ignore_errors=True)
    load_after = load_average()
    text = report(info, load_after, rows, queries, compare, leak, available)
    publish("scale", text, {"machine": info, "load_after": load_after, "sizes": rows,
                            "load_vs_oxigraph": compare, "leak": leak, "available": available})
    return 0


if __name__ == "__main__":
    servers.run_script(main)
