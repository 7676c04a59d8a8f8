"""Each place carries its member's set of zone and choices, and the set stays true.

The planner's counts (`SignupStore.confirmed_counts`, what `upcoming-posts` shows) group
places by that number alone, so a number left behind after a member changes their zone
or choices would time their reminders by what they used to choose.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.storage.choice_sets import forget_unused
from bot.storage.db import migrate, open_db, utc_iso
from bot.storage.members import MemberStore
from bot.storage.sessions import NewSession, Session, SessionStore
from bot.storage.signups import SignupStore

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=30)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = open_db(tmp_path / "t.db")
    yield opened
    opened.close()


def a_session(db: Database) -> Session:
    new = NewSession("Circle", "", "CONNECT", 60, "", 20, None)
    [session] = SessionStore(db).create(new, [NOW + timedelta(days=2)], LONG_AGO)
    return session


def counted(db: Database, session: Session) -> dict[tuple[str | None, str], int]:
    """The session's confirmed places by zone and choices, as the planner counts them."""
    groups = SignupStore(db).confirmed_counts([session.id], NOW - timedelta(days=1))
    found: dict[tuple[str | None, str], int] = {}
    for recipient, copies in groups.get(session.id, []):
        key = (recipient.timezone, recipient.preferences)
        found[key] = found.get(key, 0) + copies
    return found


def test_a_members_places_follow_them_when_they_change_zone_or_choices(db: Database) -> None:
    members, signups = MemberStore(db), SignupStore(db)
    session = a_session(db)
    people = [
        members.register("console", f"u{i}", f"u{i}", "Europe/London", LONG_AGO).id
        for i in range(3)
    ]
    for person in people:
        signups.signup(session, person, LONG_AGO)
    assert counted(db, session) == {("Europe/London", "{}"): 3}

    members.set_timezone(people[0], "Asia/Tokyo")
    members.set_preferences(people[1], {"quiet_hours": False})

    assert counted(db, session) == {
        ("Asia/Tokyo", "{}"): 1,
        ("Europe/London", '{"quiet_hours": false}'): 1,
        ("Europe/London", "{}"): 1,
    }
    # Moving back to a set already numbered reuses its number.
    members.set_timezone(people[0], "Europe/London")
    assert counted(db, session)[("Europe/London", "{}")] == 2
    sets = db.execute("SELECT count(*) FROM choice_sets").fetchone()[0]
    assert sets == 3


def test_a_place_written_by_any_code_takes_its_members_set(db: Database) -> None:
    members = MemberStore(db)
    session = a_session(db)
    person = members.register("console", "u1", "u1", "Europe/Paris", LONG_AGO).id
    members.set_preferences(person, {"prompts": True})
    db.execute(
        "INSERT INTO signups (session_id, member_id, status, created, updated)"
        " VALUES (?, ?, 'confirmed', ?, ?)",
        [session.id, person, utc_iso(LONG_AGO), utc_iso(LONG_AGO)],
    )

    assert counted(db, session) == {("Europe/Paris", '{"prompts": true}'): 1}


def test_recent_places_are_counted_with_when_they_changed(db: Database) -> None:
    members, signups = MemberStore(db), SignupStore(db)
    session = a_session(db)
    early, late = (
        members.register("console", name, name, "Europe/London", LONG_AGO).id
        for name in ("early", "late")
    )
    signups.signup(session, early, LONG_AGO)
    signups.signup(session, late, NOW)

    groups = signups.confirmed_counts([session.id], NOW - timedelta(days=1))[session.id]

    assert sorted((r.since is None, n) for r, n in groups) == [(False, 1), (True, 1)]
    [recent] = [r for r, _ in groups if r.since is not None]
    assert recent.since == NOW


def test_an_older_database_has_its_places_numbered_when_it_is_upgraded(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    old = Database(conn)
    migrate(old, upgrade_to=19)
    members = MemberStore(old)
    session = a_session(old)
    for i, zone in enumerate(("Europe/London", "Asia/Tokyo", "Europe/London")):
        person = members.register("console", f"u{i}", f"u{i}", zone, LONG_AGO).id
        # As version 19 wrote a place: it had no set to name.
        old.execute(
            "INSERT INTO signups (session_id, member_id, status, created, updated)"
            " VALUES (?, ?, 'confirmed', ?, ?)",
            [session.id, person, utc_iso(LONG_AGO), utc_iso(LONG_AGO)],
        )
    members.register("console", "idle", "idle", "America/Lima", LONG_AGO)
    conn.close()

    db = open_db(tmp_path / "old.db")
    try:
        assert db.execute("SELECT count(*) FROM signups WHERE choice_set IS NULL").fetchone() == (
            0,
        )
        assert counted(db, session) == {("Europe/London", "{}"): 2, ("Asia/Tokyo", "{}"): 1}
        # Only sets some place is counted by: the member without a place adds none.
        zones = {row[0] for row in db.execute("SELECT timezone FROM choice_sets")}
        assert zones == {"Europe/London", "Asia/Tokyo"}
    finally:
        db.close()


def test_sets_no_place_names_are_let_go_and_the_rest_kept(db: Database) -> None:
    members, signups = MemberStore(db), SignupStore(db)
    session = a_session(db)
    staying = members.register("console", "stay", "stay", "Europe/London", LONG_AGO).id
    leaving = members.register("console", "go", "go", "Pacific/Auckland", LONG_AGO).id
    for person in (staying, leaving):
        signups.signup(session, person, LONG_AGO)

    assert forget_unused(db) == 0
    signups.delete(leaving)
    members.delete(leaving)

    assert forget_unused(db) == 1
    zones = [row[0] for row in db.execute("SELECT timezone FROM choice_sets")]
    assert zones == ["Europe/London"]
    assert counted(db, session) == {("Europe/London", "{}"): 1}


def test_a_place_handed_to_another_member_takes_their_set(db: Database) -> None:
    members, signups = MemberStore(db), SignupStore(db)
    session = a_session(db)
    first = members.register("console", "u1", "u1", "Europe/London", LONG_AGO).id
    second = members.register("console", "u2", "u2", "America/Lima", LONG_AGO).id
    signups.signup(session, first, LONG_AGO)

    db.execute("UPDATE signups SET member_id = ? WHERE member_id = ?", [second, first])

    assert counted(db, session) == {("America/Lima", "{}"): 1}
