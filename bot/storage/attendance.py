"""Who was at a session: marked by themselves with one tap, or by the planning group.

Only the member and the planning group ever see a member's attendance. Nothing here counts
anyone's absences: there are no streaks and no "you missed".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlite_utils import Database

from bot.storage.db import select_rows, utc_iso
from bot.storage.members import Recipient, chunks

Source = Literal["self", "planner", "walk-in"]


class AttendanceStore:
    """Who was there, one row per member and session; kept apart from signups because a place
    booked is not a visit made."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def mark(self, session_id: int, member_id: int, source: Source, now: datetime) -> bool:
        """Record the member as present; False when they already were (nothing changes)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO attendance (session_id, member_id, source, updated)"
            " VALUES (?, ?, ?, ?)",
            [session_id, member_id, source, utc_iso(now)],
        )
        return cursor.rowcount > 0

    def unmark(self, session_id: int, member_id: int) -> bool:
        cursor = self.db.execute(
            "DELETE FROM attendance WHERE session_id = ? AND member_id = ?",
            [session_id, member_id],
        )
        return cursor.rowcount > 0

    def present(self, session_id: int) -> dict[int, str]:
        """Member id -> how they were marked, for one session."""
        rows = self.db.execute(
            "SELECT member_id, source FROM attendance WHERE session_id = ?", [session_id]
        ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def present_ids(self, session_ids: Sequence[int]) -> dict[int, list[int]]:
        """For each session, the ids of those marked as there, in id order, a query per
        500 sessions: what the planner reads for a fortnight's sessions at once, not one
        query a session. A session nobody was marked at is left out."""
        found: dict[int, list[int]] = {}
        for part in chunks(list(session_ids)):
            marks = ", ".join("?" for _ in part)
            rows = self.db.execute(
                "SELECT session_id, member_id FROM attendance"
                f" WHERE session_id IN ({marks}) ORDER BY session_id, member_id",
                part,
            )
            for session_id, member_id in rows:
                found.setdefault(int(session_id), []).append(int(member_id))
        return found

    def present_counts(self, session_ids: Sequence[int]) -> dict[int, list[tuple[Recipient, int]]]:
        """For each session, those marked as there, counted by what the planner needs of
        them (clock and choices; an erased member's clock is None): for a listing that
        counts. A session nobody was marked at is left out."""
        found: dict[int, list[tuple[Recipient, int]]] = {}
        for part in chunks(list(session_ids)):
            marks = ", ".join("?" for _ in part)
            rows = self.db.execute(
                "SELECT a.session_id, m.timezone, m.preferences, count(*) FROM attendance a"
                " LEFT JOIN members m ON m.id = a.member_id"
                f" WHERE a.session_id IN ({marks}) GROUP BY 1, 2, 3",
                part,
            )
            for r in rows:
                found.setdefault(int(r[0]), []).append(
                    (Recipient(0, r[1], r[2] or "{}"), int(r[3]))
                )
        return found

    def was_there(self, session_id: int, member_id: int) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM attendance WHERE session_id = ? AND member_id = ?",
            [session_id, member_id],
        )
        return found.fetchone() is not None

    def recorded(self, session_ids: list[int]) -> set[int]:
        """The sessions among `session_ids` with any attendance marked at all."""
        if not session_ids:
            return set()
        marks = ", ".join("?" for _ in session_ids)
        rows = self.db.execute(
            f"SELECT DISTINCT session_id FROM attendance WHERE session_id IN ({marks})",
            session_ids,
        ).fetchall()
        return {int(r[0]) for r in rows}

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT session_id, source, updated FROM attendance WHERE member_id = ?"
            " ORDER BY session_id",
            [member_id],
        )
        return {"attendance": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute("DELETE FROM attendance WHERE member_id = ?", [member_id]).rowcount
