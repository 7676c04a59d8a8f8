"""Checkpoints of the write-ahead log, kept off the event loop while the bot serves.

SQLite copies its write-ahead log back into the database file (a checkpoint) once the log
passes 1,000 pages, inside whichever commit crosses that line, and syncs the file: on the
build machine that commit took 5 to 7 ms instead of a fraction of one, and every command and
tick behind it on the loop waited too (a `cancel-session` for 12,500 places paid ~35 ms).
So while the bot serves, the connection it works on makes no checkpoints, and a thread of
its own makes them on a connection of its own, once a second. A passive checkpoint never
blocks the bot's reads or writes, and SQLite does the copying and syncing without Python's
lock, so the loop goes on meanwhile. When serving stops, the connection checkpoints as
before.

A database in memory (a rehearsal) has no write-ahead log, and nothing to do here.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from bot.storage.db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)
EVERY_SECONDS = 1.0
SQLITE_DEFAULT_PAGES = 1000  # SQLite's own threshold, put back when serving stops


class Checkpointer:
    """A thread making a passive checkpoint of one database file every `every` seconds."""

    def __init__(self, path: str, every: float = EVERY_SECONDS) -> None:
        self.path = path
        self.every = every
        self.made = 0  # checkpoints made, for tests and benches
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="copbot-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, 2 * self.every))

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            while not self._stop.wait(self.every):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint; trouble is one line in the log, and the next one tries
        again (the bot's own connection still works, and its log only grows meanwhile)."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as err:
            log.warning("could not checkpoint the database's write-ahead log: %s", err)
            return
        self.made += 1


def wal_file(db: Database) -> str | None:
    """The database's file, if it keeps a write-ahead log (on disk), else None."""
    mode = str(db.conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode != "wal":
        return None
    for _, name, path in db.conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            return str(path)
    return None


@contextmanager
def checkpoints_beside(db: Database, every: float = EVERY_SECONDS) -> Iterator[Checkpointer | None]:
    """While inside: `db`'s commits make no checkpoints, a thread makes them instead."""
    path = wal_file(db)
    if path is None:
        yield None
        return
    checkpointer = Checkpointer(path, every)
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
    checkpointer.start()
    try:
        yield checkpointer
    finally:
        checkpointer.stop()
        db.conn.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_DEFAULT_PAGES}")
