"""CONNECT conversations: who asked for them, the groups each round made, and what came of them.

Planners only ever read counts from here. Who met whom is the members' own business: a member
sees their own pairings in `mydata`, and "not again" is read only to keep two people apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import from_iso, immediate, select_rows, utc_iso

ANSWERS = ("met", "cant")


def conversation_name(round_id: int, group: int) -> str:
    """The one private conversation a group is introduced in, the same on a retry; it is
    also how the group's introductions in the ledger begin, so they are found together."""
    return f"connect:{round_id}:{group}:"


@dataclass(frozen=True)
class ConnectRound:
    id: int
    period: str
    due: datetime


@dataclass(frozen=True)
class ConnectCounts:
    """What the planning group sees: numbers, never names."""

    opted_in: int
    groups: int
    mixed_groups: int
    answered: int
    met: int


class ConnectStore:
    """Who takes part in CONNECT rounds and which groups each round made, so a round never pairs
    the same people again too soon and the report can count without naming anyone."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def join(self, member_id: int, now: datetime) -> bool:
        """Opt in; False if the member already had."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO connect_members (member_id, joined) VALUES (?, ?)",
            [member_id, utc_iso(now)],
        )
        return cursor.rowcount == 1

    def leave(self, member_id: int) -> bool:
        """Opt out; False if the member was not in."""
        cursor = self.db.execute("DELETE FROM connect_members WHERE member_id = ?", [member_id])
        return cursor.rowcount == 1

    def is_in(self, member_id: int) -> bool:
        found = self.db.execute("SELECT 1 FROM connect_members WHERE member_id = ?", [member_id])
        return found.fetchone() is not None

    def skip(self, member_id: int, period: str) -> None:
        """Leave the member out of the round for `period` (they stay opted in)."""
        self.db.execute(
            "UPDATE connect_members SET skip_period = ? WHERE member_id = ?", [period, member_id]
        )

    def skipping(self, member_id: int) -> str:
        rows = self.db.execute(
            "SELECT skip_period FROM connect_members WHERE member_id = ?", [member_id]
        ).fetchall()
        return str(rows[0][0]) if rows else ""

    def candidates(self, period: str, now: datetime) -> list[tuple[int, str]]:
        """Everyone opted in, not paused at `now` and not skipping the round for `period`,
        with the sector they declared ('' for none). One query, however many there are."""
        rows = self.db.execute(
            "SELECT c.member_id, coalesce(s.sector, '') FROM connect_members c"
            " JOIN members m ON m.id = c.member_id"
            " LEFT JOIN member_sectors s ON s.member_id = c.member_id"
            " WHERE c.skip_period != ?"
            " AND coalesce(julianday(json_extract(m.preferences, '$.paused_until')), 0)"
            " <= julianday(?)"
            " ORDER BY c.member_id",
            [period, utc_iso(now)],
        )
        return [(int(member), str(sector)) for member, sector in rows]

    def round_for(self, period: str) -> ConnectRound | None:
        rows = self.db.execute(
            "SELECT id, period, due_utc FROM connect_rounds WHERE period = ?", [period]
        ).fetchall()
        return ConnectRound(rows[0][0], rows[0][1], from_iso(rows[0][2])) if rows else None

    def rounds_due(self, start: datetime, end: datetime) -> list[ConnectRound]:
        """Rounds whose introductions fall due in [start, end)."""
        rows = self.db.execute(
            "SELECT id, period, due_utc FROM connect_rounds WHERE due_utc >= ? AND due_utc < ?"
            " ORDER BY due_utc",
            [utc_iso(start), utc_iso(end)],
        )
        return [ConnectRound(r[0], r[1], from_iso(r[2])) for r in rows]

    def record(
        self, period: str, due: datetime, groups: Sequence[tuple[tuple[int, ...], bool]]
    ) -> int | None:
        """Keep a round and its groups (each with whether it mixed sectors), in one go.

        None if the round for `period` was already made: a round is made once, whoever asks.
        """
        with immediate(self.db):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO connect_rounds (period, due_utc) VALUES (?, ?)",
                [period, utc_iso(due)],
            )
            if cursor.rowcount != 1:
                return None
            round_id = int(cursor.lastrowid or 0)
            self.db.conn.executemany(
                "INSERT INTO connect_groups (round_id, group_no, member_id, mixed)"
                " VALUES (?, ?, ?, ?)",
                [
                    (round_id, number, member, int(mixed))
                    for number, (group, mixed) in enumerate(groups, 1)
                    for member in group
                ],
            )
        return round_id

    def members_of(self, round_id: int) -> list[int]:
        rows = self.db.execute(
            "SELECT member_id FROM connect_groups WHERE round_id = ? ORDER BY group_no, member_id",
            [round_id],
        )
        return [int(r[0]) for r in rows]

    def groups_of(self, round_id: int) -> dict[int, tuple[int, ...]]:
        """Each group of the round by its number, with its members."""
        found: dict[int, list[int]] = {}
        rows = self.db.execute(
            "SELECT group_no, member_id FROM connect_groups WHERE round_id = ?"
            " ORDER BY group_no, member_id",
            [round_id],
        )
        for number, member in rows:
            found.setdefault(int(number), []).append(int(member))
        return {number: tuple(members) for number, members in found.items()}

    def conversations_of(self, member_id: int) -> list[str]:
        """The conversation of every group the member was in (`conversation_name`), for
        taking them out of those rooms when they ask to be forgotten."""
        rows = self.db.execute(
            "SELECT round_id, group_no FROM connect_groups WHERE member_id = ? ORDER BY round_id",
            [member_id],
        )
        return [conversation_name(int(r), int(g)) for r, g in rows]

    def group_count(self, round_id: int) -> int:
        found = self.db.execute(
            "SELECT count(DISTINCT group_no) FROM connect_groups WHERE round_id = ?", [round_id]
        )
        return int(found.fetchone()[0])

    def group_of(self, round_id: int, member_id: int) -> tuple[int, ...]:
        """Everyone in the member's group that round, the member included.

        Two lookups rather than a self-join: without statistics SQLite would read the whole
        round through the primary key to find one group.
        """
        found = self.db.execute(
            "SELECT group_no FROM connect_groups WHERE round_id = ? AND member_id = ?",
            [round_id, member_id],
        ).fetchone()
        if found is None:
            return ()
        rows = self.db.execute(
            "SELECT member_id FROM connect_groups INDEXED BY connect_groups_group"
            " WHERE round_id = ? AND group_no = ? ORDER BY member_id",
            [round_id, found[0]],
        )
        return tuple(int(r[0]) for r in rows)

    def recent_groups(self, rounds: int) -> list[list[tuple[int, ...]]]:
        """The groups of the last `rounds` rounds, newest last."""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT id FROM connect_rounds ORDER BY due_utc DESC LIMIT ?", [rounds]
            )
        ]
        found: dict[int, dict[int, list[int]]] = {i: {} for i in reversed(ids)}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT round_id, group_no, member_id FROM connect_groups WHERE round_id IN ({marks})",
            ids,
        )
        for round_id, number, member in rows:
            found[round_id].setdefault(number, []).append(int(member))
        return [[tuple(g) for g in groups.values()] for groups in found.values()]

    def not_again(self) -> list[tuple[int, int]]:
        """Every "not again", only ever used to keep two people apart."""
        return [(int(a), int(b)) for a, b in self.db.execute("SELECT * FROM connect_not_again")]

    def say_not_again(self, member_id: int, others: Iterable[int]) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO connect_not_again (member_id, other_id) VALUES (?, ?)",
            [(member_id, other) for other in others if other != member_id],
        )

    def answer(self, round_id: int, member_id: int, answer: str) -> bool:
        """Record "we met" or "can't this time"; False if the member was not in that round."""
        cursor = self.db.execute(
            "UPDATE connect_groups SET answer = ? WHERE round_id = ? AND member_id = ?",
            [answer, round_id, member_id],
        )
        return cursor.rowcount == 1

    def counts(self, start: datetime, end: datetime) -> ConnectCounts:
        """Counts for the report over rounds due in [start, end): groups, mixed, answers."""
        span = [utc_iso(start), utc_iso(end)]
        groups, mixed, answered, met = self.db.execute(
            "SELECT count(DISTINCT g.round_id || ':' || g.group_no),"
            " count(DISTINCT CASE WHEN g.mixed THEN g.round_id || ':' || g.group_no END),"
            " sum(g.answer != ''), sum(g.answer = 'met')"
            " FROM connect_groups g JOIN connect_rounds r ON r.id = g.round_id"
            " WHERE r.due_utc >= ? AND r.due_utc < ?",
            span,
        ).fetchone()
        opted = self.db.execute("SELECT count(*) FROM connect_members").fetchone()[0]
        return ConnectCounts(int(opted), int(groups), int(mixed), int(answered or 0), int(met or 0))

    def export(self, member_id: int) -> dict[str, Any]:
        """The member's own opt-in, their groups (with who was in them) and their answers."""
        joined = select_rows(
            self.db,
            "SELECT joined, skip_period FROM connect_members WHERE member_id = ?",
            [member_id],
        )
        pairings = select_rows(
            self.db,
            "SELECT r.due_utc, me.answer, group_concat(g.member_id) AS with_members"
            " FROM connect_groups me JOIN connect_rounds r ON r.id = me.round_id"
            " JOIN connect_groups g ON g.round_id = me.round_id AND g.group_no = me.group_no"
            " AND g.member_id != me.member_id"
            " WHERE me.member_id = ? GROUP BY me.round_id ORDER BY r.due_utc",
            [member_id],
        )
        not_again = select_rows(
            self.db, "SELECT other_id FROM connect_not_again WHERE member_id = ?", [member_id]
        )
        return {"connect": joined, "connect_pairings": pairings, "connect_not_again": not_again}

    def delete(self, member_id: int) -> int:
        removed = 0
        for sql in (
            "DELETE FROM connect_members WHERE member_id = ?",
            "DELETE FROM connect_groups WHERE member_id = ?",
            "DELETE FROM connect_not_again WHERE member_id = ? OR other_id = ?",
        ):
            params = [member_id] * sql.count("?")
            removed += self.db.execute(sql, params).rowcount
        return removed
