"""Commands that add to the graph: `nkd sources add` (a source document) and `nkd quote`."""

from __future__ import annotations

import sys
from typing import Any

import click

from .common import EXIT_FAILED, resolve_settings, settings_options


@click.group()
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
    from ..sources import add_source

    settings = resolve_settings(options)
    added = add_source(file, title=title, url=url, publisher=publisher, author=author, published=published,
                       language=language, graph_path=graph_path, sources_dir=sources_dir,
                       base=settings.public_base)
    click.echo(added.turtle, nl=False)
    click.echo(f"nkd: added <{added.iri}>: text in {added.text_path}, description appended to {added.graph_path}\n"
               f'Next: nkd quote {added.iri.rsplit("/", 1)[-1]} "the words of a fact"', err=True)


@click.command("quote")
@click.argument("source")
@click.argument("words")
@click.option("--occurrence", default=1, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Which occurrence to name when the words occur more than once.")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Find SOURCE in these RDF files instead of the shipped graph.")
@click.option("--sources", "sources_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Read the source texts from DIR instead of the shipped graph/sources/.")
@settings_options(("public_base",))
def quote(source: str, words: str, occurrence: int, data: tuple[str, ...], sources_dir: str | None,
          **options: Any) -> None:
    """Print the W3C TextQuoteSelector that quotes WORDS from SOURCE, for an annotation.

    SOURCE is the source's IRI, src:SLUG or SLUG. The selector gets oa:prefix and oa:suffix
    when the words occur more than once. Exit codes: 0 found, 1 the words do not occur
    (the nearest passages are listed), 2 an unknown source or unreadable text.
    """
    from ..data import sources_dir as shipped_sources_dir
    from ..errors import QuoteNotFound
    from ..sources import quote as find_quote
    from ..sources import text_copy_of
    from ..validation import default_data_files

    settings = resolve_settings(options)
    iri, copy = text_copy_of(source, list(data) or default_data_files(), settings.public_base)
    try:
        found = find_quote(iri, copy, words, sources_dir or shipped_sources_dir(), occurrence)
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
