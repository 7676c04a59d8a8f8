"""One bot per database: a second `copbot run` on the same file refuses in one sentence.

Real processes, because the guarantee is the operating system's: the first bot holds a lock
the kernel drops when it ends, however it ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import SECRET_ENV
from bot.storage.onebot import lock_path
from tests.cli.conftest import copbot


def config_for(folder: Path, database: str = "cop.db") -> Path:
    (folder / "config.toml").write_text(f'[storage]\ndatabase = "{database}"\n', "utf-8")
    return folder / database


def start_console(folder: Path) -> subprocess.Popen[bytes]:
    """`copbot run --console` on the real clock, kept open; returns once its banner is out."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--console"],
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert b"copbot console" in banner, (banner, process.stderr.read() if process.stderr else "")
    return process


@pytest.fixture
def first(scratch: Path) -> Iterator[subprocess.Popen[bytes]]:
    config_for(scratch)
    process = start_console(scratch)
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)


def test_a_second_bot_on_the_same_file_refuses_and_the_first_runs_on(
    scratch: Path, first: subprocess.Popen[bytes]
) -> None:
    second = copbot(scratch, "run", "--console")

    assert second.returncode == 1
    err = second.stderr.decode()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert str((scratch / "cop.db").resolve()) in lines[0]
    assert f"(process {first.pid})" in lines[0]
    assert "only one may use a database at a time" in lines[0]
    assert second.stdout == b""  # no banner: it never started
    # The first bot did not notice: it still answers, then leaves as asked.
    out, _ = first.communicate(b"/cop help\n/quit\n", timeout=30)
    assert first.returncode == 0
    assert b"signup" in out


def test_the_lock_goes_with_the_process_even_a_killed_one(
    scratch: Path, first: subprocess.Popen[bytes]
) -> None:
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert lock_path(scratch / "cop.db").exists()  # left behind, and harmless

    again = copbot(scratch, "run", "--console", stdin=b"/quit\n")

    assert again.returncode == 0, again.stderr.decode()
    assert b"copbot console" in again.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("calendar", "--out", "cop.ics"),
        ("export", "attendees", "1"),
        ("backup", "copy.db"),
        ("run", "--simulated-clock", "2026-12-01T09:00"),
    ],
)
def test_what_only_reads_or_rehearses_runs_beside_the_bot(
    scratch: Path, first: subprocess.Popen[bytes], args: tuple[str, ...]
) -> None:
    beside = copbot(scratch, *args, stdin=b"/quit\n")

    assert "already running" not in beside.stderr.decode()
    # `export` of a session that does not exist is its own kind of no; the rest succeed.
    assert beside.returncode == (1 if args[0] == "export" else 0), beside.stderr.decode()
    assert first.poll() is None


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_the_console_stops_on_a_signal_while_waiting_for_a_line(
    scratch: Path, first: subprocess.Popen[bytes], sent: signal.Signals
) -> None:
    first.send_signal(sent)  # stdin stays open: a line is never coming

    _, err = first.communicate(timeout=30)

    assert first.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert f"{sent.name}: stopping" in err.decode()
