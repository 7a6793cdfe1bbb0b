"""`nkd validate`: the graph against its shapes and its source texts, for people and for CI."""

from __future__ import annotations

import click

from ..errors import InputError
from .common import EXIT_FAILED, EXIT_OK


@click.command()
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
    from ..validation import validate as run_validation
    from ..validation import render, summary

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
