"""The calendar: sessions and the series they may belong to. The source of truth for scheduling."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.storage.calendar_changes import CalendarChanges
from bot.storage.db import from_iso, select_rows, utc_iso

EDITABLE = (
    "title",
    "description",
    "objective",
    "start_utc",
    "duration_minutes",
    "location",
    "capacity",
)


@dataclass(frozen=True)
class Session:
    id: int
    title: str
    description: str
    objective: str
    start: datetime
    duration_minutes: int
    location: str
    capacity: int | None
    status: str
    cancel_reason: str
    series_id: int | None
    created_by: int | None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Session:
        return cls(
            id=row["id"],
            title=row["title"],
            description=row["description"],
            objective=row["objective"],
            start=from_iso(row["start_utc"]),
            duration_minutes=row["duration_minutes"],
            location=row["location"],
            capacity=row["capacity"],
            status=row["status"],
            cancel_reason=row["cancel_reason"],
            series_id=row["series_id"],
            created_by=row["created_by"],
        )


@dataclass(frozen=True)
class NewSession:
    """What the planning group gives when scheduling; the start of each occurrence comes apart."""

    title: str
    description: str
    objective: str
    duration_minutes: int
    location: str
    capacity: int | None
    created_by: int | None

    @classmethod
    def like(cls, session: Session) -> NewSession:
        """The details of an existing session, for the next one of its series."""
        return cls(
            session.title,
            session.description,
            session.objective,
            session.duration_minutes,
            session.location,
            session.capacity,
            session.created_by,
        )


class SessionStore:
    """The calendar itself: every session, past and future, read by commands, the planner and
    the feeds alike, so a change here is a change everywhere at once."""

    def __init__(self, db: Database, changes: CalendarChanges | None = None) -> None:
        self.db = db
        # What the places' stores note of their changes (see calendar_changes.py).
        self.changes = changes if changes is not None else CalendarChanges()

    def create(
        self, new: NewSession, starts: list[datetime], now: datetime, series_id: int | None = None
    ) -> list[Session]:
        """Add one session per start, all in `series_id` if given (see SeriesStore)."""
        ids = [self._insert(new, start, series_id, now) for start in starts]
        sessions_changed(self.db)
        return [self._require(i) for i in ids]

    def _insert(
        self, new: NewSession, start: datetime, series_id: int | None, now: datetime
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO sessions (title, description, objective, start_utc, duration_minutes,"
            " location, capacity, series_id, created_by, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new.title,
                new.description,
                new.objective,
                utc_iso(start),
                new.duration_minutes,
                new.location,
                new.capacity,
                series_id,
                new.created_by,
                utc_iso(now),
                utc_iso(now),
            ],
        )
        return int(cursor.lastrowid or 0)

    def _require(self, session_id: int) -> Session:
        found = self.get(session_id)
        assert found is not None
        return found

    def get(self, session_id: int) -> Session | None:
        rows = select_rows(self.db, "SELECT * FROM sessions WHERE id = ?", [session_id])
        return Session.from_row(rows[0]) if rows else None

    def upcoming(
        self,
        now: datetime,
        limit: int = 20,
        *,
        include_cancelled: bool = False,
        offset: int = 0,
    ) -> list[Session]:
        """Scheduled sessions not yet over, soonest first.

        A calendar file asks for cancelled ones too, so apps that imported them learn of it.
        """
        status = "status = 'scheduled'"
        if include_cancelled:
            status = "status IN ('scheduled', 'cancelled')"
        # No session lasts over 12 hours, so older starts can be skipped using the index.
        return self._select(
            f"{status} AND start_utc > ? AND datetime(start_utc, '+' || duration_minutes ||"
            " ' minutes') > datetime(?) ORDER BY start_utc, id LIMIT ? OFFSET ?",
            [utc_iso(now - timedelta(hours=12)), utc_iso(now), limit, offset],
        )

    def between(self, start: datetime, end: datetime) -> list[Session]:
        """Sessions, cancelled or not, starting in [start, end).

        Naming both statuses lets SQLite seek the (status, start_utc) index for each
        instead of reading every session ever scheduled."""
        return self._select(
            "status IN ('scheduled', 'cancelled') AND start_utc >= ? AND start_utc < ?"
            " ORDER BY start_utc, id",
            [utc_iso(start), utc_iso(end)],
        )

    def many(self, session_ids: Iterable[int]) -> dict[int, Session]:
        """Sessions by id, for a listing: one query per 500 ids, not one a row."""
        found: dict[int, Session] = {}
        ids = sorted(set(session_ids))
        for first in range(0, len(ids), 500):
            part = ids[first : first + 500]
            marks = ", ".join("?" for _ in part)
            found.update((s.id, s) for s in self._select(f"id IN ({marks})", part))
        return found

    def all(self) -> list[Session]:
        return self._select("1 ORDER BY start_utc, id", [])

    def later_in_series(self, session: Session) -> list[Session]:
        """This occurrence and every later scheduled one of its series."""
        if session.series_id is None:
            return [session]
        return self._select(
            "series_id = ? AND start_utc >= ? AND status = 'scheduled' ORDER BY start_utc",
            [session.series_id, utc_iso(session.start)],
        )

    def latest_in_series(self, series_id: int) -> Session | None:
        """The series' last session, cancelled or not: a top-up copies its details."""
        found = self._select("series_id = ? ORDER BY start_utc DESC, id DESC LIMIT 1", [series_id])
        return found[0] if found else None

    def _select(self, where: str, params: list[Any]) -> list[Session]:
        rows = select_rows(self.db, f"SELECT * FROM sessions WHERE {where}", params)
        return [Session.from_row(row) for row in rows]

    def update(self, session_id: int, changes: dict[str, Any], now: datetime) -> Session:
        """Change editable fields; times arrive as aware datetimes and are stored in UTC."""
        values = {k: utc_iso(v) if isinstance(v, datetime) else v for k, v in changes.items()}
        unknown = set(values) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(
            f"UPDATE sessions SET {assignments}, updated = ? WHERE id = ?",
            [*values.values(), utc_iso(now), session_id],
        )
        sessions_changed(self.db)
        return self._require(session_id)

    def cancel(self, session_id: int, reason: str, now: datetime) -> Session:
        self.db.execute(
            "UPDATE sessions SET status = 'cancelled', cancel_reason = ?, updated = ? WHERE id = ?",
            [reason, utc_iso(now), session_id],
        )
        sessions_changed(self.db)
        return self._require(session_id)

    def last_changed(self, session_ids: list[int]) -> dict[int, datetime]:
        """When each session, or anyone's place at it, last changed: a feed's DTSTAMP."""
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        rows = self.db.execute(
            "SELECT s.id, max(s.updated, coalesce(max(g.updated), '')) FROM sessions s"
            f" LEFT JOIN signups g ON g.session_id = s.id WHERE s.id IN ({marks})"
            " GROUP BY s.id",
            session_ids,
        ).fetchall()
        return {int(r[0]): from_iso(r[1]) for r in rows}

    def refs(self, session_id: int) -> dict[str, str]:
        """Platform references for a session (a Discord thread or event id, say)."""
        row = self.db.execute("SELECT platform_refs FROM sessions WHERE id = ?", [session_id])
        found = row.fetchone()
        return dict(json.loads(found[0])) if found else {}

    def set_ref(self, session_id: int, name: str, value: str) -> None:
        self.db.execute(
            "UPDATE sessions SET platform_refs = json_set(platform_refs, ?, ?) WHERE id = ?",
            [f"$.{name}", value, session_id],
        )

    def calendar_mark(self) -> tuple[int, int, int]:
        """What a cache of the calendar is keyed on, read in one statement: a mark the session
        and signup stores move with each change they make, a mark only the session store
        moves (the sessions themselves, not their places, changed), and SQLite's count of
        changes committed by any other connection (another process). The scheduler's own
        writes to the ledger move none of them."""
        row = self.db.conn.execute(_MARKS).fetchone()
        return (int(row[0]), int(row[1] or 0), int(row[2]))

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM sessions").fetchone()[0])


# The calendar's marks and the other connections' commits, in one statement (each separate
# read is a read transaction of its own, with its locks).
_MARKS = (
    "SELECT (SELECT mark FROM change_marks WHERE name = 'calendar'),"
    " (SELECT mark FROM change_marks WHERE name = 'sessions'),"
    " (SELECT data_version FROM pragma_data_version())"
)


def calendar_changed(
    db: Database, changes: CalendarChanges | None = None, session_id: int | None = None
) -> None:
    """Move the calendar's change mark: called in the transaction of each change to the
    sessions or the places, once a change (not once a row). A change to the places at one
    session is noted in `changes`, so a listing of other sessions can stand."""
    row = db.execute(
        "UPDATE change_marks SET mark = mark + 1 WHERE name = 'calendar' RETURNING mark"
    ).fetchall()
    if changes is not None and session_id is not None:
        changes.note(int(row[0][0]), session_id)


def sessions_changed(db: Database) -> None:
    """Move the calendar's mark and the sessions' own (made on first use: a row of data,
    no schema): a change to a session itself, not only to someone's place at it, so a
    listing of sessions is read again, where a new place only needs new counts."""
    calendar_changed(db)
    db.execute(
        "INSERT INTO change_marks (name, mark) VALUES ('sessions', 1)"
        " ON CONFLICT (name) DO UPDATE SET mark = mark + 1"
    )
