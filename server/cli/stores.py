"""Commands that build a store: `nkd load` (on disk, for `nkd serve --store`) and `nkd push`
(into an external store, for `nkd serve --endpoint`)."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Callable, Iterator

import click

from .common import resolve_settings, settings_options

# Below this much input a load takes about a second: no bar, unless asked for.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False),
              help="Directory of the store to build; an existing store there is replaced only "
                   "once every file has loaded.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr [default: on a terminal, for inputs over 16 MB].")
@settings_options(("public_base",))
def load(files: tuple[str, ...], store_dir: str, progress: bool | None, **options: Any) -> None:
    """Build a persistent on-disk store for `nkd serve --store DIR`.

    Loads the shipped graph (ontology, graph, shapes) unless RDF FILES are given
    (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD). Each Turtle or N-Triples file
    becomes one named graph, named as `nkd serve` names it; N-Quads and TriG keep theirs.
    On any error (reported with file and line) an existing store is left unchanged.
    """
    import time

    from ..disk_store import build_store, input_size
    from ..store import file_sources, shipped_sources

    settings = resolve_settings(options)
    sources = file_sources(files, settings.public_base) if files else shipped_sources(settings.public_base)
    total = input_size(sources)
    if progress is None:
        progress = sys.stderr.isatty() and total >= PROGRESS_MIN_BYTES
    started = time.monotonic()
    with _progress_bar(total, enabled=progress) as on_bytes:
        build_store(store_dir, sources, settings.public_base, on_bytes=on_bytes)
    elapsed = time.monotonic() - started
    size = f"{total / 1e6:,.1f} MB" if total >= 100_000 else f"{total:,} bytes"
    click.echo(f"nkd: loaded {len(sources)} file(s), {size}, into {store_dir} in {elapsed:.1f} s", err=True)


@contextlib.contextmanager
def _progress_bar(total_bytes: int, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
              desc="loading", mininterval=0.5, dynamic_ncols=True) as bar:
        yield bar.update


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--to", "gsp_url", required=True, metavar="URL",
              help="The store's Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store "
                   "(Oxigraph) or http://user:password@HOST:8890/sparql-graph-crud-auth (Virtuoso); "
                   "credentials in the URL go as HTTP Digest when the store asks for it, else Basic.")
@click.option("--timeout-s", type=float, default=600.0, show_default=True, metavar="SECONDS",
              help="Longest wait for the store to take one graph.")
@settings_options(("public_base",))
def push(files: tuple[str, ...], gsp_url: str, timeout_s: float, **options: Any) -> None:
    """Load the graph into an external store through the SPARQL 1.1 Graph Store Protocol.

    Sends the shipped graph (or the RDF FILES given) with one PUT ?graph=IRI per file,
    as N-Triples, under the same graph names as the embedded store, replacing those
    graphs. Every file is parsed first; a syntax error stops the push before anything is
    sent.
    """
    from ..gsp import push as push_graphs
    from ..store import file_sources, shipped_sources

    settings = resolve_settings(options)
    sources = file_sources(files, settings.public_base) if files else shipped_sources(settings.public_base)

    def report(upload: Any) -> None:
        click.echo(f"nkd: pushed {upload.graph or '(default graph)'}: {upload.triples:,} triples", err=True)

    uploads = push_graphs(gsp_url, sources, timeout_s, on_upload=report)
    click.echo(f"nkd: pushed {len(uploads)} graph(s), {sum(u.triples for u in uploads):,} triples", err=True)
