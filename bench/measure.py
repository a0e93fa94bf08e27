"""Timing and table printing shared by the benchmarks (imported once ROOT is on sys.path)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def best_rate(run: Callable[[], object], count: int, repeats: int = 3) -> float:
    """Calls per second of the best of `repeats` passes."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return count / best


def median_ms(run: Callable[[], object], repeats: int) -> float:
    """Milliseconds of the median of `repeats` passes."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def print_table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    for index, line in enumerate([header, *lines]):
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
