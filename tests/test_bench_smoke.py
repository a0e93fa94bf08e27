"""Every benchmark still runs (on tiny inputs): `make bench` broke once when the fake Slack lost a method.

Figures are not asserted here (that would be a timed test); only that each script runs to its verdict.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

TINY = {
    "run.py": ["--requests", "10", "--concurrency", "2", "--warmup", "2", "--rounds", "1"],
    "calendar_bench.py": ["--rows", "200"],
    "sla_due_bench.py": ["--rows", "200", "--runs", "1", "--startup-runs", "1"],
    "sweep_bench.py": ["--sizes", "200", "--repeat", "1", "--repeat-second", "1", "--recompute", "0"],
    "digest_bench.py": ["--tickets", "2000", "--runs", "1"],
    "rota_bench.py": ["--lookups", "2000"],
    "teams_bench.py": ["--requests", "6", "--concurrency", "2", "--warmup", "2", "--rounds", "1"],
}


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_to_its_verdict(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "SUPPORTBOT_"))}
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *TINY[script]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    verdicts = [line for line in done.stdout.splitlines() if "PASS" in line or "target" in line.lower()]
    assert verdicts, done.stdout[-2000:]
