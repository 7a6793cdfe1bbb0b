"""What every command shares: settings as options, exit codes, errors as messages."""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from ..errors import BadRequest, InputError, NkdError, SettingError
from ..settings import SPECS, Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def settings_options(names: tuple[str, ...] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one option per row of the settings table (or the named rows) to a command."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for spec in reversed(SPECS):
            if names is not None and spec.name not in names:
                continue
            command = click.option(
                *spec.flags, spec.name, default=None, metavar=spec.metavar,
                help=f"{spec.help} [default: {spec.default}; {spec.values}; env: {spec.env}]",
            )(command)
        return command

    return decorate


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


def read_query_arg(value: str) -> str:
    """A QUERY argument's text: the text itself, ``@FILE`` read from a file, ``@-`` from stdin."""
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
