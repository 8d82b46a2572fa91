"""bench/run's measurements: a process's peak memory is its own."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCH = runpy.run_path(str(Path(__file__).resolve().parents[1] / "bench" / "run"), run_name="t")
ALLOCATE = "x = bytearray(64 << 20); x[::4096] = b'1' * len(x[::4096])"


def test_a_measured_process_s_peak_memory_is_its_own_not_bench_run_s() -> None:
    # Linux counts the forking process's memory in a child's peak: bench/run,
    # holding the generated data, once read 178 MiB for every export
    held = bytearray(256 << 20)
    held[::4096] = b"1" * len(held[::4096])
    seconds, idle = BENCH["run"]([sys.executable, "-c", "pass"])
    _, busy = BENCH["run"]([sys.executable, "-c", ALLOCATE])
    assert seconds > 0
    assert idle < 64 << 10  # KiB: an interpreter, not the 256 MiB held here
    assert 64 << 10 < busy < idle + (80 << 10)
    del held
