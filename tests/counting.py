"""Counting the SQL statements a piece of work runs, to prove it does not grow with the data.

A bounded command or tick runs the same statements for 20 members as for 200: a test runs it
at both sizes and compares the counts. (Timing would be a benchmark; a count is exact.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlite_utils import Database

from bot.storage.db import immediate, utc_iso


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement SQLite runs on `db`'s connection inside the block, in order."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.conn.set_trace_callback(None)


def add_members(
    db: Database, count: int, now: datetime, *, prefix: str = "m", preferences: str = "{}"
) -> list[int]:
    """`count` console members added in one statement (fast); returns their ids."""
    stamp = utc_iso(now)
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created,"
            " preferences) VALUES ('console', ?, ?, 'Europe/London', ?, ?)",
            [(f"{prefix}{i}", f"{prefix} {i}", stamp, preferences) for i in range(count)],
        )
    rows = db.execute(
        "SELECT id FROM members WHERE platform_user_id LIKE ? ORDER BY id", [f"{prefix}%"]
    )
    return [int(r[0]) for r in rows]


def add_places(
    db: Database,
    session_id: int,
    member_ids: Sequence[int],
    now: datetime,
    status: str = "confirmed",
) -> None:
    """Give each member a place at the session, in one statement."""
    stamp = utc_iso(now)
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO signups (session_id, member_id, status, created, updated)"
            " VALUES (?, ?, ?, ?, ?)",
            [(session_id, m, status, stamp, stamp) for m in member_ids],
        )
