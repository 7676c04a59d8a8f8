"""Counts for the planning group's engagement report: numbers only, never anyone's words.

Every figure is an aggregate over a period, so the report shows how the community is doing
without exposing what any one member did or wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.storage.db import utc_iso


@dataclass(frozen=True)
class Engagement:
    sessions_held: int
    sessions_cancelled: int
    places_taken: int
    sessions_full: int
    people_with_a_place: int
    members: int
    new_members: int
    by_objective: dict[str, int]
    reflections: int
    reflecting_members: int
    suggestions: int
    approved: int
    deliveries: dict[str, int]


def _one(db: Database, sql: str, params: Sequence[object]) -> int:
    return int(db.execute(sql, params).fetchone()[0] or 0)


def engagement(db: Database, start: datetime, end: datetime) -> Engagement:
    """Figures for sessions starting, and things happening, in [start, end)."""
    span = [utc_iso(start), utc_iso(end)]
    held = "s.status = 'scheduled' AND s.start_utc >= ? AND s.start_utc < ?"
    objectives = db.execute(
        f"SELECT objective, count(*) FROM sessions s WHERE {held} GROUP BY objective", span
    ).fetchall()
    deliveries = db.execute(
        "SELECT status, count(*) FROM deliveries WHERE due_utc >= ? AND due_utc < ?"
        " GROUP BY status",
        span,
    ).fetchall()
    confirmed = "g.status = 'confirmed'"
    return Engagement(
        sessions_held=_one(db, f"SELECT count(*) FROM sessions s WHERE {held}", span),
        sessions_cancelled=_one(
            db,
            "SELECT count(*) FROM sessions WHERE status = 'cancelled' AND start_utc >= ?"
            " AND start_utc < ?",
            span,
        ),
        places_taken=_one(
            db,
            f"SELECT count(*) FROM signups g JOIN sessions s ON s.id = g.session_id"
            f" WHERE {confirmed} AND {held}",
            span,
        ),
        sessions_full=_one(
            db,
            f"SELECT count(*) FROM sessions s WHERE {held} AND s.capacity IS NOT NULL AND"
            " (SELECT count(*) FROM signups g WHERE g.session_id = s.id AND"
            f" {confirmed}) >= s.capacity",
            span,
        ),
        people_with_a_place=_one(
            db,
            f"SELECT count(DISTINCT g.member_id) FROM signups g JOIN sessions s ON"
            f" s.id = g.session_id WHERE {confirmed} AND {held}",
            span,
        ),
        members=_one(db, "SELECT count(*) FROM members", []),
        new_members=_one(
            db, "SELECT count(*) FROM members WHERE created >= ? AND created < ?", span
        ),
        by_objective={str(r[0]): int(r[1]) for r in objectives},
        reflections=_one(
            db, "SELECT count(*) FROM reflections WHERE created >= ? AND created < ?", span
        ),
        reflecting_members=_one(
            db,
            "SELECT count(DISTINCT member_id) FROM reflections WHERE created >= ? AND created < ?",
            span,
        ),
        suggestions=_one(
            db,
            "SELECT count(*) FROM resources WHERE source = 'member' AND created >= ?"
            " AND created < ?",
            span,
        ),
        approved=_one(
            db,
            "SELECT count(*) FROM resources WHERE source = 'member' AND status = 'approved'"
            " AND approved_utc >= ? AND approved_utc < ?",
            span,
        ),
        deliveries={str(r[0]): int(r[1]) for r in deliveries},
    )
