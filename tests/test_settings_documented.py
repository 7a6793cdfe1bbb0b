"""The README documents every setting and every command and option of `nkd`."""

from __future__ import annotations

import re

import click
import pytest

from conftest import ROOT
from nkd.cli import cli
from nkd.settings import SPECS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_table() -> dict[str, str]:
    """The rows of the README's Settings table, by setting name."""
    section = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`([a-z_0-9]+)`\s*\|", line)
        if match:
            rows[match.group(1)] = line
    return rows


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_every_setting_is_in_the_readme_table(spec):
    rows = _settings_table()
    assert spec.name in rows, f"setting {spec.name} is missing from the README's Settings table"
    row = rows[spec.name]
    assert f"`{spec.option}`" in row and f"`{spec.env}`" in row
    if spec.flag:
        assert f"`{spec.flag}`" in row
    default = "(empty)" if spec.default == "" else str(spec.default)
    assert f"`{default}`" in row, f"the README gives another default for {spec.name}"
    assert f"| {spec.values} |" in row, f"the README gives other values for {spec.name}"


def test_the_readme_table_has_no_stale_setting():
    assert set(_settings_table()) == {spec.name for spec in SPECS}


def _commands(group: click.Group, prefix: str = "nkd"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


COMMANDS = list(_commands(cli))
SETTING_OPTIONS = {spec.option for spec in SPECS} | {spec.flag for spec in SPECS if spec.flag}


@pytest.mark.parametrize("name, command", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_and_option_is_in_the_readme(name, command):
    assert f"`{name}" in README, f"`{name}` is not documented in the README"
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        flags = [flag for flag in param.opts if flag.startswith("--")]
        if any(flag in SETTING_OPTIONS for flag in flags):
            continue  # documented in the Settings table
        assert any(f"`{flag}" in README or f"{flag} " in README for flag in flags), \
            f"option {'/'.join(param.opts)} of `{name}` is not documented in the README"
