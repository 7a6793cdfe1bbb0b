"""How pyoxigraph's time grows with each construct the query guards limit, and where the limits stand.

    python bench/guards.py                            # every construct at its default sizes
    python bench/guards.py --constructs path union --cap-s 10

For each construct (a property path of n steps, a chain of n `||`, n UNION branches,
n triple patterns joined on one subject, nesting n deep, n VALUES rows, a query of n
bytes…) and each size, a fresh process parses the query (the text with a syntax
error appended: pyoxigraph parses all of it, then refuses) and runs it (parse, plan,
evaluate and serialize as SPARQL JSON) on a small store of 1,000 triples, on a thread
with the 512 MB stack of nkd's query threads. A run past ``--cap-s`` is stopped and the
construct's larger sizes are skipped; a crash is reported as such. Beside the times,
the verdict of ``check_query`` with the default settings: answered, or refused by
which setting — so the table shows where each limit stands against the cost it
bounds. The growth column is the exponent k of time ∝ n^k between two sizes.

Prints a markdown report and saves it with the raw numbers under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import servers
from measure import ROOT, describe_machine, load_average, machine, markdown_table, publish

P = "<http://example.org/p>"


@dataclass(frozen=True)
class Construct:
    """A query shape that grows with n, the sizes to try, and the setting that limits it."""

    make: Callable[[int], str]
    sizes: tuple[int, ...]
    setting: str
    what: str


CONSTRUCTS: dict[str, Construct] = {
    "path": Construct(lambda n: f"SELECT * WHERE {{ ?s {P}" + f"/{P}" * (n - 1) + " ?o }",
                      (50, 100, 200, 300, 500, 1000), "max_path_steps", "property path of n `/` steps"),
    "path-alternatives": Construct(lambda n: f"SELECT * WHERE {{ ?s {P}" + f"|{P}" * (n - 1) + " ?o }",
                                   (100, 1000, 3000, 10000), "max_query_bytes",
                                   "property path of n `|` alternatives"),
    "or": Construct(lambda n: "SELECT * WHERE { ?s ?p ?o FILTER("
                    + " || ".join(f"?o = {i}" for i in range(n)) + ") }",
                    (130, 300, 1000, 2000, 3000), "max_chain_operators", "FILTER of n `||` alternatives"),
    "and": Construct(lambda n: "SELECT * WHERE { ?s ?p ?o FILTER("
                     + " && ".join(f"?o != {i}" for i in range(n)) + ") }",
                     (130, 300, 1000, 2000, 3000), "max_chain_operators", "FILTER of n `&&` conditions"),
    "plus": Construct(lambda n: "SELECT ((1" + " + 1" * (n - 1) + ") AS ?x) WHERE {}",
                      (300, 1000, 3000, 10000), "max_chain_operators", "sum of n terms"),
    "not": Construct(lambda n: "SELECT ((" + "!" * n + "true) AS ?x) WHERE {}",
                     (1000, 10000, 100000), "max_chain_operators", "n `!` in a row"),
    "union": Construct(lambda n: "SELECT * WHERE { "
                       + " UNION ".join(f"{{ ?s {P} {i} }}" for i in range(n)) + " }",
                       (100, 300, 1000, 2000, 3000), "max_union_branches", "UNION of n branches"),
    "star": Construct(lambda n: "SELECT * WHERE { "
                      + " ".join(f"?s <http://example.org/p{i % 10}> ?o{i} ." for i in range(n)) + " }",
                      (25, 50, 100, 150, 200), "max_group_patterns", "n triple patterns on one subject"),
    "optional": Construct(lambda n: f"SELECT * WHERE {{ ?s {P} ?o "
                          + " ".join(f"OPTIONAL {{ ?s <http://example.org/p{i % 10}> ?o{i} }}"
                                     for i in range(n)) + " }",
                          (50, 100, 200), "max_group_patterns", "n OPTIONALs in one group"),
    "nest-braces": Construct(lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
                             (100, 1000, 10000, 100000), "max_query_depth", "`{}` nested n deep"),
    "nest-optional": Construct(lambda n: "SELECT * WHERE " + f"{{ ?s {P} ?o OPTIONAL " * n + "{}" + "}" * n,
                               (100, 300, 1000), "max_query_depth", "OPTIONAL nested n deep"),
    "nest-bnodes": Construct(lambda n: f"SELECT * WHERE {{ ?s {P} " + f"[ {P} " * n + "1" + " ]" * n + " }",
                             (50, 100, 300), "max_group_patterns", "blank-node property lists nested n deep"),
    "values": Construct(lambda n: "SELECT * WHERE { VALUES ?s { "
                        + " ".join(f"<https://w3id.org/nkd/id/person/defector-{i}>" for i in range(n))
                        + " } ?s ?p ?o }",
                        (1000, 2000, 10000), "max_query_bytes", "VALUES of n IRIs"),
    "in": Construct(lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(?o IN ("
                    + ", ".join(str(i) for i in range(n)) + ")) }",
                    (1000, 10000, 50000), "max_query_bytes", "IN list of n values"),
    "length": Construct(lambda n: 'SELECT * WHERE { ?s ?p "' + "x" * (n - 28) + '" }',
                        (10_000, 100_000, 500_000, 1_000_000), "max_query_bytes",
                        "query of n bytes (one long literal)"),
}

QUERY_THREAD_STACK_BYTES = 512 * 1024 * 1024  # as nkd's query threads (server/runner.py)


# --------------------------------------------------------------------------- one measurement, in a child


def small_store():  # type: ignore[no-untyped-def]
    """1,000 triples: 100 subjects with 10 predicates each, objects 0-9."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://example.org/s{s}"), ox.NamedNode(f"http://example.org/p{p}"),
                              ox.Literal(p)) for s in range(100) for p in range(10))
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://example.org/s{s}"), ox.NamedNode("http://example.org/p"),
                              ox.Literal(s % 10)) for s in range(100))
    return store


def child(name: str, n: int, repeat: int) -> None:
    """Time parsing and running one query (on a big-stack thread); print the times as JSON."""
    import io

    import pyoxigraph as ox

    text = CONSTRUCTS[name].make(n)
    store = small_store()
    found: dict[str, object] = {}

    def timed(query: str, run: bool) -> float:
        started = time.perf_counter()
        try:
            result = store.query(query, use_default_graph_as_union=True)
            if run:
                result.serialize(io.BytesIO(), ox.QueryResultsFormat.JSON)
        except SyntaxError:
            if run:
                raise
        return time.perf_counter() - started

    def work() -> None:
        try:
            parse = [timed(text + " BROKEN", run=False)]
            total = [timed(text, run=True)]
            while len(total) < repeat and total[-1] < 1.0:  # repeat what is quick
                parse.append(timed(text + " BROKEN", run=False))
                total.append(timed(text, run=True))
            found.update(parse_s=statistics.median(parse), total_s=statistics.median(total))
        except Exception as exc:  # reported, not raised: the parent prints the table
            found.update(error=f"{type(exc).__name__}: {str(exc)[:120]}")

    threading.stack_size(QUERY_THREAD_STACK_BYTES)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    print(json.dumps(found))


# --------------------------------------------------------------------------- the report


def verdict(text: str) -> str:
    """What ``check_query`` with the default settings says: answered, or refused by which setting."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the checkout's code, whatever is installed
    from nkd.errors import NkdError, PayloadTooLarge, QueryTooComplex
    from nkd.guards import check_query
    from nkd.settings import load_settings

    settings = load_settings(environ={})
    try:
        check_query(text, settings)
    except QueryTooComplex as err:
        return f"refused ({err.setting} {err.limit:,})"
    except PayloadTooLarge:
        return f"refused (max_query_bytes {settings.max_query_bytes:,})"
    except NkdError as err:
        return f"refused ({err.title})"
    return "answered"


def measure(name: str, n: int, cap_s: float, repeat: int) -> dict[str, object]:
    """Run :func:`child` in a fresh process, stopped after ``cap_s`` seconds."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(n), str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap_s + 10)  # + start-up
    except subprocess.TimeoutExpired:
        return {"error": f"over {cap_s:g} s"}
    if done.returncode != 0:
        return {"error": f"crashed (exit {done.returncode})"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("total_s", 0) > cap_s:
        result["stopped"] = True  # measured, but larger sizes would take longer still
    return result


def seconds(value: object) -> str:
    """A duration for the table."""
    if not isinstance(value, (int, float)):
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--constructs", nargs="+", choices=sorted(CONSTRUCTS), default=list(CONSTRUCTS))
    parser.add_argument("--cap-s", type=float, default=20.0, help="stop a run after this long (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of a query under 1 s, median (default 3)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return 0
    info = machine()
    rows, raw = [], []
    for name in args.constructs:
        construct = CONSTRUCTS[name]
        previous: tuple[int, float] | None = None
        for n in construct.sizes:
            text = construct.make(n)
            result = measure(name, n, args.cap_s, args.repeat)
            total = result.get("total_s")
            growth = "-"
            if isinstance(total, float) and previous and previous[1] > 0.005 and total > 0:
                growth = f"{math.log(total / previous[1]) / math.log(n / previous[0]):.1f}"
            rows.append([name, f"{n:,}", f"{len(text.encode()):,}", verdict(text), seconds(result.get("parse_s")),
                         result.get("error") or seconds(total), growth])
            raw.append({"construct": name, "n": n, "bytes": len(text.encode()), **result})
            print(" | ".join(rows[-1]), file=sys.stderr)
            if "error" in result or result.get("stopped"):
                break  # larger sizes would take longer still
            previous = (n, total) if isinstance(total, float) else previous
    body = markdown_table(["construct", "n", "bytes", "check_query (default settings)", "parse",
                           "parse + plan + run", "growth k"], rows)
    what = "\n".join(f"- `{name}`: {CONSTRUCTS[name].what} (limited by `{CONSTRUCTS[name].setting}`)"
                     for name in args.constructs)
    markdown = (f"### Query guards — `python bench/guards.py`\n\n{describe_machine(info, load_average())}\n\n"
                f"{body}\n\n{what}\n\nTimes are medians of {args.repeat} runs under 1 s, single runs above; "
                f"runs stopped after {args.cap_s:g} s.\n")
    publish("guards", markdown, {"machine": info, "results": raw})
    return 0


if __name__ == "__main__":
    servers.run_script(main)
