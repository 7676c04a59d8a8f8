"""Members: registered on first contact, with a time zone and their preferences."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.domain.memo import Lru
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


@dataclass(frozen=True)
class Recipient:
    """The little the planner needs of a member, read in bulk: their clock and their choices
    as stored (the planner reads each distinct set of choices once, not once a member).
    `timezone` is None for a member no longer known; `since` is when their place last
    changed, where the member was read through a place."""

    member_id: int
    timezone: str | None
    preferences: str
    since: datetime | None = None


# Enough ids for one IN (...) list, well under SQLite's limit on bound parameters.
CHUNK = 500
# Opt-in flags the planner looks members up by; each has an index on its expression.
OPT_INS = {"prompt": "prompts", "prompts": "prompts", "pick": "picks", "picks": "picks"}
# Members kept by platform id between commands: everyone typing in a busy hour, and more.
MEMBERS_KEPT = 4096


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for first in range(0, len(ids), size):
        yield ids[first : first + size]


class MemberStore:
    """Members by platform and user id, registered on first contact, with the preferences each
    has chosen; every other store refers to a member by this row's id."""

    """Who the bot knows. Keeps the least it needs: a platform id, a name, a zone, choices."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Members as last read, by (platform, user id): every command starts by finding who
        # typed it. A member is dropped when this store changes their row, and all are
        # when another connection has committed (see `register`), so none is ever stale.
        self._known: Lru[tuple[str, str], Member] = Lru(MEMBERS_KEPT)
        self._others_seen: int | None = None

    def register(
        self,
        platform: str,
        user_id: str,
        name: str,
        timezone: str,
        now: datetime,
        others: int | None = None,
    ) -> Member:
        """Return the member, creating them on first contact and refreshing their name.

        `others` is SQLite's `data_version` as the caller just read it (it moves when
        another connection commits): given, a member read before and unchanged since is
        answered without reading again."""
        key = (platform, user_id)
        if others is not None and others == self._others_seen:
            kept = self._known.peek(key)
            if kept is not None and kept.display_name == name:
                return kept
        row = self._find(platform, user_id)
        if row is not None and row["display_name"] == name:
            return self._keep(key, Member.from_row(row), others)  # one read, no write
        if row is None:
            self._known.discard(key)
            self.db.execute(
                "INSERT OR IGNORE INTO members (platform, platform_user_id, display_name,"
                " timezone, created) VALUES (?, ?, ?, ?, ?)",
                [platform, user_id, name, timezone, utc_iso(now)],
            )
        elif row["display_name"] != name:
            self._known.discard(key)
            self.db.execute("UPDATE members SET display_name = ? WHERE id = ?", [name, row["id"]])
        found = self._find(platform, user_id)
        assert found is not None
        return Member.from_row(found)

    def _keep(self, key: tuple[str, str], member: Member, others: int | None) -> Member:
        """Keep `member` as read now, if what it was read against is known and nothing is
        pending: inside a transaction the row might yet be rolled back."""
        if others is None or self.db.conn.in_transaction:
            return member
        if others != self._others_seen:
            self._known.clear()
            self._others_seen = others
        self._known.put(key, member)
        return member

    def _changed(self, member_id: int) -> None:
        """A member's row is about to change here: forget that member, and only them (a
        first booking saves the member's choices; every other member kept is as read)."""
        for member in self._known.values():
            if member.id == member_id:
                self._known.discard((member.platform, member.platform_user_id))

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
        self._changed(member_id)
        self.db.execute("UPDATE members SET timezone = ? WHERE id = ?", [timezone, member_id])

    def set_preferences(self, member_id: int, preferences: dict[str, Any]) -> None:
        self._changed(member_id)
        self.db.execute(
            "UPDATE members SET preferences = ? WHERE id = ?",
            [json.dumps(preferences, sort_keys=True), member_id],
        )

    def wanting(self, kind: str) -> list[Recipient]:
        """Members who opted in to direct-message copies of `kind` (prompts or picks), with
        what the planner needs of each, in one indexed query."""
        # The path is written out (from a fixed list) so the query matches the index on it.
        flag = OPT_INS[kind]
        rows = self.db.execute(
            "SELECT id, timezone, preferences FROM members"
            f" WHERE json_extract(preferences, '$.{flag}') = 1 ORDER BY id"
        ).fetchall()
        return [Recipient(int(r[0]), r[1], r[2]) for r in rows]

    def wanting_counts(self, kind: str) -> list[tuple[Recipient, int]]:
        """How many members opted in to direct-message copies of `kind`, by their choices:
        what `wanting` reads, a group at a time (a listing counts, it does not send).

        Choices are saved as sorted JSON, so tens of thousands of opted-in members share a
        few dozen sets of them. The partial index on the opted-in members' choices is
        read a set at a time (a step to the next set, a count over its entries), never
        comparing every entry with the one before as a GROUP BY over it would."""
        opted = f"json_extract(preferences, '$.{OPT_INS[kind]}') = 1"
        rows = self.db.execute(
            "WITH RECURSIVE chosen(preferences) AS ("
            f" SELECT min(preferences) FROM members WHERE {opted}"
            " UNION ALL SELECT (SELECT min(preferences) FROM members"
            f"  WHERE {opted} AND preferences > chosen.preferences)"
            " FROM chosen WHERE chosen.preferences IS NOT NULL)"
            " SELECT c.preferences,"
            f" (SELECT min(timezone) FROM members WHERE {opted} AND preferences = c.preferences),"
            f" (SELECT count(*) FROM members WHERE {opted} AND preferences = c.preferences)"
            " FROM chosen c WHERE c.preferences IS NOT NULL"
        ).fetchall()
        return [(Recipient(0, r[1], r[0]), int(r[2])) for r in rows]

    def recipients(self, member_ids: Sequence[int]) -> dict[int, Recipient]:
        """Members by id, with what the planner needs of each: one query per 500 ids."""
        found: dict[int, Recipient] = {}
        for part in chunks(member_ids):
            marks = ", ".join("?" for _ in part)
            rows = self.db.execute(
                f"SELECT id, timezone, preferences FROM members WHERE id IN ({marks})", part
            )
            found.update((int(r[0]), Recipient(int(r[0]), r[1], r[2])) for r in rows)
        return found

    def names(self, member_ids: Sequence[int]) -> dict[int, str]:
        """Display names by id, for listings: one query per 500 ids, not one a member."""
        found: dict[int, str] = {}
        for part in chunks(sorted(set(member_ids))):
            marks = ", ".join("?" for _ in part)
            rows = self.db.execute(
                f"SELECT id, display_name FROM members WHERE id IN ({marks})", part
            )
            found.update((int(r[0]), str(r[1])) for r in rows)
        return found

    def many(self, member_ids: Sequence[int]) -> dict[int, Member]:
        """Members by id: one query per 500 ids."""
        found: dict[int, Member] = {}
        for part in chunks(sorted(set(member_ids))):
            marks = ", ".join("?" for _ in part)
            rows = select_rows(self.db, f"SELECT * FROM members WHERE id IN ({marks})", part)
            found.update((row["id"], Member.from_row(row)) for row in rows)
        return found

    def zones(self) -> list[str]:
        """Every time zone some member keeps. A skip-scan of the zone index: one step per
        distinct zone, however many members share each."""
        rows = self.db.execute(
            "WITH RECURSIVE z(name) AS (SELECT min(timezone) FROM members"
            " UNION ALL SELECT (SELECT min(timezone) FROM members WHERE timezone > z.name)"
            " FROM z WHERE z.name IS NOT NULL) SELECT name FROM z WHERE name IS NOT NULL"
        ).fetchall()
        return [str(r[0]) for r in rows]

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
        self._changed(member_id)
        return self.db.execute("DELETE FROM members WHERE id = ?", [member_id]).rowcount
