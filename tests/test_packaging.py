"""The package carries its graph and its licences: a wheel built from this
tree holds ontology/, data/, queries/ and seeds/ under msskg/_bundle/ and
answers queries from another folder with nothing but itself on the path."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from msskg.graph.files import package_home, project_home

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("ontology", "data", "queries", "seeds")
PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("msskg-*.whl")
    return found


def test_an_editable_install_reads_the_working_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSSKG_HOME", raising=False)
    assert package_home() == project_home() == ROOT


def test_msskg_home_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSSKG_HOME", str(tmp_path))
    assert project_home() == tmp_path
    assert package_home() == ROOT


def test_the_wheel_holds_the_graph_and_both_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in BUNDLED:
        for path in (ROOT / folder).iterdir():
            assert f"msskg/_bundle/{folder}/{path.name}" in names
    assert {n.rsplit("/", 1)[1] for n in names if "/licenses/" in n} == {"LICENSE", "LICENSE-DATA"}
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    head = zipfile.ZipFile(wheel).read(metadata).decode().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MIT AND CC-BY-SA-4.0" in head
    assert {"License-File: LICENSE", "License-File: LICENSE-DATA"} <= set(head)


def test_the_metadata_names_both_licence_files() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT AND CC-BY-SA-4.0"
    assert project["license-files"] == ["LICENSE", "LICENSE-DATA"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Attribution-ShareAlike 4.0 International" in (ROOT / "LICENSE-DATA").read_text()


@pytest.mark.slow
def test_the_unpacked_wheel_answers_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MSSKG_HOME", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    # -I would drop PYTHONPATH; -P keeps the current folder off sys.path instead.
    code = "import msskg.graph.files as f; print(f.package_home())"
    where = subprocess.run(
        [sys.executable, "-P", "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert where.stdout.strip() == str(site / "msskg" / "_bundle")
    answer = subprocess.run(
        [sys.executable, "-P", "-m", "msskg", "query", "holder-at", "-p", "date=2021-08-15"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[1].startswith("Kim Jong-ho,,July 2021,September 2021,")
    # the chart's SVG needs no program: nothing on PATH (no Graphviz)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    drawn = subprocess.run(
        [sys.executable, "-P", "-m", "msskg", "chart", "--at", "2021", "-f", "svg"],
        cwd=elsewhere,
        env={**env, "PATH": str(empty)},
        capture_output=True,
        text=True,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert "<title>Ministry of Social Security in 2021</title>" in drawn.stdout
