"""Members: registered on first contact, with a time zone and their preferences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.domain.preferences import Preferences
from bot.storage.db import select_rows, utc_iso


@dataclass(frozen=True)
class Member:
    id: int
    platform: str
    platform_user_id: str
    display_name: str
    timezone: str
    preferences: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Member:
        return cls(
            id=row["id"],
            platform=row["platform"],
            platform_user_id=row["platform_user_id"],
            display_name=row["display_name"],
            timezone=row["timezone"],
            preferences=json.loads(row["preferences"] or "{}"),
        )


class MemberStore:
    """Members by platform and user id, registered on first contact, with the preferences each
    has chosen; every other store refers to a member by this row's id."""

    """Who the bot knows. Keeps the least it needs: a platform id, a name, a zone, choices."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def register(
        self, platform: str, user_id: str, name: str, timezone: str, now: datetime
    ) -> Member:
        """Return the member, creating them on first contact and refreshing their name."""
        row = self._find(platform, user_id)
        if row is not None and row["display_name"] == name:
            return Member.from_row(row)  # the usual case: one read, no write
        if row is None:
            self.db.execute(
                "INSERT OR IGNORE INTO members (platform, platform_user_id, display_name,"
                " timezone, created) VALUES (?, ?, ?, ?, ?)",
                [platform, user_id, name, timezone, utc_iso(now)],
            )
        elif row["display_name"] != name:
            self.db.execute("UPDATE members SET display_name = ? WHERE id = ?", [name, row["id"]])
        found = self._find(platform, user_id)
        assert found is not None
        return Member.from_row(found)

    def _find(self, platform: str, user_id: str) -> dict[str, Any] | None:
        rows = select_rows(
            self.db,
            "SELECT * FROM members WHERE platform = ? AND platform_user_id = ?",
            [platform, user_id],
        )
        return rows[0] if rows else None

    def by_platform_id(self, platform: str, user_id: str) -> Member | None:
        row = self._find(platform, user_id)
        return Member.from_row(row) if row else None

    def get(self, member_id: int) -> Member | None:
        rows = select_rows(self.db, "SELECT * FROM members WHERE id = ?", [member_id])
        return Member.from_row(rows[0]) if rows else None

    def by_name(self, platform: str, name: str) -> Member | None:
        rows = select_rows(
            self.db,
            "SELECT * FROM members WHERE platform = ? AND display_name = ? ORDER BY id",
            [platform, name],
        )
        return Member.from_row(rows[0]) if rows else None

    def set_timezone(self, member_id: int, timezone: str) -> None:
        self.db.execute("UPDATE members SET timezone = ? WHERE id = ?", [timezone, member_id])

    def set_preferences(self, member_id: int, preferences: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE members SET preferences = ? WHERE id = ?",
            [json.dumps(preferences, sort_keys=True), member_id],
        )

    def wanting(self, kind: str) -> list[int]:
        """Members who opted in to direct-message copies of `kind` (prompts or picks)."""
        kind = {"prompt": "prompts", "pick": "picks"}.get(kind, kind)
        rows = self.db.execute(
            "SELECT id FROM members WHERE json_extract(preferences, ?) = 1 ORDER BY id",
            [f"$.{kind}"],
        ).fetchall()
        return [int(row[0]) for row in rows]

    def preferences(self, member_id: int) -> Preferences:
        member = self.get(member_id)
        return Preferences.from_dict(member.preferences if member else {})

    def save_preferences(self, member_id: int, preferences: Preferences) -> None:
        self.set_preferences(member_id, preferences.to_dict())

    def note_dms_closed(self, member_id: int) -> None:
        """A front end reported that the member refuses direct messages: remember it, so
        nothing more is tried by DM (see `Preferences.with_dms_closed`)."""
        self.save_preferences(member_id, self.preferences(member_id).with_dms_closed())

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM members").fetchone()[0])

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(self.db, "SELECT * FROM members WHERE id = ?", [member_id])
        return {"member": rows}

    def delete(self, member_id: int) -> int:
        return self.db.execute("DELETE FROM members WHERE id = ?", [member_id]).rowcount
