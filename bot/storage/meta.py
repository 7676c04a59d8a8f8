"""Small facts the bot keeps about itself, such as how far the planner has looked ahead."""

from __future__ import annotations

from sqlite_utils import Database

ROOM = "room:"


class MetaStore:
    """Named values the bot keeps about itself (how far planning has looked ahead, forms already
    claimed), in the database so they survive a restart and are shared by every process."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def claim(self, key: str, value: str) -> bool:
        """Set `key` only if it is not set yet; True if this call set it (one winner)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value]
        )
        return cursor.rowcount == 1

    def forget(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", [key])

    # The room a front end opened for a shared conversation (a Discord private thread):
    # found again on a retry, and by forget-me to take an erased member out of it.

    def room_for(self, conversation: str) -> str:
        """The room kept for `conversation`, or "" if there is none."""
        return self.get(ROOM + conversation) or ""

    def keep_room(self, conversation: str, room_id: str) -> None:
        """Remember the room for `conversation` ("" to forget a room that is gone)."""
        self.set(ROOM + conversation, room_id)
