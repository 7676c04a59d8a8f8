"""Signups: places, an ordered waitlist, and promotion when a place frees up.

Every change runs in one IMMEDIATE transaction that counts and writes together, so a session
with 40 places never confirms 41, however many people press the button at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.domain.errors import AlreadySignedUp, NotSignedUp
from bot.storage.calendar_changes import CalendarChanges
from bot.storage.db import from_iso, immediate, select_rows, utc_iso
from bot.storage.members import Recipient, chunks
from bot.storage.sessions import Session, calendar_changed

# Active signups with each one's waitlist position (1 = next; 0 when confirmed).
_WITH_POSITION = (
    "SELECT s.*, (SELECT count(*) FROM signups w WHERE w.session_id = s.session_id"
    " AND w.status = 'waitlisted' AND w.waitlist_order <= s.waitlist_order) AS position"
    " FROM signups s WHERE s.status IN ('confirmed', 'waitlisted')"
)

# What a signup decides on, in one read: the member's active place (if any), the places
# confirmed, the number waiting and the waitlist's last number. The counts read only the
# (session_id, status) index, never the rows (every waiting row has a number: `signup` is
# the one writer of 'waitlisted'); the last number comes from the waitlist's own index
# (migration 15).
_BEFORE_SIGNUP = (
    "SELECT (SELECT status FROM signups WHERE session_id = :session AND member_id = :member"
    " AND status IN ('confirmed', 'waitlisted')),"
    " (SELECT count(*) FROM signups WHERE session_id = :session AND status = 'confirmed'),"
    " (SELECT count(*) FROM signups WHERE session_id = :session AND status = 'waitlisted'),"
    " (SELECT max(waitlist_order) FROM signups WHERE session_id = :session"
    " AND status = 'waitlisted')"
)


@dataclass(frozen=True)
class Place:
    """One member's place at a session: confirmed, or waitlisted at `position` (1 = next)."""

    session_id: int
    member_id: int
    status: str
    position: int
    since: datetime


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waitlisted: int = 0

    def places_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - self.confirmed, 0)


class SignupStore:
    """Places and the waitlist; each change counts and writes in one transaction, so a session
    is never over-booked and a freed place goes to the next person in line."""

    def __init__(self, db: Database, changes: CalendarChanges | None = None) -> None:
        self.db = db
        # Which session each change was for, shared with the session store's listings.
        self.changes = changes

    def signup(self, session: Session, member_id: int, now: datetime) -> Place:
        """Confirm a place if one is free, otherwise join the end of the waitlist.

        One read decides (the member's own place, the places taken, the waitlist's length
        and its last number, each from an index) and one write records it, in the same
        IMMEDIATE transaction; the answer is built from what was read, not read again.
        """
        with immediate(self.db):
            current, confirmed, waiting, last = self.db.conn.execute(
                _BEFORE_SIGNUP, {"session": session.id, "member": member_id}
            ).fetchone()
            if current is not None:
                raise AlreadySignedUp(title=session.title, status_key=current)
            since = from_iso(utc_iso(now))  # as stored: to the second
            if session.capacity is None or confirmed < session.capacity:
                place = Place(session.id, member_id, "confirmed", 0, since)
                self._write(session.id, member_id, "confirmed", None, now)
            else:
                place = Place(session.id, member_id, "waitlisted", waiting + 1, since)
                self._write(session.id, member_id, "waitlisted", (last or 0) + 1, now)
            calendar_changed(self.db, self.changes, session.id)
        return place

    def cancel(self, session: Session, member_id: int, now: datetime) -> list[int]:
        """Give up a place; returns the members promoted from the waitlist into it."""
        with immediate(self.db):
            current = self.place(session.id, member_id)
            if current is None:
                raise NotSignedUp(title=session.title)
            self._set_status(session.id, member_id, "cancelled", now)
            calendar_changed(self.db, self.changes, session.id)
            return self.promote(session, now)

    def promote(self, session: Session, now: datetime) -> list[int]:
        """Fill free places from the head of the waitlist; returns who was promoted, in order.

        Nobody is promoted into a session that is cancelled or already over.
        """
        if session.cancelled or session.end <= now:
            return []
        with immediate(self.db):
            confirmed = self.counts([session.id]).get(session.id, Counts()).confirmed
            free = None if session.capacity is None else session.capacity - confirmed
            rows = self.db.execute(
                "SELECT member_id FROM signups WHERE session_id = ? AND status = 'waitlisted'"
                " ORDER BY waitlist_order LIMIT ?",
                [session.id, -1 if free is None else max(free, 0)],
            ).fetchall()
            promoted = [int(row[0]) for row in rows]
            for member_id in promoted:
                self._set_status(session.id, member_id, "confirmed", now)
            if promoted:
                calendar_changed(self.db, self.changes, session.id)
            return promoted

    def release_all(self, session: Session, now: datetime) -> int:
        """Cancel every active place (the session itself was cancelled); returns how many
        there were. Whoever is to be told was told first (`Notices.notify_holders`)."""
        with immediate(self.db):
            released = self.db.execute(
                "UPDATE signups SET status = 'cancelled', waitlist_order = NULL, updated = ?"
                " WHERE session_id = ? AND status IN ('confirmed', 'waitlisted')",
                [utc_iso(now), session.id],
            ).rowcount
            calendar_changed(self.db, self.changes, session.id)
            return int(released)

    def holder_shapes(self, session_id: int) -> list[tuple[str, str]]:
        """Each distinct (time zone, choices as stored) among those holding a place at the
        session or waiting for one: what a notice to them all depends on."""
        # The sets their places name, from the session index alone: no member's row is read.
        rows = self.db.execute(
            "SELECT timezone, preferences FROM choice_sets WHERE id IN (SELECT choice_set"
            " FROM signups WHERE session_id = ? AND status IN ('confirmed', 'waitlisted'))",
            [session_id],
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def _write(
        self, session_id: int, member_id: int, status: str, order: int | None, now: datetime
    ) -> None:
        # The place names its member's set of zone and choices as it is written; when the
        # set is new (or a writer leaves it out) migration 20's trigger numbers it after.
        self.db.execute(
            "INSERT INTO signups"
            " (session_id, member_id, status, waitlist_order, created, updated, choice_set)"
            " VALUES (?, ?, ?, ?, ?, ?, (SELECT c.id FROM members m JOIN choice_sets c"
            " ON c.timezone = m.timezone AND c.preferences = m.preferences WHERE m.id = ?))"
            " ON CONFLICT (session_id, member_id) DO UPDATE SET"
            " status = excluded.status, waitlist_order = excluded.waitlist_order,"
            " created = excluded.created, updated = excluded.updated",
            [session_id, member_id, status, order, utc_iso(now), utc_iso(now), member_id],
        )

    def _set_status(self, session_id: int, member_id: int, status: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE signups SET status = ?, waitlist_order = NULL, updated = ?"
            " WHERE session_id = ? AND member_id = ?",
            [status, utc_iso(now), session_id, member_id],
        )

    def place(self, session_id: int, member_id: int) -> Place | None:
        """The member's active place at the session, if any (one row, however long the list)."""
        rows = select_rows(
            self.db,
            f"{_WITH_POSITION} AND s.session_id = ? AND s.member_id = ?",
            [session_id, member_id],
        )
        return _place(rows[0], rows[0]["position"] or 0) if rows else None

    def attendees(self, session_id: int) -> list[Place]:
        """Confirmed members in signup order, then the waitlist in its order."""
        rows = select_rows(
            self.db,
            "SELECT * FROM signups WHERE session_id = ? AND status IN ('confirmed', 'waitlisted')"
            " ORDER BY status = 'waitlisted', coalesce(waitlist_order, 0), updated, id",
            [session_id],
        )
        return _places(rows)

    def confirmed_pages(self, session_id: int, size: int = 1000) -> Iterator[list[Recipient]]:
        """The members with a confirmed place, with what the planner needs of each, a page
        at a time: one query a page, each read to the end before it is handed out, so a
        caller may pause between pages while others use the connection."""
        after = 0
        while True:
            rows = self.db.execute(
                "SELECT g.id, g.member_id, m.timezone, m.preferences, g.updated FROM signups g"
                " LEFT JOIN members m ON m.id = g.member_id WHERE g.session_id = ?"
                " AND g.status = 'confirmed' AND g.id > ? ORDER BY g.id LIMIT ?",
                [session_id, after, size],
            ).fetchall()
            if rows:
                yield [Recipient(int(r[1]), r[2], r[3] or "{}", from_iso(r[4])) for r in rows]
            if len(rows) < size:
                return
            after = int(rows[-1][0])

    def confirmed_counts(
        self, session_ids: Sequence[int], recent: datetime
    ) -> dict[int, list[tuple[Recipient, int]]]:
        """Each session's confirmed places, counted by what the planner needs of their
        members (clock and choices) and, for a place that changed after `recent`, when:
        what `confirmed_pages` reads, a group at a time, for a listing that counts. An older
        place's time is left out (None), as nothing before `recent` can change a count."""
        found: dict[int, list[tuple[Recipient, int]]] = {}
        # Places taken in one wave share their time: each is read once.
        times: dict[str, datetime] = {}
        for part in chunks(list(session_ids)):
            marks = ", ".join("?" for _ in part)
            # Two walks of the session index in its own order (session, status, set, time):
            # older places counted by set, recent ones by set and time. Neither reads a
            # member's row or sorts; each group's zone and choices are looked up once.
            rows = self.db.execute(
                "SELECT u.session_id, c.timezone, c.preferences, u.changed, u.copies FROM ("
                " SELECT session_id, choice_set, NULL AS changed, count(*) AS copies"
                f" FROM signups WHERE session_id IN ({marks}) AND status = 'confirmed'"
                " AND updated <= ? GROUP BY 1, 2"
                " UNION ALL SELECT session_id, choice_set, updated, count(*)"
                f" FROM signups WHERE session_id IN ({marks}) AND status = 'confirmed'"
                " AND updated > ? GROUP BY 1, 2, 3"
                ") u LEFT JOIN choice_sets c ON c.id = u.choice_set",
                [*part, utc_iso(recent), *part, utc_iso(recent)],
            )
            for session_id, zone, choices, changed, count in rows:
                since = None
                if changed:
                    since = times.get(changed)
                    if since is None:
                        since = times[changed] = from_iso(changed)
                found.setdefault(session_id, []).append(
                    (Recipient(0, zone, choices or "{}", since), count)
                )
        return found

    def holders(self, session_id: int) -> set[int]:
        """Who holds a place or waits for one, as ids in no order: read from the session's
        index alone, for a front end bringing a room's members up to date."""
        rows = self.db.execute(
            "SELECT member_id FROM signups WHERE session_id = ?"
            " AND status IN ('confirmed', 'waitlisted')",
            [session_id],
        )
        return {int(r[0]) for r in rows}

    def for_member(self, member_id: int) -> list[Place]:
        rows = select_rows(self.db, f"{_WITH_POSITION} AND s.member_id = ?", [member_id])
        return [_place(row, row["position"] or 0) for row in rows]

    def released_by_cancellation(self, member_id: int) -> set[int]:
        """Sessions where the member's place ended because the session itself was cancelled."""
        rows = self.db.execute(
            "SELECT g.session_id FROM signups g JOIN sessions s ON s.id = g.session_id"
            " WHERE g.member_id = ? AND g.status = 'cancelled' AND s.status = 'cancelled'"
            " AND g.updated >= s.updated",
            [member_id],
        ).fetchall()
        return {int(r[0]) for r in rows}

    def counts(self, session_ids: list[int]) -> dict[int, Counts]:
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        rows = self.db.execute(
            "SELECT session_id, sum(status = 'confirmed'), sum(status = 'waitlisted')"
            f" FROM signups WHERE session_id IN ({marks}) GROUP BY session_id",
            session_ids,
        ).fetchall()
        return {int(r[0]): Counts(int(r[1] or 0), int(r[2] or 0)) for r in rows}

    def export(self, member_id: int) -> dict[str, Any]:
        # Not `choice_set`: a number for the zone and choices the member's own row shows.
        rows = select_rows(
            self.db,
            "SELECT id, session_id, member_id, status, waitlist_order, created, updated"
            " FROM signups WHERE member_id = ? ORDER BY id",
            [member_id],
        )
        return {"signups": rows}

    def delete(self, member_id: int) -> int:
        deleted = self.db.execute("DELETE FROM signups WHERE member_id = ?", [member_id]).rowcount
        calendar_changed(self.db)
        return deleted


def _places(rows: list[dict[str, Any]]) -> list[Place]:
    position = 0
    places = []
    for row in rows:
        position = position + 1 if row["status"] == "waitlisted" else 0
        places.append(_place(row, position))
    return places


def _place(row: dict[str, Any], position: int) -> Place:
    return Place(
        row["session_id"], row["member_id"], row["status"], position, from_iso(row["updated"])
    )
