"""Every bench still runs on the program as it is now: `--quick`, in its own process.

Benchmarks are not tests, so nothing here judges a figure or a target (a missed target is a
finding the bench prints); this only proves each bench starts the program the way it is
started today, drives it to the end, exits cleanly and prints its figures and targets. They
run side by side, so the whole takes about as long as the slowest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCHES = sorted(
    path.name for path in (REPO / "bench").glob("*.py") if not path.name.startswith("_")
)
TIMEOUT = 120


@pytest.fixture(scope="module")
def quick_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    running = {
        name: subprocess.Popen(
            [sys.executable, str(REPO / "bench" / name), "--quick"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in BENCHES
    }
    done = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=TIMEOUT)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def test_every_bench_is_covered() -> None:
    expected = {
        "commands.py",
        "discord_latency.py",
        "fanout.py",
        "planner_ops.py",
        "slack_latency.py",
        "tick.py",
    }
    assert expected <= set(BENCHES)


@pytest.mark.parametrize("name", BENCHES)
def test_bench_runs_quick_and_prints_its_figures(
    name: str, quick_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    run = quick_runs[name]
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert any(" p50 " in line and " p99 " in line for line in lines), run.stdout
    assert any(line.startswith("target: ") for line in lines), run.stdout
    assert any(line.startswith("machine (end)") for line in lines), run.stdout
