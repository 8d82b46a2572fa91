"""The synthetic-data generator, at a tiny size: deterministic, shaped like our
data (clean output validates without a single result), and every planted
error found, by both validation engines alike."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from test_fastvalidate import comparable

from msskg.validate.api import validate

ROOT = Path(__file__).resolve().parents[1]


def bench_script(name: str) -> ModuleType:
    """bench/NAME.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generator() -> ModuleType:
    return bench_script("generate")


def test_same_seed_same_graph(tmp_path: Path) -> None:
    gen = generator()
    gen.generate(2000, tmp_path / "a", seed=7)
    gen.generate(2000, tmp_path / "b", seed=7)
    gen.generate(2000, tmp_path / "c", seed=8)
    text = [(tmp_path / x / "data" / "synthetic.nt").read_bytes() for x in "abc"]
    assert text[0] == text[1] != text[2]


def test_clean_graph_conforms_without_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator().generate(3000, tmp_path, seed=3, errors=False)
    monkeypatch.setenv("MSSKG_HOME", str(tmp_path))
    assert validate(data=[tmp_path / "data"]).results == ()


@pytest.mark.slow  # pySHACL: the second pytest call of .ci/run
def test_planted_errors_are_found_by_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = generator()
    gen.generate(3000, tmp_path, seed=3)
    monkeypatch.setenv("MSSKG_HOME", str(tmp_path))
    fast = validate(data=[tmp_path / "data"], engine="fast")
    assert comparable(fast) == comparable(validate(data=[tmp_path / "data"], engine="pyshacl"))
    found = {(r.shape.rsplit("#", 1)[-1], r.severity) for r in fast.results}
    assert found == set(gen.PLANTED.values())
