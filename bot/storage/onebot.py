"""One bot per database file, enforced by the operating system.

Two bots on one file (a second terminal, a service started twice) would each send every
reminder: each takes the other's claims for a crashed process's. So the bot holds an
exclusive `flock` on a lock file beside the database for as long as it runs.

Why an OS lock rather than a lease row with heartbeats: the kernel releases the lock the
moment the process ends, however it ends (SIGKILL, a crash, the power cord), so a restart
never waits out a lease; nothing writes to the database every few seconds to keep it; and
no clock is involved, so a clock that jumps cannot hand the lease to a second bot while
the first still runs. The cost: `flock` is only as good as the file system, and on a
network share it may not hold; SQLite warns against network shares in any case.

The lock file is never deleted: removing it while another process waits on it would let
two processes each hold a lock on a different file of the same name.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path


class AlreadyRunning(Exception):
    """Another live process holds the database; the message says which, in one sentence."""


def lock_path(database: Path) -> Path:
    """The lock file for `database`: beside it, so every process using it finds the same one."""
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """An exclusive hold on one database file, from `acquire` until `release` or exit."""

    def __init__(self, database: Path) -> None:
        # Resolved, so a relative path or a symlink finds the same lock as the full name.
        self.database = database.resolve()
        self.path = lock_path(self.database)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock without waiting, or raise AlreadyRunning naming the holder."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            # The lock lives in the database's folder: if it cannot be made there, neither
            # can SQLite's own files, so say it as the database's trouble (trouble.py).
            raise sqlite3.OperationalError(f"unable to open database file ({err})") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise AlreadyRunning(self._sentence(holder)) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder's process id, for the next one's sentence (and for `ps`).
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor drops the flock
            self._fd = None

    def _sentence(self, holder: str) -> str:
        who = f" (process {holder})" if holder.isdigit() else ""
        return (
            f"Another copbot is already running on {self.database}{who}, and only one may use "
            "a database at a time, so this one has not started."
        )
