"""The tours (the README's short one, docs/tour.md's whole one) show real
output: run each command and compare. A block that ends in "[…]" shows only
its first lines."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from msskg.cli import main

ROOT = Path(__file__).resolve().parents[1]
README, TOUR = ROOT / "README.md", ROOT / "docs" / "tour.md"
ELLIPSIS = "[…]"


def _tour_blocks() -> list[tuple[str, list[str]]]:
    readme = README.read_text(encoding="utf-8").split("## Tour", 1)[1].split("\n## ", 1)[0]
    tour = readme + TOUR.read_text(encoding="utf-8")
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", tour, flags=re.S):
        command, *output = body.rstrip("\n").split("\n")
        assert command.startswith("$ msskg "), command
        blocks.append((command[2:], output))
    return blocks


BLOCKS = _tour_blocks()


def test_the_tour_has_commands() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_tour_output_is_real(command: str, expected: list[str]) -> None:
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").split("\n")
    if expected and expected[-1] == ELLIPSIS:
        expected = expected[:-1]
        lines = lines[: len(expected)]
    assert lines == expected, f"the tour is stale for: msskg {' '.join(args)}"
