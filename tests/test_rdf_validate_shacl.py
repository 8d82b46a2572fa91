"""An engine independent of msskg and pySHACL: rdf-validate-shacl (npm), by
tests/rdf-validate-shacl/validate.mjs, finds no violation in the exports
(SHACL Core only: it does not evaluate SHACL-SPARQL), and the same results
as msskg's fast engine for the core constraints. Skipped where node or the
package is missing: .ci/run installs it and names it in MSSKG_TEST_NODE_MODULES
(or: npm install --prefix tests/rdf-validate-shacl)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from msskg.publish.direct import export_at
from msskg.publish.export import export
from msskg.validate.api import validate
from msskg.validate.sources import ontology_file, shapes_file

HERE = Path(__file__).resolve().parent / "rdf-validate-shacl"
MODULES = Path(os.environ.get("MSSKG_TEST_NODE_MODULES") or HERE / "node_modules")
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (MODULES / "rdf-validate-shacl").is_dir(),
    reason="rdf-validate-shacl is not installed (npm install --prefix tests/rdf-validate-shacl)",
)
SH = "http://www.w3.org/ns/shacl#"


def zazuko(tmp_path: Path, data: Path) -> dict[str, object]:
    """rdf-validate-shacl's report on ``data`` and msskg's ontology."""
    (tmp_path / "node_modules").symlink_to(MODULES, target_is_directory=True)
    script = tmp_path / "validate.mjs"
    shutil.copy(HERE / "validate.mjs", script)
    shutil.copy(HERE / "package.json", tmp_path / "package.json")
    args = [str(NODE), str(script), str(shapes_file()), str(ontology_file()), str(data)]
    done = subprocess.run(args, capture_output=True, text=True, check=True, timeout=300)
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("fmt", ["nt", "turtle", "trig"])
def test_no_violation_in_an_export(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"msskg.{ {'turtle': 'ttl'}.get(fmt, fmt) }"
    export(fmt, output=path)
    report = zazuko(tmp_path, path)
    results = {tuple(r) for r in report["results"]}  # type: ignore[attr-defined]
    assert {r for r in results if r[2] == SH + "Violation"} == set()
    # the core constraints' results are msskg's own
    fast = validate(data=[path])
    core = {
        (r.focus, r.component, SH + r.severity)
        for r in fast.results
        if r.component != SH + "SPARQLConstraintComponent"
        and not r.detail
        and r.shape.startswith("https://w3id.org/msskg/shapes#")
        and not r.shape.endswith("Check")
    }
    assert results == core


def test_no_violation_in_the_state_on_a_date(tmp_path: Path) -> None:
    path = tmp_path / "at.ttl"
    export_at("2012", "turtle", possible=True, output=path)
    report = zazuko(tmp_path, path)
    assert report == {"conforms": True, "results": []}
