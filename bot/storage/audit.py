"""The audit log: what the planning group changed, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import select_rows, utc_iso


class AuditStore:
    """Every change the planning group makes, so a community can see later who changed what;
    an erased member's entries stay, without their name."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, actor_id: int | None, action: str, detail: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO audit (at, actor_id, action, detail) VALUES (?, ?, ?, ?)",
            [utc_iso(now), actor_id, action, detail],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT at, action, detail FROM audit WHERE actor_id = ? ORDER BY id",
            [member_id],
        )
        return {"planning_actions": rows}

    def delete(self, member_id: int) -> int:
        """Unlink the member from what they did; the record of the change itself stays."""
        return self.db.execute(
            "UPDATE audit SET actor_id = NULL WHERE actor_id = ?", [member_id]
        ).rowcount
