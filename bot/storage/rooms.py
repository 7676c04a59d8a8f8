"""Private rooms for each session's booked members, and who has been let into which.

On Discord a room is a private thread: only its members (and moderators) can see it, so a
reminder posted there, naming those it is for, shows the list to nobody else. A thread holds
at most 1,000 members, so a large session has several rooms. Knowing who is already in a
room spares a request per member per reminder, and says whom to take out when a place is
given up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.db import select_rows, utc_iso
from bot.storage.members import Member


@dataclass(frozen=True)
class Room:
    room_id: str
    session_id: int
    members: frozenset[int]


@dataclass(frozen=True)
class Standing:
    """Where one member stands at a session (`RoomStore.standing`)."""

    member: Member | None  # None once erased
    holds_place: bool  # or waits for one
    rooms: list[str]  # the session's rooms they are in (one, unless something went wrong)
    room_with_space: str | None  # where they would be let in, if any room has space


class RoomStore:
    """Each session's private rooms and who has been let in, so a reminder needs no request per
    member and a given-up place can be taken out of its room."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def rooms(self, session_id: int) -> list[Room]:
        """The session's rooms, oldest first, each with its members."""
        rows = self.db.execute(
            "SELECT r.room_id, m.member_id FROM session_rooms r"
            " LEFT JOIN room_members m ON m.room_id = r.room_id"
            " WHERE r.session_id = ? ORDER BY r.created, r.rowid",
            [session_id],
        ).fetchall()
        found: dict[str, set[int]] = {}
        for room_id, member_id in rows:
            found.setdefault(room_id, set())
            if member_id is not None:
                found[room_id].add(int(member_id))
        return [Room(rid, session_id, frozenset(ids)) for rid, ids in found.items()]

    def standing(self, session_id: int, member_id: int, room_size: int) -> Standing:
        """Where one member stands at a session, in one query: who they are (None once
        erased), whether they hold a place (or wait for one), the session's rooms they are
        in, and its oldest room with fewer than `room_size` members. A booking or a
        cancellation changes one member's places; reading everyone's to find that member
        would cost as much as the session is big."""
        [row] = select_rows(
            self.db,
            "SELECT m.*, EXISTS (SELECT 1 FROM signups WHERE session_id = :session"
            " AND member_id = :member AND status IN ('confirmed', 'waitlisted')) AS holds,"
            " (SELECT json_group_array(i.room_id) FROM room_members i"
            " JOIN session_rooms r ON r.room_id = i.room_id"
            " WHERE i.member_id = :member AND r.session_id = :session) AS inside,"
            " (SELECT r.room_id FROM session_rooms r WHERE r.session_id = :session"
            " AND (SELECT count(*) FROM room_members i WHERE i.room_id = r.room_id) < :size"
            " ORDER BY r.created, r.rowid LIMIT 1) AS space"
            " FROM (SELECT 1) LEFT JOIN members m ON m.id = :member",
            {"session": session_id, "member": member_id, "size": room_size},
        )
        member = Member.from_row(row) if row["id"] is not None else None
        rooms = [str(room_id) for room_id in json.loads(row["inside"])]
        space = None if row["space"] is None else str(row["space"])
        return Standing(member, bool(row["holds"]), rooms, space)

    def sizes(self, session_id: int) -> dict[str, int]:
        """The session's rooms, oldest first, and how many members each holds: counted in
        SQL, as a room can hold 1,000."""
        rows = self.db.execute(
            "SELECT r.room_id, count(m.member_id) FROM session_rooms r"
            " LEFT JOIN room_members m ON m.room_id = r.room_id"
            " WHERE r.session_id = ? GROUP BY r.room_id ORDER BY min(r.created), min(r.rowid)",
            [session_id],
        ).fetchall()
        return {str(room_id): int(count) for room_id, count in rows}

    def add_room(self, session_id: int, room_id: str, now: datetime) -> Room:
        self.db.execute(
            "INSERT INTO session_rooms (room_id, session_id, created) VALUES (?, ?, ?)",
            [room_id, session_id, utc_iso(now)],
        )
        return Room(room_id, session_id, frozenset())

    def retire(self, room_id: str) -> None:
        """Forget a room that is gone (deleted, or locked by a moderator) and its members."""
        self.db.execute("DELETE FROM session_rooms WHERE room_id = ?", [room_id])

    def let_in(self, room_id: str, member_id: int) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO room_members (room_id, member_id) VALUES (?, ?)",
            [room_id, member_id],
        )

    def let_out(self, room_id: str, member_id: int) -> None:
        self.db.execute(
            "DELETE FROM room_members WHERE room_id = ? AND member_id = ?", [room_id, member_id]
        )

    def rooms_of(self, member_id: int) -> list[str]:
        """The private rooms the member is in, by their platform ids."""
        rows = self.db.execute(
            "SELECT room_id FROM room_members WHERE member_id = ? ORDER BY room_id", [member_id]
        )
        return [str(r[0]) for r in rows]

    def export(self, member_id: int) -> dict[str, Any]:
        rows = self.db.execute(
            "SELECT r.session_id FROM room_members m JOIN session_rooms r USING (room_id)"
            " WHERE m.member_id = ? ORDER BY r.session_id",
            [member_id],
        ).fetchall()
        return {"private_session_rooms": [int(r[0]) for r in rows]}

    def delete(self, member_id: int) -> int:
        cursor = self.db.execute("DELETE FROM room_members WHERE member_id = ?", [member_id])
        return int(cursor.rowcount or 0)
