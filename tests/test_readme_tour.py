"""The README's tour shows real output: run each command and compare. A block
that ends in "[…]" shows only its first lines."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from msskg.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
ELLIPSIS = "[…]"


def _tour_blocks() -> list[tuple[str, list[str]]]:
    tour = README.read_text(encoding="utf-8").split("## Tour", 1)[1].split("\n## ", 1)[0]
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
    assert lines == expected, f"README tour is stale for: msskg {' '.join(args)}"
