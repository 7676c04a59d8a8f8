"""Each member's self-declared sector, and whether they have been asked.

A row with no sector means "asked, and left it": the gentle question after a first signup is
never repeated once a row exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import select_rows, utc_iso


class SectorStore:
    """Each member's own answer to "which sector do you work in", and that they were asked, so
    the question comes once and the report can say which sectors met."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, member_id: int) -> str | None:
        rows = self.db.execute(
            "SELECT sector FROM member_sectors WHERE member_id = ?", [member_id]
        ).fetchall()
        return rows[0][0] if rows else None

    def asked(self, member_id: int) -> bool:
        """True once the member was offered the question, whatever they did with it."""
        found = self.db.execute("SELECT 1 FROM member_sectors WHERE member_id = ?", [member_id])
        return found.fetchone() is not None

    def mark_asked(self, member_id: int, now: datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO member_sectors (member_id, sector, updated) VALUES (?, NULL, ?)",
            [member_id, utc_iso(now)],
        )

    def set(self, member_id: int, sector: str | None, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO member_sectors (member_id, sector, updated) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE SET sector = excluded.sector,"
            " updated = excluded.updated",
            [member_id, sector, utc_iso(now)],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db, "SELECT sector, updated FROM member_sectors WHERE member_id = ?", [member_id]
        )
        return {"sector": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute(
            "DELETE FROM member_sectors WHERE member_id = ?", [member_id]
        ).rowcount
