"""Schedule previews: what a planner is about to post, waiting for "Schedule it".

A preview lives here, behind a short code, rather than in the button itself: a button can
be pressed after a restart, twice, or a day later, and each of those must give one clear
answer and never a second series.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.storage.db import from_iso, select_rows, utc_iso

# No 0/o, 1/l/i: a code may be read off one screen and typed on another.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 6
# An expired preview is kept a while, so its button says "expired" rather than "not found".
KEPT_AFTER_EXPIRY = timedelta(days=7)


@dataclass(frozen=True)
class Preview:
    code: str
    member_id: int
    details: dict[str, Any]
    status: str
    first_session_id: int | None
    session_count: int
    expires: datetime


class PreviewStore:
    """Schedule previews waiting for their planner's "Schedule it", each settled exactly once,
    so a late or repeated press never makes a second session."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, member_id: int, details: dict[str, Any], now: datetime, expires: datetime) -> str:
        """Keep ``details`` under a new code and return the code; long-expired ones go."""
        self.db.execute(
            "DELETE FROM schedule_previews WHERE expires < ?", [utc_iso(now - KEPT_AFTER_EXPIRY)]
        )
        while True:
            code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                self.db.execute(
                    "INSERT INTO schedule_previews (code, member_id, details, created, expires)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [code, member_id, json.dumps(details), utc_iso(now), utc_iso(expires)],
                )
            except sqlite3.IntegrityError:
                continue  # the same code twice: draw again
            return code

    def get(self, code: str) -> Preview | None:
        rows = select_rows(self.db, "SELECT * FROM schedule_previews WHERE code = ?", [code])
        return _preview(rows[0]) if rows else None

    def latest(self, member_id: int) -> Preview | None:
        """The member's most recent preview, for a typed confirmation without its code."""
        rows = select_rows(
            self.db,
            "SELECT * FROM schedule_previews WHERE member_id = ? ORDER BY created DESC, rowid DESC"
            " LIMIT 1",
            [member_id],
        )
        return _preview(rows[0]) if rows else None

    def settle(
        self, code: str, status: str, first_session_id: int | None = None, count: int = 0
    ) -> None:
        """Record what became of a preview, so pressing its button again says so."""
        self.db.execute(
            "UPDATE schedule_previews SET status = ?, first_session_id = ?, session_count = ?"
            " WHERE code = ?",
            [status, first_session_id, count, code],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT code, details, status, created, expires FROM schedule_previews"
            " WHERE member_id = ? ORDER BY created",
            [member_id],
        )
        return {"schedule_previews": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute(
            "DELETE FROM schedule_previews WHERE member_id = ?", [member_id]
        ).rowcount


def _preview(row: dict[str, Any]) -> Preview:
    return Preview(
        code=row["code"],
        member_id=row["member_id"],
        details=json.loads(row["details"]),
        status=row["status"],
        first_session_id=row["first_session_id"],
        session_count=row["session_count"],
        expires=from_iso(row["expires"]),
    )
