"""A cancellation's words are stored once a zone and go with the last delivery using them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.storage.db import open_db
from bot.storage.deliveries import DeliveryStore
from bot.storage.members import MemberStore
from bot.storage.retention import prune_batch
from bot.storage.sessions import NewSession, SessionStore
from bot.storage.signups import SignupStore

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DUE = "2026-11-30T09:00:00+00:00"
WORDS = {"Europe/London": '{"text": "Cancelled, London time"}', "Asia/Tokyo": '{"text": "Tokyo"}'}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    opened = open_db(tmp_path / "t.db")
    yield opened
    opened.close()


def holders(db: Database, zones: tuple[str, ...]) -> tuple[int, list[int]]:
    """A session, and members in `zones` holding its places."""
    members, sessions, signups = MemberStore(db), SessionStore(db), SignupStore(db)
    new = NewSession("Circle", "", "CONNECT", 60, "", len(zones), None)
    [session] = sessions.create(new, [NOW + timedelta(days=2)], NOW)
    people = [
        members.register("console", f"u{i}", f"u{i}", zone, NOW).id for i, zone in enumerate(zones)
    ]
    for person in people:
        signups.signup(session, person, NOW)
    return session.id, people


def count(db: Database, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def test_each_zones_words_are_stored_once_and_every_holder_gets_theirs(db: Database) -> None:
    session, people = holders(db, ("Europe/London", "Asia/Tokyo", "Europe/London"))
    deliveries = DeliveryStore(db)

    told = deliveries.enqueue_for_holders(session, "cancelled", ("c:", ":t"), WORDS, {"{}": DUE})

    assert told == 3
    assert count(db, "SELECT count(*) FROM delivery_words") == 2
    # No row carries a copy of the words: each points at its zone's.
    assert count(db, "SELECT count(*) FROM deliveries WHERE payload != '{}'") == 0
    claimed = deliveries.claim_due(NOW, by="me")
    texts = {d.member_id: d.payload["text"] for d in claimed}
    assert texts == {
        people[0]: "Cancelled, London time",
        people[1]: "Tokyo",
        people[2]: "Cancelled, London time",
    }
    assert deliveries.get(claimed[0].key) == claimed[0]


def test_a_holder_who_moved_zone_after_booking_gets_their_new_zones_words(
    db: Database,
) -> None:
    session, people = holders(db, ("Europe/London", "Europe/London"))
    MemberStore(db).set_timezone(people[1], "Asia/Tokyo")
    MemberStore(db).set_preferences(people[0], {"quiet_hours": False})
    deliveries = DeliveryStore(db)
    dues = {"{}": DUE, '{"quiet_hours": false}': "2026-11-30T08:00:00+00:00"}

    deliveries.enqueue_for_holders(session, "cancelled", ("c:", ":t"), WORDS, dues)

    rows = {d.member_id: (d.payload["text"], d.due) for d in deliveries.with_status("pending")}
    assert rows == {
        people[0]: ("Cancelled, London time", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        people[1]: ("Tokyo", NOW),
    }


def test_words_nobody_needed_are_not_kept(db: Database) -> None:
    session, _ = holders(db, ("Europe/London",))
    deliveries = DeliveryStore(db)
    deliveries.enqueue_for_holders(session, "cancelled", ("c:", ":t"), WORDS, {"{}": DUE})
    assert [r[0] for r in db.execute("SELECT payload FROM delivery_words")] == [
        WORDS["Europe/London"]
    ]


def test_forgetting_a_member_keeps_shared_words_until_their_last_delivery_goes(
    db: Database,
) -> None:
    session, people = holders(db, ("Europe/London", "Europe/London", "Asia/Tokyo"))
    deliveries = DeliveryStore(db)
    deliveries.enqueue_for_holders(session, "cancelled", ("c:", ":t"), WORDS, {"{}": DUE})

    deliveries.delete(people[0])
    assert count(db, "SELECT count(*) FROM delivery_words") == 2  # still someone's words
    deliveries.delete(people[2])
    assert count(db, "SELECT count(*) FROM delivery_words") == 1  # Tokyo's were theirs alone
    [left] = deliveries.with_status("pending")
    assert (left.member_id, left.payload["text"]) == (people[1], "Cancelled, London time")


def test_pruning_the_ledger_takes_the_words_with_the_last_rows(db: Database) -> None:
    session, _ = holders(db, ("Europe/London", "Asia/Tokyo"))
    deliveries = DeliveryStore(db)
    deliveries.enqueue_for_holders(session, "cancelled", ("c:", ":t"), WORDS, {"{}": DUE})
    for delivery in deliveries.claim_due(NOW, by="me"):
        deliveries.mark(delivery.key, "sent", NOW)

    assert prune_batch(db, NOW + timedelta(days=1), limit=1) == 1
    assert count(db, "SELECT count(*) FROM delivery_words") == 1
    assert prune_batch(db, NOW + timedelta(days=1)) == 1
    assert count(db, "SELECT count(*) FROM delivery_words") == 0
    assert count(db, "SELECT count(*) FROM deliveries") == 0
