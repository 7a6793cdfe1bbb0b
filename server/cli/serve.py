"""`nkd serve`: the endpoint and Linked Data under gunicorn."""

from __future__ import annotations

from typing import Any, Callable

import click

from ..engine import DataSource
from ..settings import Settings
from .common import resolve_settings, settings_options


@click.command()
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
    from ..web.serve import NkdServer

    settings = resolve_settings(options)
    source = DataSource(data + files, store_dir, endpoint)
    # Here, in the master, so that a bad source stops the server before any worker forks.
    for warning in source.check(settings):
        click.echo(f"nkd: warning: {warning}", err=True)
    NkdServer(settings, app_factory(source, settings)).run()


def app_factory(source: DataSource, settings: Settings) -> Callable[[Settings], Any]:
    """What each gunicorn worker calls to build its app over ``source``."""
    from ..web import (about, browse, caching, delivery, errors, linked_data, protocol,  # noqa: F401
                       search, site, sources, sparql, system)

    # The imports above run here, in the master, once: workers are forked with them
    # loaded, so a worker (and a replacement after a crash or an overrun) starts faster.
    # So does the data's version, what ETags are made of: the same in every worker.
    version = source.version(settings)

    # Runs in each worker after the fork: a store or connection pool opened before it
    # would be shared by processes that must not share it.
    def make_app(settings: Settings) -> Any:
        from ..engine import open_engine
        from ..runner import QueryRunner
        from ..web import create_app
        from ..web.serve import abandon_worker, retire_worker

        runner = QueryRunner.for_settings(settings, on_overrun=retire_worker, on_memory_overrun=abandon_worker)
        return create_app(settings, engine=open_engine(settings, source, runner=runner, version=version))

    return make_app
