"""Running copbot as an operator would: in a scratch folder, and as a real process.

Tests here often run as root in containers, and root may write any file, so a read-only
database would not be read-only to it. The real process therefore gives up the
capabilities that let root ignore file permissions (CAP_DAC_OVERRIDE and friends) before
copbot starts, and obeys a file's mode as any service account would.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SECRET_ENV

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3


@pytest.fixture(autouse=True)
def _in_scratch(scratch: Path) -> Path:
    """Every test here runs copbot as an operator would (see `scratch`)."""
    return scratch


def _as_an_ordinary_account() -> None:
    """In the child, before copbot starts: file permissions apply, even to root."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "could not drop a capability")


def copbot(folder: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`copbot ARGS` as a separate process in `folder`, with no tokens in its environment."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=60,
        preexec_fn=_as_an_ordinary_account if os.geteuid() == 0 else None,
        check=False,
    )
