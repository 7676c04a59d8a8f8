"""What has been posted on a rota (prompts, resource picks), so nothing repeats too soon.

Each period (a date) gets one item, chosen once and remembered, so asking again for the same
week gives the same answer and a restart never re-rolls it.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.storage.db import immediate, utc_iso


class PostedStore:
    """The rota's memory: which prompt or pick each period got, chosen once, so asking twice or
    restarting never changes it and nothing repeats before the rest have had a turn."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def chosen(self, kind: str, period: str) -> str | None:
        row = self.db.execute(
            "SELECT item_id FROM posted WHERE kind = ? AND period = ?", [kind, period]
        ).fetchone()
        return str(row[0]) if row else None

    def choose(self, kind: str, period: str, candidates: list[str], now: datetime) -> str | None:
        """The item for `period`: the first candidate not yet used in the current cycle."""
        if not candidates:
            return None
        with immediate(self.db):
            already = self.chosen(kind, period)
            if already is not None:
                return already
            cycle, used = self._cycle(kind)
            fresh = [c for c in candidates if c not in used]
            if not fresh:
                cycle, fresh = cycle + 1, candidates
            self.db.execute(
                "INSERT INTO posted (kind, item_id, cycle, period, posted_utc)"
                " VALUES (?, ?, ?, ?, ?)",
                [kind, fresh[0], cycle, period, utc_iso(now)],
            )
            return fresh[0]

    def _cycle(self, kind: str) -> tuple[int, set[str]]:
        row = self.db.execute("SELECT max(cycle) FROM posted WHERE kind = ?", [kind]).fetchone()
        cycle = int(row[0] or 0)
        rows = self.db.execute(
            "SELECT item_id FROM posted WHERE kind = ? AND cycle = ?", [kind, cycle]
        ).fetchall()
        return cycle, {str(r[0]) for r in rows}

    def history(self, kind: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT period, item_id FROM posted WHERE kind = ? ORDER BY period", [kind]
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]
