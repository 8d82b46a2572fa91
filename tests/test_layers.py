"""The house rules of src/msskg: the import-layer contracts in pyproject.toml
(pipeline layers, no cycles, no click below the CLI), checked as CI checks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "0 broken" in run.stdout


def test_every_module_is_at_most_about_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in (ROOT / "src" / "msskg").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert long == {}
