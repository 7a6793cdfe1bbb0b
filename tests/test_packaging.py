"""A non-editable install carries the data: the wheel serves and checks the shipped graph
when run outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = out.glob("nkd-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a directory of its own (dependencies come from this environment)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    return target


def test_wheel_carries_the_turtle_data_and_the_source_texts(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for kind in ("ontology", "graph", "shapes"):
        shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / kind).rglob("*") if p.is_file())
        assert shipped, f"{kind}/ is empty"
        for path in shipped:
            assert f"server/_data/{path}" in names
    assert any(n.startswith("server/_data/graph/sources/") and n.endswith(".txt") for n in names)


def test_wheel_carries_the_query_editor_and_its_licences(wheel):
    # The query page loads YASQE and YASR from this server: the wheel must hold them.
    names = zipfile.ZipFile(wheel).namelist()
    vendor = ROOT / "server" / "web" / "static" / "vendor"
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in vendor.rglob("*") if p.is_file())
    for part in ("yasqe/yasqe.min.js", "yasqe/yasqe.min.css", "yasqe/LICENSE.txt",
                 "yasr/yasr.min.js", "yasr/yasr.min.css", "yasr/LICENSE.txt"):
        assert f"server/web/static/vendor/{part}" in shipped
    for path in shipped:
        assert path in names


def _run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = "import sys; sys.path.insert(0, sys.argv.pop(1)); from server.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, str(installed), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_installed_wheel_queries_the_shipped_graph_outside_the_checkout(installed, tmp_path):
    located = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import server.data as d; print(d.data_root())",
         str(installed)], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(located.stdout.strip()) == installed / "server" / "_data"
    counted = _run_installed(installed, tmp_path, "query", "--format", "csv",
                             "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.splitlines()[1]) > 0


def test_installed_wheel_validates_the_shipped_graph_outside_the_checkout(installed, tmp_path):
    validated = _run_installed(installed, tmp_path, "validate", "--format", "json")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert json.loads(validated.stdout)["conforms"] is True
    assert '"graph/events.ttl"' in validated.stdout  # named by its place in the shipped data
