"""Feedback after a session, kept apart from who gave it.

An answer row holds the session, its objective, the answer and any words, and nothing that
names the member. A separate marker says a member was asked, answered or said no thanks, so
nobody is asked twice; it holds no time, so it cannot be lined up with the answers.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlite_utils import Database

from bot.storage.db import immediate, select_rows

State = Literal["asked", "answered", "dismissed"]
ANSWERS = ("yes", "a-little", "not-this-time")


class FeedbackStore:
    """Answers after a session, stored without who gave them, beside a marker that only says a
    member was asked; the two cannot be joined back together."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def state(self, session_id: int, member_id: int) -> tuple[str, bool] | None:
        """(asked/answered/dismissed, whether words were given), or None if never asked."""
        row = self.db.execute(
            "SELECT state, worded FROM feedback_asked WHERE session_id = ? AND member_id = ?",
            [session_id, member_id],
        ).fetchone()
        return (str(row[0]), bool(row[1])) if row else None

    def mark_asked(self, session_id: int, member_id: int) -> bool:
        """Remember the question went out; False if it had already (so it is not repeated)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO feedback_asked (session_id, member_id, state)"
            " VALUES (?, ?, 'asked')",
            [session_id, member_id],
        )
        return cursor.rowcount > 0

    def answer(self, session_id: int, member_id: int, objective: str, answer: str) -> None:
        """Keep the answer without the member, and mark them as having answered."""
        with immediate(self.db):
            self.db.execute(
                "INSERT INTO feedback (session_id, objective, answer) VALUES (?, ?, ?)",
                [session_id, objective, answer],
            )
            self._set_state(session_id, member_id, "answered")

    def words(self, session_id: int, member_id: int, objective: str, words: str) -> None:
        """Keep a line of words in its own row, so it cannot be tied to an answer either."""
        with immediate(self.db):
            self.db.execute(
                "INSERT INTO feedback (session_id, objective, words) VALUES (?, ?, ?)",
                [session_id, objective, words],
            )
            self.db.execute(
                "INSERT INTO feedback_asked (session_id, member_id, state, worded)"
                " VALUES (?, ?, 'asked', 1)"
                " ON CONFLICT (session_id, member_id) DO UPDATE SET worded = 1",
                [session_id, member_id],
            )

    def dismiss(self, session_id: int, member_id: int) -> None:
        self._set_state(session_id, member_id, "dismissed")

    def _set_state(self, session_id: int, member_id: int, state: State) -> None:
        self.db.execute(
            "INSERT INTO feedback_asked (session_id, member_id, state) VALUES (?, ?, ?)"
            " ON CONFLICT (session_id, member_id) DO UPDATE SET state = excluded.state",
            [session_id, member_id, state],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        """Only the markers: the answers themselves carry no name, so none can be found."""
        rows = select_rows(
            self.db,
            "SELECT session_id, state FROM feedback_asked WHERE member_id = ? ORDER BY session_id",
            [member_id],
        )
        return {"feedback_asked": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute(
            "DELETE FROM feedback_asked WHERE member_id = ?", [member_id]
        ).rowcount
