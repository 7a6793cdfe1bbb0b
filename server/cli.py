"""The `nkd` command: a thin shell over the library.

Commands turn :class:`~server.errors.NkdError` into a message and an exit code, never
a traceback: 0 success, 1 a failure of the work itself (violations, a refused or
timed-out query), 2 unusable input (unreadable files, bad options).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any, Callable

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
    return {int: "N", float: "SECONDS" if spec.name.endswith("_s") else "X", str: "TEXT"}.get(spec.parse, "BOOL")


def resolve_settings(options: dict[str, Any]) -> Settings:
    """Settings from the given option values (None: not given), the environment and defaults."""
    names = {spec.name for spec in SPECS}
    return load_settings({k: v for k, v in options.items() if k in names})


def fail(err: NkdError) -> None:
    """Print an error and how to fix it, then exit with its code."""
    click.echo(f"nkd: error: {err.message}", err=True)
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
@settings_options()
def serve(files: tuple[str, ...], data: tuple[str, ...], **options: Any) -> None:
    """Run the SPARQL endpoint and Linked Data server under gunicorn.

    Serves the shipped graph from memory unless RDF FILES (or --data FILE…) are given.
    """
    from .store import file_sources
    from .web.serve import NkdServer

    settings = resolve_settings(options)
    paths = list(data) + list(files)
    for path in paths:
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such file", path=path)
    file_sources(paths, settings.public_base)  # fail early on an unknown suffix
    NkdServer(settings, _app_factory(paths)).run()


def _app_factory(paths: list[str]) -> Callable[[Settings], Any]:
    def make_app(settings: Settings) -> Any:
        from .sparql import EmbeddedEngine, QueryRunner
        from .store import memory_store, shipped_store
        from .web import create_app
        from .web.serve import retire_worker

        store = memory_store(paths, settings.public_base) if paths else shipped_store(settings.public_base)
        engine = EmbeddedEngine(store, settings, QueryRunner(settings.threads, on_overrun=retire_worker))
        return create_app(settings, engine=engine)

    return make_app


@cli.command()
@click.argument("query")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "xml", "csv", "tsv",
                                 "turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"]),
              help="Output format: a readable table, or a result format (json, xml, csv, tsv: "
                   "SELECT/ASK) or an RDF format (turtle … trig: CONSTRUCT/DESCRIBE).")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Query these RDF files instead of the shipped graph.")
@settings_options(("query_timeout_s", "max_query_bytes", "max_query_depth", "max_query_operators",
                   "max_result_bytes", "public_base"))
def query(query: str, fmt: str, data: tuple[str, ...], **options: Any) -> None:
    """Run QUERY on the embedded store, with the same guards as the endpoint.

    QUERY is the query text, or @FILE to read it from a file (@- for standard input).
    Exit codes: 0 answered, 1 refused, timed out or failed, 2 bad query or input.
    """
    from .negotiation import ALL_FORMATS, find_format
    from .sparql import EmbeddedEngine, QueryRunner, check_query, offered_formats
    from .store import memory_store, shipped_store
    from .textual import render_table, render_triples

    settings = resolve_settings(options)
    text = _read_query_arg(query)
    try:
        checked = check_query(text, settings)
    except PayloadTooLarge as err:  # a query too long is bad input (2), unlike a result too large (1)
        raise InputError(err.message, hint=err.hint) from None
    store = memory_store(data, settings.public_base) if data else shipped_store(settings.public_base)
    engine = EmbeddedEngine(store, settings, QueryRunner(1))
    try:
        if fmt == "table":
            if checked.returns_graph:
                click.echo(render_triples(engine.triples(checked)), nl=False)
            else:
                click.echo(render_table(engine.table(checked, max_rows=sys.maxsize)), nl=False)
            return
        chosen = find_format(fmt, ALL_FORMATS)
        if chosen not in offered_formats(checked):
            raise InputError(f"--format {fmt} does not fit a {checked.form} query",
                             hint="Use json, xml, csv or tsv for SELECT/ASK; turtle, ntriples, jsonld, "
                                  "rdfxml, nquads or trig for CONSTRUCT/DESCRIBE.")
        with engine.serialize(checked, chosen) as result:
            shutil.copyfileobj(result, sys.stdout.buffer)
        sys.stdout.flush()
    except NkdError as err:
        if engine.runner.overruns:
            # The query thread cannot be stopped; end the process rather than wait for it.
            click.echo(f"nkd: error: {err.message}\nHow to fix: {err.hint}", err=True)
            sys.stderr.flush()
            os._exit(EXIT_FAILED)
        raise


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
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
