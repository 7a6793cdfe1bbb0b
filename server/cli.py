"""The `nkd` command: a thin shell over the library.

Commands turn :class:`~nkd.errors.NkdError` into a message and an exit code, never
a traceback: 0 success, 1 a failure of the work itself (violations, a refused or
timed-out query), 2 unusable input (unreadable files, bad options).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Callable, Iterator

import click

from .errors import BadRequest, InputError, NkdError, PayloadTooLarge, SettingError
from .settings import SPECS, Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def settings_options(names: tuple[str, ...] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one option per row of the settings table (or the named rows) to a command."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for spec in reversed(SPECS):
            if names is not None and spec.name not in names:
                continue
            flags = [spec.option] + ([spec.flag] if spec.flag else [])
            command = click.option(
                *flags, spec.name, default=None, metavar=_metavar(spec),
                help=f"{spec.help} [default: {spec.default}; env: {spec.env}]",
            )(command)
        return command

    return decorate


def _metavar(spec: Any) -> str:
    if isinstance(spec.default, bool):
        return "BOOL"
    return {int: "N", float: "SECONDS" if spec.name.endswith("_s") else "X"}.get(spec.parse, "TEXT")


def resolve_settings(options: dict[str, Any]) -> Settings:
    """Settings from the given option values (None: not given), the environment and defaults."""
    names = {spec.name for spec in SPECS}
    return load_settings({k: v for k, v in options.items() if k in names})


def fail(err: NkdError) -> None:
    """Print an error and how to fix it, then exit with its code."""
    click.echo(f"nkd: error: {err.message}", err=True)
    if err.details.get("excerpt"):  # the query's line with a caret under the mistake
        click.echo("\n" + err.details["excerpt"] + "\n", err=True)
    if err.hint:
        click.echo(f"How to fix: {err.hint}", err=True)
    sys.exit(EXIT_INPUT if isinstance(err, (InputError, SettingError, BadRequest)) else EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="nkd")
def cli() -> None:
    """nkd: an open knowledge graph of North Korean defection.

    Serve it over SPARQL and Linked Data, query it, and validate it against its shapes.
    """


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Serve these RDF files (Turtle, N-Triples, N-Quads, TriG) instead of the shipped graph.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False),
              help="Serve the on-disk store built by `nkd load --store DIR`: opened read-only by every "
                   "worker, nothing re-parsed.")
@click.option("--endpoint", metavar="URL",
              help="Serve an external SPARQL 1.1 store (e.g. Oxigraph server's http://HOST:7878/query, "
                   "Virtuoso's http://HOST:8890/sparql) behind the same interface, guards and caching; "
                   "see the --store-* settings.")
@settings_options()
def serve(files: tuple[str, ...], data: tuple[str, ...], store_dir: str | None, endpoint: str | None,
          **options: Any) -> None:
    """Run the SPARQL endpoint and Linked Data server under gunicorn.

    Serves the shipped graph from memory unless RDF FILES (or --data FILE…), an on-disk
    --store or an external --endpoint is given.
    """
    from .store import file_sources
    from .web.serve import NkdServer

    settings = resolve_settings(options)
    paths = list(data) + list(files)
    if sum(map(bool, (paths, store_dir, endpoint))) > 1:
        raise InputError("serve one thing: RDF FILES, --store DIR or --endpoint URL",
                         hint="Drop all but one of them.")
    for path in paths:
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such file", path=path)
    file_sources(paths, settings.public_base)  # fail early on an unknown suffix
    if store_dir:
        _check_store(store_dir, settings)
    if endpoint:
        from .remote import check_url

        check_url(endpoint)
    NkdServer(settings, _app_factory(paths, store_dir, endpoint, settings.public_base)).run()


def _check_store(store_dir: str, settings: Settings) -> None:
    from .disk_store import check_store

    info = check_store(store_dir)  # here, in the master: workers open it after the fork
    if info and info.public_base and info.public_base != settings.public_base:
        click.echo(f"nkd: warning: {store_dir} names its graphs under {info.public_base}, but the "
                   f"server's public_base is {settings.public_base}", err=True)


def _app_factory(paths: list[str], store_dir: str | None = None, endpoint: str | None = None,
                 public_base: str = "https://w3id.org/nkd/") -> Callable[[Settings], Any]:
    from .web import (about, browse, caching, delivery, errors, linked_data, protocol,  # noqa: F401
                      search, site, sources, sparql, system)

    # The imports above run here, in the master, once: workers are forked with them
    # loaded, so a worker (and a replacement after a crash or an overrun) starts faster.

    # Runs in each worker after the fork: a store or connection pool opened before it
    # would be shared by processes that must not share it.
    def make_app(settings: Settings) -> Any:
        from .web import create_app
        from .web.serve import abandon_worker, retire_worker

        if endpoint:
            from .remote import RemoteEngine

            # The store's data can change while nkd runs: the engine reads its version.
            return create_app(settings, engine=RemoteEngine(endpoint, settings))
        from .sparql import EmbeddedEngine, QueryRunner

        store = _embedded_store(settings, paths, store_dir)
        runner = QueryRunner.for_settings(settings, on_overrun=retire_worker, on_memory_overrun=abandon_worker)
        return create_app(settings, engine=EmbeddedEngine(store, settings, runner), version=version)

    # What ETags are made of, computed once here in the master: the same in every worker.
    version = None if endpoint else _data_version(paths, store_dir, public_base)
    return make_app


def _data_version(paths: list[str], store_dir: str | None, base: str) -> Any:
    """The version of the data `nkd serve` answers from: an on-disk store's, or its files'."""
    from .disk_store import disk_version
    from .store import file_sources, shipped_sources, sources_version

    if store_dir:
        return disk_version(store_dir)
    return sources_version(file_sources(paths, base) if paths else shipped_sources(base), base)


def _embedded_store(settings: Settings, paths: list[str] | tuple[str, ...], store_dir: str | None) -> Any:
    """The store to query: the on-disk one, the given files, or the shipped graph, in memory."""
    from .disk_store import open_store
    from .store import memory_store, shipped_store

    if store_dir:
        return open_store(store_dir)
    return memory_store(paths, settings.public_base) if paths else shipped_store(settings.public_base)


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "xml", "csv", "tsv",
                                 "turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"]),
              help="Output format: a readable table, or a result format (json, xml, csv, tsv: "
                   "SELECT/ASK) or an RDF format (turtle … trig: CONSTRUCT/DESCRIBE).")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Query these RDF files instead of the shipped graph.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False),
              help="Query the on-disk store built by `nkd load --store DIR`.")
@settings_options(("query_timeout_s", "max_query_bytes", "max_query_depth", "max_chain_operators",
                   "max_union_branches", "max_path_steps", "max_group_patterns", "max_result_bytes",
                   "public_base"))
def query(query: str, fmt: str, data: tuple[str, ...], store_dir: str | None, **options: Any) -> None:
    """Run QUERY on the embedded store, with the same guards as the endpoint.

    QUERY is the query text, or @FILE to read it from a file (@- for standard input).
    Exit codes: 0 answered, 1 refused, timed out or failed, 2 bad query or input.
    """
    from .negotiation import ALL_FORMATS, find_format
    from .sparql import EmbeddedEngine, QueryRunner, check_query, offered_formats
    from .textual import render_table, render_triples

    settings = resolve_settings(options)
    text = _read_query_arg(query)
    try:
        checked = check_query(text, settings)
    except PayloadTooLarge as err:  # a query too long is bad input (2), unlike a result too large (1)
        raise InputError(err.message, hint=err.hint) from None
    store = _embedded_store(settings, data, store_dir)
    engine = EmbeddedEngine(store, settings, QueryRunner.for_settings(settings, threads=1))
    try:
        if fmt == "table":
            if checked.returns_graph:
                click.echo(render_triples(engine.triples(checked)), nl=False)
            else:
                table = engine.table(checked, max_rows=sys.maxsize)
                click.echo(render_table(table, figures=_figures(engine, settings, table)), nl=False)
            return
        chosen = find_format(fmt, ALL_FORMATS)
        if chosen not in offered_formats(checked):
            raise InputError(f"--format {fmt} does not fit a {checked.form} query",
                             hint="Use json, xml, csv or tsv for SELECT/ASK; turtle, ntriples, jsonld, "
                                  "rdfxml, nquads or trig for CONSTRUCT/DESCRIBE.")
        # Whole, not streamed: the time limit would otherwise count the time a pager
        # (`nkd query … | less`) waits for its reader.
        sys.stdout.buffer.write(engine.serialize(checked, chosen))
        sys.stdout.flush()
    except NkdError as err:
        if engine.runner.overruns:
            # The query thread cannot be stopped; end the process rather than wait for it.
            click.echo(f"nkd: error: {err.message}\nHow to fix: {err.hint}", err=True)
            sys.stderr.flush()
            os._exit(EXIT_FAILED)
        raise


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--shapes", "shapes", multiple=True, type=click.Path(), metavar="FILE",
              help="Validate against these shapes files (or directories) instead of the shipped shapes.")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "turtle", "json", "junit", "github"]),
              help="text: grouped by file, for people; turtle: the SHACL validation report graph; "
                   "json: results as objects; junit: JUnit XML for CI; github: GitHub Actions annotations.")
@click.option("--allow-warnings", is_flag=True,
              help="Exit 0 when there are warnings (or infos) but no violation.")
@click.option("--sources", "sources", type=click.Path(), metavar="DIR",
              help="Read the source texts (each source's nkd:textCopy file) from DIR instead of the "
                   "shipped graph/sources/.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the report to FILE instead of standard output (a summary line still goes to stderr).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...], shapes: tuple[str, ...], fmt: str,
             allow_warnings: bool, sources: str | None, output: str | None) -> None:
    """Validate the shipped graph, or RDF FILES (or directories), against the SHACL shapes
    and against the source texts.

    The shipped ontology is always part of the data graph, so shapes that target a class
    reach its subclasses. The provenance checks read each source's text copy: quotes
    verbatim and unambiguous, figures that read from their words, conflicting figures
    linked, texts unchanged (SHA-256). Exit status: 0 conforms, 1 violations (or
    warnings, unless --allow-warnings), 2 a file could not be read (the message names
    file and line).
    """
    from .validation import validate as run_validation
    from .validation import render, summary

    report = run_validation(list(files) if files else None, list(shapes) if shapes else None,
                            sources=sources)
    text = render(report, fmt, allow_warnings)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise InputError(f"cannot write the report to {output}: {exc.strerror or exc}", path=output,
                             hint="Choose a writable --output path.") from None
    else:
        click.echo(text, nl=False)
    if output or fmt not in ("text", "github"):  # those two end with the summary themselves
        click.echo(summary(report, allow_warnings), err=True)
    ctx.exit(EXIT_FAILED if report.failed(allow_warnings) else EXIT_OK)


@cli.group()
def sources() -> None:
    """Add source documents to the graph (their texts are what every quote is checked against)."""


@sources.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--title", required=True, help="The document's title, as printed (names the source: id/source/{slug}).")
@click.option("--url", metavar="URL", help="Where the document is published (schema:url).")
@click.option("--publisher", metavar="NAME", help="Who published it (an nkd:Organization, dcterms:publisher).")
@click.option("--author", metavar="NAME", help="Who wrote it (an nkd:Person, dcterms:creator).")
@click.option("--published", metavar="DATE",
              help="When it was published, at the precision known: 2020, 2020-03 or 2020-03-15.")
@click.option("--language", default="en", show_default=True, help="The language of the title and text.")
@click.option("--graph", "graph_path", default="graph/sources.ttl", show_default=True, type=click.Path(dir_okay=False),
              help="The Turtle file the source's description is appended to.")
@click.option("--sources", "sources_dir", default="graph/sources", show_default=True, type=click.Path(file_okay=False),
              help="The directory the text is copied into (the text copies' home).")
@settings_options(("public_base",))
def sources_add(file: str, title: str, url: str | None, publisher: str | None, author: str | None,
                published: str | None, language: str, graph_path: str, sources_dir: str, **options: Any) -> None:
    """Copy the text FILE into the sources and describe it: the source, its text copy and its SHA-256.

    Run from the checkout. Then quote it with `nkd quote SOURCE "words"` and check the
    whole graph with `nkd validate`.
    """
    from .sources import add_source

    settings = resolve_settings(options)
    added = add_source(file, title=title, url=url, publisher=publisher, author=author, published=published,
                       language=language, graph_path=graph_path, sources_dir=sources_dir,
                       base=settings.public_base)
    click.echo(added.turtle, nl=False)
    click.echo(f"nkd: added <{added.iri}>: text in {added.text_path}, description appended to {added.graph_path}\n"
               f'Next: nkd quote {added.iri.rsplit("/", 1)[-1]} "the words of a fact"', err=True)


@cli.command("quote")
@click.argument("source")
@click.argument("words")
@click.option("--occurrence", default=1, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Which occurrence to name when the words occur more than once.")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Find SOURCE in these RDF files instead of the shipped graph.")
@click.option("--sources", "sources_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Read the source texts from DIR instead of the shipped graph/sources/.")
@settings_options(("public_base",))
def quote_command(source: str, words: str, occurrence: int, data: tuple[str, ...], sources_dir: str | None,
                  **options: Any) -> None:
    """Print the W3C TextQuoteSelector that quotes WORDS from SOURCE, for an annotation.

    SOURCE is the source's IRI, src:SLUG or SLUG. The selector gets oa:prefix and oa:suffix
    when the words occur more than once. Exit codes: 0 found, 1 the words do not occur
    (the nearest passages are listed), 2 an unknown source or unreadable text.
    """
    from .data import sources_dir as shipped_sources_dir
    from .errors import QuoteNotFound
    from .sources import quote, text_copy_of
    from .validation import default_data_files

    settings = resolve_settings(options)
    iri, copy = text_copy_of(source, list(data) or default_data_files(), settings.public_base)
    try:
        found = quote(iri, copy, words, sources_dir or shipped_sources_dir(), occurrence)
    except QuoteNotFound as err:
        click.echo(f"nkd: {err.message}; the nearest passages:", err=True)
        for passage in err.passages:
            click.echo(f"  line {passage.line}: {passage.text}", err=True)
        sys.exit(EXIT_FAILED)
    where = f"# line {found.line} of {found.text_path.name}"
    if len(found.lines) > 1:
        where += (f"; the words alone occur {len(found.lines)} times (lines {', '.join(map(str, found.lines))}), "
                  f"so oa:prefix and oa:suffix name occurrence {occurrence}")
    click.echo(f"{where}\n{found.turtle()}")


# Below this much input a load takes about a second: no bar, unless asked for.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024


@cli.command()
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

    from .disk_store import build_store, input_size
    from .store import file_sources, shipped_sources

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


@cli.command()
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
    from .gsp import push as push_graphs
    from .store import file_sources, shipped_sources

    settings = resolve_settings(options)
    sources = file_sources(files, settings.public_base) if files else shipped_sources(settings.public_base)

    def report(upload: Any) -> None:
        click.echo(f"nkd: pushed {upload.graph or '(default graph)'}: {upload.triples:,} triples", err=True)

    uploads = push_graphs(gsp_url, sources, timeout_s, on_upload=report)
    click.echo(f"nkd: pushed {len(uploads)} graph(s), {sum(u.triples for u in uploads):,} triples", err=True)


def _figures(engine: Any, settings: Settings, table: Any) -> dict[str, str]:
    """The figure each IRI of a result table states, in its source's words, for the table to show."""
    from .linked_data import LinkedData

    iris = [term.value for row in table.rows for term in row if term is not None and term.kind == "iri"]
    return LinkedData(engine, settings).figures(iris) if iris else {}


def _read_query_arg(value: str) -> str:
    if not value.startswith("@"):
        return value
    name = value[1:]
    try:
        if name == "-":
            return sys.stdin.read()
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query from {name}: {exc}", path=name) from None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `nkd` console script."""
    try:
        code = cli.main(args=argv, prog_name="nkd", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INPUT)
    except NkdError as err:
        fail(err)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug in nkd: still a message, never a traceback
        click.echo(f"nkd: internal error ({type(exc).__name__}): {exc}\n"
                   "How to fix: this is a bug in nkd; please report it with the command that caused it.", err=True)
        sys.exit(EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
