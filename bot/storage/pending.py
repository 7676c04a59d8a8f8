"""Commands waiting behind a button too small to hold them.

Discord gives a button's id 100 characters. A confirmation that carries a planner's reason,
or the next page of a long search, does not fit, so the command waits here behind a short id
the button carries instead, until it expires.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.storage.db import utc_iso

KEEP_FOR = timedelta(days=7)


class PendingStore:
    """Commands too long for a Discord button, held behind a short id for a week, so the button
    still works after a restart and expires kindly afterwards."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def hold(self, command: str, now: datetime) -> str:
        """Keep `command` for a week; returns the short id to find it by."""
        self.db.execute("DELETE FROM pending_buttons WHERE expires_utc <= ?", [utc_iso(now)])
        short = secrets.token_urlsafe(9)
        self.db.execute(
            "INSERT INTO pending_buttons (id, command, expires_utc) VALUES (?, ?, ?)",
            [short, command, utc_iso(now + KEEP_FOR)],
        )
        return short

    def find(self, short: str, now: datetime) -> str | None:
        """The command behind `short`, or None once it has expired (or never was)."""
        row = self.db.execute(
            "SELECT command FROM pending_buttons WHERE id = ? AND expires_utc > ?",
            [short, utc_iso(now)],
        ).fetchone()
        return str(row[0]) if row else None
