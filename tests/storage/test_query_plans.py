"""The queries the planner runs every tick seek an index instead of reading a whole table."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.storage.db import open_db
from bot.storage.deliveries import DeliveryStore
from bot.storage.members import MemberStore
from bot.storage.sessions import NewSession, SessionStore
from bot.storage.signups import SignupStore
from tests.storage.test_shared_words import holders

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = open_db(tmp_path / "t.db")
    yield opened
    opened.close()


def plans_of(db: Database, run: object) -> list[str]:
    """The query plan of every statement `run()` executes, one line a step."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        run()  # type: ignore[operator]
    finally:
        db.conn.set_trace_callback(None)
    found = []
    for sql in seen:
        found += [str(r[3]) for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    return found


def test_sessions_between_seeks_the_start_index(db: Database) -> None:
    sessions = SessionStore(db)
    steps = plans_of(db, lambda: sessions.between(NOW, NOW + timedelta(days=3)))
    assert steps and all("SCAN sessions" not in s for s in steps), steps
    assert any("USING INDEX sessions_start" in s for s in steps), steps


def test_the_zones_members_keep_are_read_from_the_zone_index(db: Database) -> None:
    members = MemberStore(db)
    for i, zone in enumerate(("Europe/London", "Europe/London", "Asia/Tokyo")):
        members.register("console", f"u{i}", f"u{i}", zone, NOW)
    assert members.zones() == ["Asia/Tokyo", "Europe/London"]
    plan = plans_of(db, members.zones)
    assert all("SCAN members" not in s for s in plan), plan
    assert any("USING COVERING INDEX members_timezone" in s for s in plan), plan


@pytest.mark.parametrize("kind", ["prompt", "pick"])
def test_who_wants_copies_is_read_from_an_index(db: Database, kind: str) -> None:
    members = MemberStore(db)
    steps = plans_of(db, lambda: members.wanting(kind))
    assert steps and all("SCAN members" not in s for s in steps), steps


@pytest.mark.parametrize("kind", ["prompt", "pick"])
def test_copies_are_counted_a_set_of_choices_at_a_time(db: Database, kind: str) -> None:
    """`upcoming-posts` counts those who want copies by their choices: as many as
    `wanting` finds, by each set, stepping from one set to the next in the index rather
    than scanning every opted-in member's entry."""
    members, flag = MemberStore(db), {"prompt": "prompts", "pick": "picks"}[kind]
    choices = ({flag: True}, {flag: True, "via": "dm"}, {flag: True, "quiet_hours": False}, {})
    for i in range(12):
        zone = ("Europe/London", "Asia/Tokyo", "Europe/Paris")[i % 3]
        member = members.register("console", f"u{i}", f"u{i}", zone, NOW)
        members.set_preferences(member.id, choices[i % 4])
    each = Counter(r.preferences for r in members.wanting(kind))
    counted = members.wanting_counts(kind)
    assert {r.preferences: n for r, n in counted} == dict(each)
    assert len(each) == 3 and all(r.timezone for r, _ in counted)
    steps = plans_of(db, lambda: members.wanting_counts(kind))
    assert all("SCAN members" not in s for s in steps), steps
    assert any(f"members_{kind}_choices (preferences=?)" in s for s in steps), steps


def test_a_signup_decides_from_indexes_in_one_read_and_one_write(db: Database) -> None:
    members, sessions = MemberStore(db), SessionStore(db)
    signups = SignupStore(db)
    new = NewSession("Circle", "", "CONNECT", 60, "", 1, None)
    [session] = sessions.create(new, [NOW + timedelta(days=2)], NOW)
    people = [members.register("console", f"u{i}", f"u{i}", "Europe/London", NOW) for i in range(4)]
    for person in people[:3]:
        signups.signup(session, person.id, NOW)

    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        place = signups.signup(session, people[3].id, NOW)
    finally:
        db.conn.set_trace_callback(None)

    assert (place.status, place.position) == ("waitlisted", 3)
    # sqlite3 echoes the statement that fired a trigger once for each of the trigger's steps.
    issued = [sql.split()[0] for sql, _ in itertools.groupby(seen)]
    assert issued == ["BEGIN", "SELECT", "INSERT", "UPDATE", "COMMIT"]
    plan = [str(r[3]) for r in db.conn.execute(f"EXPLAIN QUERY PLAN {seen[1]}")]
    assert all("SCAN signups" not in step for step in plan), plan
    assert any("signups_waitlist" in step for step in plan), plan
    counts = [step for step in plan if "status=?" in step]
    assert len(counts) == 2 and all("COVERING INDEX signups_session" in s for s in counts), plan


def test_the_planner_counts_a_sessions_places_without_reading_them(db: Database) -> None:
    members, sessions, signups = MemberStore(db), SessionStore(db), SignupStore(db)
    new = NewSession("Circle", "", "CONNECT", 60, "", 5, None)
    [session] = sessions.create(new, [NOW + timedelta(days=2)], NOW)
    for i, zone in enumerate(("Europe/London", "Europe/London", "Asia/Tokyo")):
        signups.signup(session, members.register("console", f"u{i}", f"u{i}", zone, NOW).id, NOW)

    counted = signups.confirmed_counts([session.id], NOW - timedelta(days=1))
    zones = sorted((recipient.timezone, n) for recipient, n in counted[session.id])
    assert zones == [("Asia/Tokyo", 1), ("Europe/London", 2)]
    plan = plans_of(db, lambda: signups.confirmed_counts([session.id], NOW))
    places = [step for step in plan if "signups" in step]
    assert len(places) == 2 and all("COVERING INDEX signups_session" in s for s in places), plan
    # Grouped in the index's own order, by a number: no member's row, nothing sorted.
    assert not any("members" in step or "TEMP B-TREE" in step for step in plan), plan


def test_a_cancellation_reads_each_zones_words_once_not_once_a_holder(db: Database) -> None:
    session, people = holders(db, ("Europe/London", "Asia/Tokyo", "Europe/London"))
    deliveries = DeliveryStore(db)
    words = {"Europe/London": '{"text": "London"}', "Asia/Tokyo": '{"text": "Tokyo"}'}
    due = "2026-11-30T09:00:00+00:00"

    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        told = deliveries.enqueue_for_holders(
            session, "cancelled", ("n:", ":t"), words, {"{}": due}
        )
    finally:
        db.conn.set_trace_callback(None)

    assert told == 3
    payloads = {d.member_id: d.payload["text"] for d in deliveries.with_status("pending")}
    assert payloads == {people[0]: "London", people[1]: "Tokyo", people[2]: "London"}
    [insert] = [sql for sql in seen if "INTO deliveries" in sql]
    plan = db.conn.execute(f"EXPLAIN QUERY PLAN {insert}").fetchall()
    # The JSON documents are read where they are materialized, never inside the holders'
    # loop, and each holder finds their words and time through one index, by the set
    # of zone and choices their place names: no member's row is read.
    built = {row[0] for row in plan if str(row[3]).startswith("MATERIALIZE")}
    documents = [row for row in plan if "json_each" in str(row[3]) or "VIRTUAL" in str(row[3])]
    assert documents and all(row[1] in built for row in documents), plan
    assert sum("AUTOMATIC COVERING INDEX" in str(row[3]) for row in plan) == 1, plan
    assert not any(" m " in f" {row[3]} " or "members" in str(row[3]) for row in plan), plan


def test_a_change_of_place_moves_nothing_in_the_member_index(db: Database) -> None:
    """Releasing 12,500 places (a series cancelled) wrote each into a member-ordered index
    at random when that index also held the status; queries by member still seek it."""
    member_led = []
    for index in db.conn.execute("PRAGMA index_list('signups')").fetchall():
        columns = [r[2] for r in db.conn.execute(f"PRAGMA index_info('{index[1]}')")]
        if columns and columns[0] == "member_id":
            member_led.append(columns)
    assert member_led and all(
        not {"status", "waitlist_order", "updated"} & set(columns) for columns in member_led
    ), member_led

    session, people = holders(db, ("Europe/London", "Europe/London"))
    signups = SignupStore(db)
    steps = plans_of(db, lambda: signups.for_member(people[0]))
    steps += plans_of(db, lambda: signups.released_by_cancellation(people[0]))
    assert [p.session_id for p in signups.for_member(people[0])] == [session]
    assert all(not s.startswith("SCAN") for s in steps), steps
    assert sum("INDEX signups_member (member_id=?)" in s for s in steps) == 2, steps
