"""`nkd query`: one query, with the endpoint's guards, without a server."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..engine import DataSource, Engine, open_engine
from ..errors import InputError, PayloadTooLarge, QueryTimeout, QueryTooExpensive
from ..negotiation import QUERY_FORMATS, RDF_SYNTAXES, RESULTS_FORMATS
from ..settings import Settings
from .common import EXIT_FAILED, read_query_arg, resolve_settings, settings_options

# The settings that bound a query; the others are the server's.
QUERY_SETTINGS = ("query_timeout_s", "max_query_bytes", "max_query_depth", "max_chain_operators",
                  "max_union_branches", "max_path_steps", "max_group_patterns", "max_result_bytes",
                  "public_base")


@click.command()
@click.argument("query")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", *(f.name for f in QUERY_FORMATS)]),
              help=f"Output format: a readable table, or a result format "
                   f"({', '.join(f.name for f in RESULTS_FORMATS)}: SELECT/ASK) or an RDF format "
                   f"({', '.join(f.name for f in RDF_SYNTAXES)}: CONSTRUCT/DESCRIBE).")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Query these RDF files instead of the shipped graph.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False),
              help="Query the on-disk store built by `nkd load --store DIR`.")
@click.option("--endpoint", metavar="URL",
              help="Query an external SPARQL 1.1 store (as `nkd serve --endpoint` serves it), with the "
                   "same guards.")
@settings_options(QUERY_SETTINGS)
def query(query: str, fmt: str, data: tuple[str, ...], store_dir: str | None, endpoint: str | None,
          **options: Any) -> None:
    """Run QUERY on the shipped graph (or RDF files, an on-disk store, an external store),
    with the same guards as the endpoint.

    QUERY is the query text, or @FILE to read it from a file (@- for standard input).
    Exit codes: 0 answered, 1 refused, timed out or failed, 2 bad query or input.
    """
    from ..runner import QueryRunner
    from ..sparql import check_query, format_for
    from ..textual import render_table, render_triples

    settings = resolve_settings(options)
    text = read_query_arg(query)
    try:
        checked = check_query(text, settings)
    except PayloadTooLarge as err:  # a query too long is bad input (2), unlike a result too large (1)
        raise InputError(err.message, hint=err.hint) from None
    chosen = None if fmt == "table" else format_for(checked, fmt)
    engine = open_engine(settings, DataSource(data, store_dir, endpoint),
                         runner=QueryRunner.for_settings(settings, threads=1))
    try:
        if chosen is None:
            if checked.returns_graph:
                click.echo(render_triples(engine.triples(checked)), nl=False)
            else:
                table = engine.table(checked, max_rows=sys.maxsize)
                click.echo(render_table(table, figures=_figures(engine, settings, table)), nl=False)
            return
        # Whole, not streamed: the time limit would otherwise count the time a pager
        # (`nkd query … | less`) waits for its reader.
        sys.stdout.buffer.write(engine.serialize(checked, chosen))
        sys.stdout.flush()
    except (QueryTimeout, QueryTooExpensive) as err:
        # The query thread cannot be stopped; end the process rather than wait for it.
        click.echo(f"nkd: error: {err.message}\nHow to fix: {err.hint}", err=True)
        sys.stderr.flush()
        os._exit(EXIT_FAILED)
    finally:
        engine.close()


def _figures(engine: Engine, settings: Settings, table: Any) -> dict[str, str]:
    """The figure each IRI of a result table states, in its source's words, for the table to show."""
    from ..linked_data import LinkedData

    iris = [term.value for row in table.rows for term in row if term is not None and term.kind == "iri"]
    return LinkedData(engine, settings).figures(iris) if iris else {}


__all__ = ["QUERY_SETTINGS", "query"]
