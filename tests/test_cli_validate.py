"""msskg validate's exit codes, pySHACL's: 0 conforms (warnings allowed unless
--strict), 1 does not conform, 2 could not run. The validator itself is the
lead's (tests/test_shapes*.py); here it is replaced by fixed reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import msskg.validate
from msskg.cli import main
from msskg.validate.report import ValidationReport, ValidationResult


def result(severity: str) -> ValidationResult:
    return ValidationResult(
        severity=severity,  # type: ignore[arg-type]
        focus="https://w3id.org/msskg/id/x",
        focus_label="x",
        message=f"a {severity.lower()}",
        shape="msh:S",
        component="sh:MinCountConstraintComponent",
    )


@pytest.mark.parametrize(
    ("severities", "strict", "code"),
    [
        ((), False, 0),
        (("Warning",), False, 0),
        (("Warning",), True, 1),
        (("Violation", "Warning"), False, 1),
    ],
)
def test_exit_codes(
    monkeypatch: pytest.MonkeyPatch, severities: tuple[str, ...], strict: bool, code: int
) -> None:
    report = ValidationReport(tuple(result(s) for s in severities))
    monkeypatch.setattr(msskg.validate, "validate", lambda *, data, shapes, engine: report)
    monkeypatch.setattr(
        msskg.validate, "format_report", lambda r, fmt, strict: f"{len(r.results)} {fmt}"
    )
    outcome = CliRunner().invoke(main, ["validate", *(["--strict"] if strict else [])])
    assert (outcome.exit_code, outcome.stdout) == (code, f"{len(severities)} human\n")


def test_bad_data_means_could_not_run(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e/a> <https://e/p> .\n")
    outcome = CliRunner().invoke(main, ["validate", "--data", str(bad)])
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"Error: {bad}:1:29: . is not a valid RDF object\n",
    )


def test_strict_verdict_says_why_it_fails() -> None:
    """Regression: --strict printed "conforms" and then exited 1."""
    outcome = CliRunner().invoke(main, ["validate", "--strict"])
    first = outcome.stdout.splitlines()[0]
    assert (outcome.exit_code, first) == (
        1,
        "does not conform under --strict (warnings count): 0 violation(s), 14 warning(s), "
        "8 value(s) not in their quotes, each with its reason (INFO)",
    )


SH = "http://www.w3.org/ns/shacl#"


def _shacl_conforms(turtle: str) -> list[object]:
    import rdflib

    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    return [o.toPython() for o in graph.objects(None, rdflib.URIRef(SH + "conforms"))]


def test_turtle_report_says_sh_conforms_false_on_warnings_and_exits_0() -> None:
    """SHACL 3.1: sh:conforms is true only if validation produced no results; the
    bundled data has warnings, so false, while the exit code (violations only) is 0."""
    outcome = CliRunner().invoke(main, ["validate", "-f", "turtle"])
    assert (outcome.exit_code, _shacl_conforms(outcome.stdout)) == (0, [False])


@pytest.mark.parametrize(
    ("severities", "conforms"),
    [((), True), (("Info",), False), (("Warning",), False), (("Violation",), False)],
)
def test_sh_conforms_is_false_for_a_result_of_any_severity(
    severities: tuple[str, ...], conforms: bool
) -> None:
    report = ValidationReport(tuple(result(s) for s in severities))
    assert _shacl_conforms(msskg.validate.format_report(report, "turtle")) == [conforms]


# Shapes of one's own (pySHACL's -s): no ontology added, none of msskg's own checks.
OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:NameShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a person needs a name" ] .
"""
MORE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:AgeShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:age ; sh:maxCount 1 ; sh:message "one age at most" ] .
"""
OTHER_DATA = """
@prefix ex: <https://example.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix mss: <https://w3id.org/msskg/ontology#> .
ex:ann a ex:Person ; ex:age 3, 4 .
ex:bob a ex:Person ; ex:name "Bob" .
# a quote of a seed that does not hold it: msskg's own check, not these shapes'
ex:q oa:hasSource ex:s ; oa:hasSelector [ oa:exact "not in the seed" ] .
ex:s mss:fileName "000_b62adf0e0be71f86.txt" .
"""


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_any_shapes_on_any_data(tmp_path: Path, engine: str) -> None:
    (tmp_path / "a.ttl").write_text(OTHER_SHAPES, encoding="utf-8")
    (tmp_path / "b.ttl").write_text(MORE_SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(OTHER_DATA, encoding="utf-8")
    args = ["validate", "--engine", engine, "--data", str(tmp_path / "data.ttl")]
    args += ["--shapes", str(tmp_path / "a.ttl"), "-s", str(tmp_path / "b.ttl")]
    outcome = CliRunner().invoke(main, args)
    assert (outcome.exit_code, outcome.stdout.splitlines()[0], outcome.stderr) == (
        1,
        "does not conform: 2 violation(s), 0 warning(s)",
        "",
    )
    assert "a person needs a name" in outcome.stdout and "one age at most" in outcome.stdout


def test_a_missing_shapes_file_means_could_not_run(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["validate", "--shapes", str(tmp_path / "none.ttl")])
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"Error: shapes file not found: {tmp_path / 'none.ttl'}\n",
    )
