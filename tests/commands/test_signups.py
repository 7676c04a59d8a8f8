"""Places, the waitlist, promotion, and telling members when their session changes."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.community import Community
from bot.config import Config
from bot.dispatch.dispatcher import Dispatcher
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from bot.scheduling.notices import Notices
from bot.storage.db import open_db
from commands import build_registry
from tests.helpers import NOW, PLANNER, Run, ok, rows, schedule, snapshot, statuses

LONDON = ZoneInfo("Europe/London")


def notices(app: App, kind: str) -> dict[str, str]:
    """Display name -> queued notice text, for member notices of one kind."""
    found = rows(
        app,
        "SELECT m.display_name AS name, coalesce(w.payload, d.payload) AS payload"
        " FROM deliveries d JOIN members m ON m.id = d.member_id"
        " LEFT JOIN delivery_words w ON w.id = d.words_id WHERE d.kind = ?",
        [kind],
    )
    return {row["name"]: json.loads(row["payload"])["text"] for row in found}


def test_places_fill_then_an_ordered_waitlist(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=2')
    replies = {name: ok(run(name, f"signup {session}")) for name in ("ann", "bob", "cat", "dan")}
    assert "You're signed up" in replies["ann"].text
    assert "You're signed up" in replies["bob"].text
    assert "number 1 on the waitlist" in replies["cat"].text
    assert "number 2 on the waitlist" in replies["dan"].text
    assert statuses(app, session) == {
        "ann": "confirmed",
        "bob": "confirmed",
        "cat": "waitlisted",
        "dan": "waitlisted",
    }
    waiting = rows(
        app,
        "SELECT waitlist_order FROM signups WHERE status = 'waitlisted' ORDER BY waitlist_order",
    )
    assert [r["waitlist_order"] for r in waiting] == [1, 2]
    assert "number 2 on the waitlist" in run("dan", "mine").items[0].lines[-1]


def test_joining_after_others_left_takes_the_next_number_and_the_true_position(
    app: App, run: Run
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    for name in ("ann", "bob", "cat", "dan"):
        ok(run(name, f"signup {session}"))  # ann has the place; bob, cat, dan wait 1, 2, 3
    ok(run("cat", f"cancel {session}"))

    eve = ok(run("eve", f"signup {session}"))
    back = ok(run("cat", f"signup {session}"))  # a cancelled place taken again

    assert "number 3 on the waitlist" in eve.text
    assert "number 4 on the waitlist" in back.text
    assert "number 3 on the waitlist" in run("eve", "mine").items[0].lines[-1]
    waiting = rows(
        app,
        "SELECT m.display_name AS name, s.waitlist_order AS n FROM signups s"
        " JOIN members m ON m.id = s.member_id WHERE s.status = 'waitlisted'"
        " ORDER BY s.waitlist_order",
    )
    assert [(r["name"], r["n"]) for r in waiting] == [
        ("bob", 1),
        ("dan", 3),
        ("eve", 4),
        ("cat", 5),
    ]


def test_signing_up_twice_says_so_and_changes_nothing(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    ok(run("ann", f"signup {session}"))
    ok(run("bob", f"signup {session}"))
    before = snapshot(app)
    for name, status in (("ann", "you have a place"), ("bob", "you're on the waitlist")):
        reply = run(name, f"signup {session}")
        assert reply.error == "signup.already"
        assert reply.private
        assert "already" in reply.text and status in reply.text
    assert snapshot(app) == before


def test_cancel_promotes_the_first_waiting_member_and_tells_them(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=2')
    for name in ("ann", "bob", "cat", "dan"):
        ok(run(name, f"signup {session}"))
    reply = ok(run("ann", f"cancel {session}"))
    assert "has been cancelled" in reply.text
    assert statuses(app, session) == {
        "ann": "cancelled",
        "bob": "confirmed",
        "cat": "confirmed",
        "dan": "waitlisted",
    }
    told = notices(app, "promoted")
    assert list(told) == ["cat"]
    assert "a place has opened up" in told["cat"] and "Thu 3 Dec 2026, 14:00" in told["cat"]
    assert "number 1 on the waitlist" in run("dan", "mine").items[0].lines[-1]
    assert "You have a place." in run("cat", "mine").items[0].lines


def test_leaving_the_waitlist_promotes_nobody(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    for name in ("ann", "bob", "cat"):
        ok(run(name, f"signup {session}"))
    ok(run("bob", f"cancel {session}"))
    assert statuses(app, session)["cat"] == "waitlisted"
    assert notices(app, "promoted") == {}
    assert run("bob", f"cancel {session}").error == "cancel.not_signed_up"


def test_raising_capacity_promotes_and_tells(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    for name in ("ann", "bob", "cat", "dan"):
        ok(run(name, f"signup {session}"))
    ok(run(PLANNER, f"edit {session} capacity=3"))
    assert statuses(app, session) == {
        "ann": "confirmed",
        "bob": "confirmed",
        "cat": "confirmed",
        "dan": "waitlisted",
    }
    assert set(notices(app, "promoted")) == {"bob", "cat"}
    assert rows(app, "SELECT capacity FROM sessions WHERE id = ?", [session])[0]["capacity"] == 3


def test_cancelling_a_session_tells_everyone_signed_up(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    for name in ("ann", "bob", "cat"):
        ok(run(name, f"signup {session}"))
    ok(run("cat", f"cancel {session}"))
    reply = ok(run(PLANNER, f"cancel-session {session} The room is flooded"))
    assert "2 member(s)" in reply.text
    told = notices(app, "cancelled")
    assert set(told) == {"ann", "bob"}
    assert all("The room is flooded" in text for text in told.values())
    found = rows(app, "SELECT status, cancel_reason FROM sessions WHERE id = ?", [session])
    assert found == [{"status": "cancelled", "cancel_reason": "The room is flooded"}]
    assert set(statuses(app, session).values()) == {"cancelled"}
    assert run("dan", f"signup {session}").error == "error.session_closed"
    assert run(PLANNER, f"cancel-session {session}").error == "cancel_session.already"


def test_cancelling_the_rest_of_a_series_leaves_earlier_sessions(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-01 10:00 repeat="weekly x4"')
    ids = [first + i for i in range(4)]
    ok(run("ann", f"signup {ids[0]}"))
    ok(run("ann", f"signup {ids[2]}"))
    ask = ok(run(PLANNER, f"cancel-session {ids[1]} scope=rest The venue is closed"))
    assert "cancel 3 sessions" in ask.text
    assert rows(app, "SELECT count(*) AS n FROM sessions WHERE status = 'cancelled'")[0]["n"] == 0
    [yes] = ask.actions
    reply = ok(run(PLANNER, yes.command))
    assert "(3 session(s))" in reply.text
    assert rows(app, "SELECT cancel_reason FROM sessions WHERE id = ?", [ids[3]]) == [
        {"cancel_reason": "The venue is closed"}
    ]
    found = rows(app, "SELECT id, status FROM sessions ORDER BY id")
    assert [(r["id"], r["status"]) for r in found] == [
        (ids[0], "scheduled"),
        (ids[1], "cancelled"),
        (ids[2], "cancelled"),
        (ids[3], "cancelled"),
    ]
    assert statuses(app, ids[0]) == {"ann": "confirmed"}
    assert statuses(app, ids[2]) == {"ann": "cancelled"}
    assert set(notices(app, "cancelled")) == {"ann"}


def test_a_reason_that_begins_with_rest_cancels_only_the_one_session(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-01 10:00 repeat="weekly x3"')
    reply = ok(run(PLANNER, f"cancel-session {first} rest of the team are on a training day"))
    assert "(1 session(s))" in reply.text
    found = rows(app, "SELECT status, cancel_reason FROM sessions ORDER BY id")
    assert [r["status"] for r in found] == ["cancelled", "scheduled", "scheduled"]
    assert found[0]["cancel_reason"] == "rest of the team are on a training day"


def test_moving_the_rest_of_a_series_keeps_the_wall_clock_across_bst(app: App, run: Run) -> None:
    # Thursdays from 18 March 2027; the clocks go forward on 28 March.
    first = schedule(run, '"Weekly circle" "2027-03-18 10:00" repeat="weekly x6"')
    ids = [first + i for i in range(6)]
    ok(run("ann", f"signup {ids[4]}"))
    ok(run(PLANNER, f'edit {ids[1]} when="2027-03-25 11:30" scope=rest'))
    found = {
        r["id"]: datetime.fromisoformat(r["start_utc"])
        for r in rows(app, "SELECT id, start_utc FROM sessions")
    }
    local = [found[i].astimezone(LONDON) for i in ids]
    assert [(t.month, t.day, t.hour, t.minute) for t in local] == [
        (3, 18, 10, 0),
        (3, 25, 11, 30),
        (4, 1, 11, 30),
        (4, 8, 11, 30),
        (4, 15, 11, 30),
        (4, 22, 11, 30),
    ]
    assert found[ids[1]] == datetime(2027, 3, 25, 11, 30, tzinfo=UTC)
    assert found[ids[2]] == datetime(2027, 4, 1, 10, 30, tzinfo=UTC)
    told = notices(app, "changed")
    assert set(told) == {"ann"} and "11:30" in told["ann"] and "15 Apr 2027" in told["ann"]


def test_editing_one_session_of_a_series_leaves_the_others(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-01 10:00 repeat="weekly x3"')
    ok(run(PLANNER, f'edit {first + 1} where="Civic Hall, Room 4" title="Special circle"'))
    found = rows(app, "SELECT title, location FROM sessions ORDER BY id")
    assert found == [
        {"title": "Weekly circle", "location": ""},
        {"title": "Special circle", "location": "Civic Hall, Room 4"},
        {"title": "Weekly circle", "location": ""},
    ]


def test_two_changes_in_the_same_second_both_reach_members(app: App, run: Run) -> None:
    """Notices are keyed per event, not per second, so a quick second change is not lost."""
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run("ann", f"signup {session}"))
    ok(run(PLANNER, f"edit {session} where=Room-1"))
    ok(run(PLANNER, f"edit {session} where=Room-2"))
    texts = [
        r["payload"] for r in rows(app, "SELECT payload FROM deliveries WHERE kind = 'changed'")
    ]
    assert len(texts) == 2
    assert any("Room-2" in text for text in texts)


async def test_a_thousand_concurrent_signups_confirm_exactly_forty(app: App, run: Run) -> None:
    session = schedule(run, '"Popular" 3 Dec 14:00 capacity=40')

    async def press(i: int) -> str:
        await asyncio.sleep(0)
        reply = app.dispatcher.handle_line(Actor("console", f"m{i}", f"m{i}"), f"signup {session}")
        return reply.error

    errors = await asyncio.gather(*(press(i) for i in range(1000)))
    assert errors == [""] * 1000
    found = rows(
        app,
        "SELECT status, count(*) AS n, count(DISTINCT waitlist_order) AS orders,"
        " min(waitlist_order) AS low, max(waitlist_order) AS high"
        " FROM signups WHERE session_id = ? GROUP BY status",
        [session],
    )
    by_status = {r["status"]: r for r in found}
    assert by_status["confirmed"]["n"] == 40
    assert by_status["waitlisted"]["n"] == 960
    assert by_status["waitlisted"]["orders"] == 960
    assert (by_status["waitlisted"]["low"], by_status["waitlisted"]["high"]) == (1, 960)


def test_separate_connections_on_separate_threads_never_overbook(tmp_path: Path) -> None:
    config = Config(database=tmp_path / "t.db")
    setup = App.build(config, FakeClock(NOW))
    planner = Actor("console", PLANNER, PLANNER)
    session = schedule(
        lambda who, line: setup.dispatcher.handle_line(planner, line),
        '"Popular" 3 Dec 14:00 capacity=40',
    )
    setup.close()
    failures: list[str] = []
    start = threading.Barrier(8)

    def worker(thread: int) -> None:
        db = open_db(config.database)
        community = Community.open(config, FakeClock(NOW), db=db)
        dispatcher = Dispatcher(build_registry(), community, Notices(community))
        start.wait()
        try:
            for i in range(25):
                name = f"t{thread}-m{i}"
                reply = dispatcher.handle_line(Actor("console", name, name), f"signup {session}")
                if reply.error:
                    failures.append(reply.text)
        finally:
            db.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    check = open_db(config.database)
    try:
        counts = dict(
            check.execute(
                "SELECT status, count(*) FROM signups WHERE session_id = ? GROUP BY status",
                [session],
            ).fetchall()
        )
        orders = check.execute(
            "SELECT count(DISTINCT waitlist_order) FROM signups WHERE status = 'waitlisted'"
        ).fetchone()[0]
    finally:
        check.close()
    assert counts == {"confirmed": 40, "waitlisted": 160}
    assert orders == 160


def test_lowering_capacity_below_the_places_given_keeps_them_and_says_so(
    app: App, run: Run
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=3')
    for name in ("ann", "bob", "cy"):
        ok(run(name, f"signup {session}"))
    reply = ok(run(PLANNER, f"edit {session} capacity=1"))
    assert "3 people already have a place" in reply.text
    assert statuses(app, session) == {"ann": "confirmed", "bob": "confirmed", "cy": "confirmed"}
    assert ok(run("dee", f"signup {session}")).text.startswith(f"#{session} Circle is full")


def test_a_cancelled_session_cannot_be_edited(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run(PLANNER, f"cancel-session {session}"))
    before = snapshot(app)
    assert run(PLANNER, f'edit {session} when="4 Dec 10:00"').error == "edit.cancelled"
    assert snapshot(app) == before


def test_the_shared_list_shows_each_member_their_own_place_and_zone(app: App, run: Run) -> None:
    """The listing is read once and shared while the database is unchanged; each member must
    still see their own button, place and time zone in it."""
    sid = schedule(run, '"Circle" 2026-12-03 14:00 90m CONNECT 1 Online')
    ok(run("ana", "signup 1"))
    ok(run("ben", "signup 1"))  # waitlisted
    ok(run("cai", "timezone America/New_York"))
    ok(run("dee", "sessions"))  # read the listing before anyone else, with no place
    card = {name: ok(run(name, "sessions")).items[0] for name in ("ana", "ben", "cai", "dee")}
    assert [a.command for a in card["ana"].actions] == [f"cancel {sid}"]
    assert "You're number 1 on the waitlist." in card["ben"].lines
    assert any("09:00" in line for line in card["cai"].lines)  # 14:00 in London
    assert [a.command for a in card["dee"].actions] == [f"signup {sid}"]
    assert card["cai"] != card["dee"] and card["ana"] != card["ben"]
