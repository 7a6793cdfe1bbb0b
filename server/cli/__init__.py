"""The `nkd` command: a thin shell over the library, one module per group of commands.

- :mod:`.serve`: `nkd serve`, the endpoint and Linked Data under gunicorn;
- :mod:`.query`: `nkd query`, one query without a server;
- :mod:`.validate`: `nkd validate`, for people and CI;
- :mod:`.curation`: `nkd sources add` and `nkd quote`, which add to the graph;
- :mod:`.stores`: `nkd load` and `nkd push`, which build a store;
- :mod:`.common`: the settings as options, exit codes, errors as messages.

Commands turn :class:`~nkd.errors.NkdError` into a message and an exit code, never
a traceback: 0 success, 1 a failure of the work itself (violations, a refused or
timed-out query), 2 unusable input (unreadable files, bad options).
"""

from __future__ import annotations

import sys

import click

from ..errors import NkdError
from .common import EXIT_FAILED, EXIT_INPUT, EXIT_OK, fail
from .curation import quote, sources
from .query import query
from .serve import serve
from .stores import load, push
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="nkd")
def cli() -> None:
    """nkd: an open knowledge graph of North Korean defection.

    Serve it over SPARQL and Linked Data, query it, and validate it against its shapes.
    """


for command in (serve, query, validate, sources, quote, load, push):
    cli.add_command(command)


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


__all__ = ["cli", "main"]
