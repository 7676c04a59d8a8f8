"""Members' private calendar subscription links.

Only a hash of each link's token is kept: a copy of the database cannot be turned into
working links, and the bot itself can never show a token again once it has been given out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import from_iso, select_rows, utc_iso

SCOPES = ("mine", "all")


@dataclass(frozen=True)
class CalendarLink:
    member_id: int
    token_hash: str
    scope: str
    created: datetime
    updated: datetime


class CalendarLinkStore:
    """Each member's calendar link, found by the hash a feed request carries, never by the
    token itself, so the database alone cannot open anyone's calendar."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def for_member(self, member_id: int) -> CalendarLink | None:
        return self._one("member_id = ?", [member_id])

    def by_hash(self, token_hash: str) -> CalendarLink | None:
        return self._one("token_hash = ?", [token_hash])

    def _one(self, where: str, params: list[Any]) -> CalendarLink | None:
        rows = select_rows(self.db, f"SELECT * FROM calendar_links WHERE {where}", params)
        if not rows:
            return None
        row = rows[0]
        return CalendarLink(
            row["member_id"],
            row["token_hash"],
            row["scope"],
            from_iso(row["created"]),
            from_iso(row["updated"]),
        )

    def save(self, member_id: int, token_hash: str, scope: str, now: datetime) -> None:
        """Give the member this token (replacing any earlier one, which stops working)."""
        self.db.execute(
            "INSERT INTO calendar_links (member_id, token_hash, scope, created, updated)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET"
            " token_hash = excluded.token_hash, scope = excluded.scope,"
            " created = excluded.created, updated = excluded.updated",
            [member_id, token_hash, scope, utc_iso(now), utc_iso(now)],
        )

    def set_scope(self, member_id: int, scope: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE calendar_links SET scope = ?, updated = ? WHERE member_id = ?",
            [scope, utc_iso(now), member_id],
        )

    def export(self, member_id: int) -> dict[str, Any]:
        """That a link exists and what it shows; never the token or its hash."""
        rows = select_rows(
            self.db,
            "SELECT scope, created FROM calendar_links WHERE member_id = ?",
            [member_id],
        )
        return {"calendar_link": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute(
            "DELETE FROM calendar_links WHERE member_id = ?", [member_id]
        ).rowcount
