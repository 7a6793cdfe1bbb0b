"""A non-editable install is the package `nkd` and carries the data: the wheel, installed in a
fresh virtual environment, imports as `nkd` (and `server` does not exist there), and its `nkd`
command queries and checks the shipped graph when run outside the checkout."""

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
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (no editable install of this checkout).

    Its dependencies are this environment's, through a path file: a path file's own
    directory lines do not run the path files found there, so the editable install of
    the checkout stays out.
    """
    env = tmp_path_factory.mktemp("venv")
    # Without a pip of its own (seconds to install): this environment's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    python = env / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    dependencies = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "dependencies.pth").write_text("".join(f"{p}\n" for p in dependencies), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True)
    return env


def test_wheel_carries_the_turtle_data_and_the_source_texts(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for kind in ("ontology", "graph", "shapes"):
        shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / kind).rglob("*") if p.is_file())
        assert shipped, f"{kind}/ is empty"
        for path in shipped:
            assert f"nkd/_data/{path}" in names
    assert any(n.startswith("nkd/_data/graph/sources/") and n.endswith(".txt") for n in names)
    assert not any(n.startswith("server/") for n in names)


def test_wheel_carries_the_query_editor_and_its_licences(wheel):
    # The query page loads YASQE and YASR from this server: the wheel must hold them.
    names = zipfile.ZipFile(wheel).namelist()
    vendor = ROOT / "server" / "web" / "static" / "vendor"
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in vendor.rglob("*") if p.is_file())
    for part in ("yasqe/yasqe.min.js", "yasqe/yasqe.min.css", "yasqe/LICENSE.txt",
                 "yasr/yasr.min.js", "yasr/yasr.min.css", "yasr/LICENSE.txt"):
        assert f"server/web/static/vendor/{part}" in shipped
    for path in shipped:
        assert "nkd/" + path.removeprefix("server/") in names


def _python(venv: Path, cwd: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def _nkd(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "nkd"), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_installed_package_is_nkd_and_server_is_gone(venv, tmp_path):
    located = _python(venv, tmp_path, "import nkd, nkd.data as d; print(nkd.__file__); print(d.data_root())")
    assert located.returncode == 0, located.stderr
    package, data = (Path(line) for line in located.stdout.split())
    assert venv in package.parents and package.parent.name == "nkd"
    assert data == package.parent / "_data"
    gone = _python(venv, tmp_path, "import server")
    assert gone.returncode == 1 and "No module named 'server'" in gone.stderr


def test_installed_wheel_queries_the_shipped_graph_outside_the_checkout(venv, tmp_path):
    counted = _nkd(venv, tmp_path, "query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.splitlines()[1]) > 0


def test_installed_wheel_validates_the_shipped_graph_outside_the_checkout(venv, tmp_path):
    validated = _nkd(venv, tmp_path, "validate", "--format", "json")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert json.loads(validated.stdout)["conforms"] is True
    assert '"graph/events.ttl"' in validated.stdout  # named by its place in the shipped data


THREE_LINES = '''import nkd
with nkd.open() as kg:
    for row in kg.query("SELECT ?s WHERE { ?s a nkd:Event } LIMIT 5"):
        print(row["s"])
'''


def test_the_installed_api_answers_in_three_lines(venv, tmp_path):
    answered = _python(venv, tmp_path, THREE_LINES)
    assert answered.returncode == 0, answered.stderr
    printed = answered.stdout.split()
    assert printed and all(line.startswith("https://w3id.org/nkd/id/event/") for line in printed)
