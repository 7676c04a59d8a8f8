"""Opening the one SQLite file and bringing its schema up to date.

The schema changes only through the numbered migrations in `bot.storage.migrations`, each run
in its own transaction; the version lives in SQLite's `user_version`, so a database from any
earlier release is carried forward at start.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
# SQLite's own default page cache is 2 MiB, sized for a phone. A year of a large community is
# a few hundred MB, and a cancellation's notices land at random places in the ledger's member
# index: at 12,500 holders and 1.25M ledger rows, 32 MiB of cache takes a third off the work
# (bench/planner_ops.py). It is a ceiling, filled only as pages are read: a small
# community's bot holds no more than its file.
CACHE_KIB = 32 * 1024


def open_db(path: Path | str, *, upgrade_to: int | None = None) -> Database:
    """Open (creating if needed) the database at `path`, tuned and migrated.

    `upgrade_to` stops at an earlier schema version; the migration tests use it.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        db = _tuned(conn, on_disk=str(path) != ":memory:")
        check_whole(conn)
        migrate(db, upgrade_to)
    except BaseException:
        conn.close()
        raise
    return db


def check_whole(conn: sqlite3.Connection) -> None:
    """Refuse a damaged file before writing to it: a write would only spread the damage.

    SQLite's quick check reads every page once (milliseconds for a community's database);
    without it, damage in a page not read at start surfaces later, mid-command.
    """
    verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict})")


def open_rehearsal_copy(path: Path | str) -> Database:
    """An in-memory copy of the database at `path`, migrated, for a rehearsal.

    The live file is opened read-only and copied with SQLite's backup API, which gives a
    consistent snapshot even while the real bot is writing. Nothing done to the copy can
    reach the file: the ledger, the planning mark and every signup stay as they were.
    """
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        if Path(path).exists():
            live = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                live.backup(conn)
            finally:
                live.close()
        db = _tuned(conn, on_disk=False)
        check_whole(conn)
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def _tuned(conn: sqlite3.Connection, *, on_disk: bool) -> Database:
    """Pragmas every connection needs.

    secure_delete is set explicitly (builds differ in their default) so that erased rows
    are overwritten in the file rather than left in free pages where a disk image would
    still show them.
    """
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    if on_disk:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return Database(conn)


def pending_upgrade(path: Path | str) -> tuple[int, int] | None:
    """(from, to) when an existing database file needs migrating, so the CLI can say so."""
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(str(path))
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    return (version, len(MIGRATIONS)) if version < len(MIGRATIONS) else None


def settle_to_file(db: Database) -> None:
    """Copy the write-ahead log into the database file and empty it.

    After an erasure the log still holds the pages as they were before, words and all; a
    truncating checkpoint leaves them only in the main file, where secure_delete has
    already overwritten them. Must run outside a transaction.
    """
    if not db.conn.in_transaction:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, upgrade_to: int | None = None) -> list[int]:
    """Run every migration newer than the database, in order; return the versions applied."""
    target = len(MIGRATIONS) if upgrade_to is None else upgrade_to
    applied = []
    for version in range(schema_version(db) + 1, target + 1):
        with immediate(db):
            MIGRATIONS[version - 1](db)
            db.execute(f"PRAGMA user_version = {version}")
        applied.append(version)
    return applied


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the lock up front.

    BEGIN IMMEDIATE means two processes reading-then-writing the same rows (say, two bots
    counting the places left) queue behind the busy timeout instead of both deciding.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


def select_rows(
    db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[dict[str, Any]]:
    """The rows of a SELECT, each a dict by column name.

    sqlite-utils' `query` wraps every statement in a savepoint, in case it turns out to
    write; that is three statements for each read. Every read here is a plain SELECT
    written in this package, so it goes straight to the connection: a member's command
    reads the database a few times, and this is most of what it waits for.
    """
    cursor = db.conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def utc_iso(moment: datetime) -> str:
    """How every timestamp is stored: UTC, ISO 8601, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
