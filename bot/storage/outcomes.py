"""The figures behind the planning group's report, counted in a fixed number of queries.

Everything is set-based: each query groups over the period's sessions, whatever the number of
members, so the report over a year of a large community stays quick. Figures about people
come with the number of distinct people behind them (`*_people`), so every output can hide a
figure drawn from fewer than five.

Who "took part" in a session: those marked as there, where anyone was marked; where nobody
took attendance, those who had a place (the best that is known).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.storage.db import from_iso, select_rows, utc_iso

ALL = "*"
UNDECLARED = ("prefer-not-to-say",)

# The period's sessions, what each member did at each, and when each member first took part.
_BASE = """
WITH s AS (
    SELECT id, objective, local_month(start_utc) AS month, capacity,
        EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = sessions.id) AS rec
    FROM sessions
    WHERE status = 'scheduled' AND start_utc >= :start AND start_utc < :end
),
roles AS (
    SELECT g.session_id, g.member_id, g.status = 'confirmed' AS placed,
        g.status = 'waitlisted' AS waiting, 0 AS came, 0 AS walk
    FROM signups g JOIN s ON s.id = g.session_id
    WHERE g.status IN ('confirmed', 'waitlisted')
    UNION ALL
    SELECT a.session_id, a.member_id, 0, 0, 1, a.source = 'walk-in'
    FROM attendance a JOIN s ON s.id = a.session_id
),
per AS (
    SELECT r.session_id, r.member_id, max(r.placed) AS placed, max(r.waiting) AS waiting,
        max(r.came) AS came, max(r.walk) AS walk
    FROM roles r GROUP BY r.session_id, r.member_id
),
part AS (
    SELECT per.*, s.objective, s.month, s.rec,
        (per.came OR (per.placed AND NOT s.rec)) AS took_part
    FROM per JOIN s ON s.id = per.session_id
),
first AS (
    SELECT member_id, min(start_utc) AS first FROM (
        SELECT a.member_id, x.start_utc FROM attendance a
        JOIN sessions x ON x.id = a.session_id
        UNION ALL
        SELECT g.member_id, x.start_utc FROM signups g JOIN sessions x ON x.id = g.session_id
        WHERE g.status = 'confirmed' AND x.status = 'scheduled'
    ) WHERE member_id IN (SELECT member_id FROM part) GROUP BY member_id
)
"""

_PEOPLE_COLUMNS = """
    sum(placed) AS places_taken,
    count(DISTINCT CASE WHEN placed THEN p.member_id END) AS places_taken_people,
    sum(waiting) AS turned_away,
    count(DISTINCT CASE WHEN waiting THEN p.member_id END) AS turned_away_people,
    sum(came) AS attended,
    count(DISTINCT CASE WHEN came THEN p.member_id END) AS attended_people,
    sum(walk) AS walk_ins,
    count(DISTINCT CASE WHEN walk THEN p.member_id END) AS walk_ins_people,
    sum(placed AND rec) AS booked_recorded,
    sum(placed AND rec AND came) AS booked_came,
    count(DISTINCT CASE WHEN placed AND rec THEN p.member_id END) AS booked_recorded_people,
    count(DISTINCT CASE WHEN took_part THEN p.member_id END) AS people,
    count(DISTINCT CASE WHEN took_part AND f.first >= :start THEN p.member_id END)
        AS new_people,
    count(DISTINCT CASE WHEN took_part AND f.first < :start THEN p.member_id END)
        AS returning_people
"""

_PEOPLE = _BASE + " UNION ALL ".join(
    f"SELECT {objective} AS objective, {month} AS month, {_PEOPLE_COLUMNS}"
    " FROM part p LEFT JOIN first f ON f.member_id = p.member_id"
    + (f" GROUP BY {group}" if group else "")
    for objective, month, group in (
        ("p.objective", "p.month", "p.objective, p.month"),
        ("p.objective", "'*'", "p.objective"),
        ("'*'", "p.month", "p.month"),
        ("'*'", "'*'", ""),
    )
)

_SESSIONS = """
SELECT objective, local_month(start_utc) AS month,
    sum(status = 'scheduled') AS held, sum(status = 'cancelled') AS cancelled,
    sum(CASE WHEN status = 'scheduled' THEN coalesce(capacity, (SELECT count(*) FROM signups g
        WHERE g.session_id = sessions.id AND g.status = 'confirmed')) ELSE 0 END)
        AS places_offered
FROM sessions WHERE start_utc >= :start AND start_utc < :end
GROUP BY objective, month
"""

_PER_SESSION = (
    _BASE
    + """
SELECT s.id, x.title, x.start_utc, s.objective,
    count(DISTINCT CASE WHEN p.took_part THEN p.member_id END) AS people,
    count(DISTINCT CASE WHEN p.took_part AND ms.sector IS NOT NULL
        AND ms.sector NOT IN ('prefer-not-to-say') THEN ms.sector END) AS sectors
FROM s JOIN sessions x ON x.id = s.id
LEFT JOIN part p ON p.session_id = s.id
LEFT JOIN member_sectors ms ON ms.member_id = p.member_id
GROUP BY s.id ORDER BY x.start_utc, s.id
"""
)

_SECTORS = (
    _BASE
    + """
SELECT coalesce(ms.sector, '') AS sector, count(DISTINCT p.member_id) AS people
FROM part p LEFT JOIN member_sectors ms ON ms.member_id = p.member_id
WHERE p.took_part GROUP BY coalesce(ms.sector, '')
"""
)

_FEEDBACK = """
SELECT f.objective, coalesce(f.answer, '') AS answer, count(*) AS answers,
    sum(f.words != '') AS worded
FROM feedback f JOIN sessions x ON x.id = f.session_id
WHERE x.start_utc >= :start AND x.start_utc < :end
GROUP BY f.objective, coalesce(f.answer, '')
"""

_PRACTICE = """
SELECT
    (SELECT count(*) FROM reflections WHERE created >= :start AND created < :end),
    (SELECT count(DISTINCT member_id) FROM reflections WHERE created >= :start AND created < :end),
    (SELECT count(*) FROM resources WHERE source = 'member' AND created >= :start
        AND created < :end),
    (SELECT count(DISTINCT coalesce(suggested_by, -rowid)) FROM resources
        WHERE source = 'member' AND created >= :start AND created < :end)
"""

# The live ledger, plus the counts kept for rows already pruned (bot.storage.retention).
# Pruned rows are counted per UTC day, so such a day counts when it begins in the period.
# Their distinct people are known only per day and kind: the largest of those is a floor for
# the period's, so a small figure is hidden at least as often as from the rows themselves.
_DELIVERIES = """
SELECT status, sum(messages) AS messages, max(people) AS people, sum(posts) AS posts FROM (
    SELECT status, count(*) AS messages, count(DISTINCT member_id) AS people,
        sum(member_id IS NULL) AS posts
    FROM deliveries WHERE due_utc >= :start AND due_utc < :end AND kind != 'sync'
    GROUP BY status
    UNION ALL
    SELECT status, sum(count), max(people), sum(posts)
    FROM delivery_counts WHERE kind != 'sync'
        AND day || 'T00:00:00+00:00' >= :start AND day || 'T00:00:00+00:00' < :end
    GROUP BY status
) GROUP BY status
"""

# CONNECT rounds due in the period: groups, how many mixed sectors, who was introduced, who
# answered and who said they met; and how many have asked for conversations today.
_CONNECT = """
SELECT count(DISTINCT g.round_id || ':' || g.group_no) AS groups,
    count(DISTINCT CASE WHEN g.mixed THEN g.round_id || ':' || g.group_no END) AS mixed,
    count(DISTINCT g.member_id) AS people,
    sum(g.answer != '') AS answered,
    sum(g.answer = 'met') AS met,
    (SELECT count(*) FROM connect_members) AS opted_in
FROM connect_groups g JOIN connect_rounds r ON r.id = g.round_id
WHERE r.due_utc >= :start AND r.due_utc < :end
"""


@dataclass(frozen=True)
class SessionMix:
    """One held session: how many took part and how many declared sectors met there."""

    id: int
    title: str
    start: str
    objective: str
    people: int
    sectors: int


@dataclass
class PeriodFigures:
    """Every raw figure for one period; groups are keyed (objective or "*", month or "*")."""

    start: datetime
    end: datetime
    sessions: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    people: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    per_session: list[SessionMix] = field(default_factory=list)
    sectors: dict[str, int] = field(default_factory=dict)
    feedback: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    practice: tuple[int, int, int, int] = (0, 0, 0, 0)
    deliveries: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    connect: dict[str, int] = field(default_factory=dict)


def period_figures(
    db: Database, start: datetime, end: datetime, zone: ZoneInfo | timezone
) -> PeriodFigures:
    """Eight queries, whatever the size of the community. Months and days are the
    community's (`zone`): an evening session on the last day of a month west of Greenwich
    starts in the next month by UTC, but was held in this one."""
    db.conn.create_function("local_month", 1, _month_in(zone), deterministic=True)
    span = {"start": utc_iso(start), "end": utc_iso(end)}
    found = PeriodFigures(start, end)
    found.sessions = _rolled_up(select_rows(db, _SESSIONS, span))
    found.people = {
        (r["objective"], r["month"]): _counts(r) for r in select_rows(db, _PEOPLE, span)
    }
    found.per_session = [
        SessionMix(**r) for r in _renamed(select_rows(db, _PER_SESSION, span), zone)
    ]
    found.sectors = {r["sector"]: int(r["people"]) for r in select_rows(db, _SECTORS, span)}
    found.feedback = {
        (r["objective"], r["answer"]): (int(r["answers"]), int(r["worded"] or 0))
        for r in select_rows(db, _FEEDBACK, span)
    }
    row = db.execute(_PRACTICE, span).fetchone()
    found.practice = (int(row[0]), int(row[1]), int(row[2]), int(row[3]))
    found.deliveries = {
        r["status"]: (int(r["messages"]), int(r["people"]), int(r["posts"] or 0))
        for r in select_rows(db, _DELIVERIES, span)
    }
    [connect] = select_rows(db, _CONNECT, span)
    found.connect = {name: int(value or 0) for name, value in connect.items()}
    return found


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: int(v or 0) for k, v in row.items() if k not in ("objective", "month")}


def _renamed(rows: Sequence[dict[str, Any]], zone: ZoneInfo | timezone) -> list[dict[str, Any]]:
    """Each session's start as the community's local time (ISO), for its day and month."""
    return [
        {
            **{k: v for k, v in r.items() if k != "start_utc"},
            "start": from_iso(r["start_utc"]).astimezone(zone).isoformat(),
        }
        for r in rows
    ]


def _month_in(zone: ZoneInfo | timezone) -> Callable[[str], str]:
    """SQL's `local_month(start_utc)`: the month ("2026-11") a stored UTC time falls in,
    in the community's time zone."""

    def month(stamp: str) -> str:
        return from_iso(stamp).astimezone(zone).strftime("%Y-%m")

    return month


def _rolled_up(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, int]]:
    """Session counts add up, so the totals by objective, by month and overall are sums."""
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        counts = _counts(row)
        for key in (
            (row["objective"], row["month"]),
            (row["objective"], ALL),
            (ALL, row["month"]),
            (ALL, ALL),
        ):
            into = totals.setdefault(key, {})
            for name, value in counts.items():
                into[name] = into.get(name, 0) + value
    return totals
