"""A member's private reflections on the weekly prompts: theirs alone, shown only to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import select_rows, utc_iso


class ReflectionStore:
    """Members' private reflections, written for themselves: shown only in their own data
    export, and erased with them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, member_id: int, prompt_id: str, text: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO reflections (member_id, prompt_id, text, created) VALUES (?, ?, ?, ?)",
            [member_id, prompt_id, text, utc_iso(now)],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT prompt_id, text, created FROM reflections WHERE member_id = ? ORDER BY id",
            [member_id],
        )
        return {"reflections": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute("DELETE FROM reflections WHERE member_id = ?", [member_id]).rowcount
