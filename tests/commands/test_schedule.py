"""Scheduling sessions: the date forms organisers type, named options, series, announcements."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from tests.helpers import NOW, PLANNER, Run, ok, rows, schedule, scheduled

LONDON = ZoneInfo("Europe/London")


def session_row(app: App, session: int) -> dict:
    return rows(app, "SELECT * FROM sessions WHERE id = ?", [session])[0]


def start(app: App, session: int) -> datetime:
    return datetime.fromisoformat(session_row(app, session)["start_utc"])


@pytest.mark.parametrize(
    "when",
    ["2026-12-03 14:00", "2026-12-03T14:00", '"3 Dec 14:00"', "3 Dec 14:00", "Thu 3 Dec 2pm"],
)
def test_a_date_can_be_written_several_ways(app: App, run: Run, when: str) -> None:
    session = schedule(run, f'"Circle" {when}')
    assert start(app, session) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_a_summer_date_is_stored_in_utc(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 2027-07-01 14:00')
    assert start(app, session) == datetime(2027, 7, 1, 13, 0, tzinfo=UTC)


def test_next_thursday_2pm(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" next Thursday 2pm')
    local = start(app, session).astimezone(LONDON)
    assert (local.weekday(), local.hour, local.minute) == (3, 14, 0)
    assert NOW < local <= NOW + timedelta(days=8)


def test_named_options(app: App, run: Run) -> None:
    session = schedule(
        run, '"Circle" 3 Dec 14:00 duration=2h objective=INFLUENCE capacity=none where="Online"'
    )
    found = session_row(app, session)
    assert (
        found["duration_minutes"],
        found["objective"],
        found["capacity"],
        found["location"],
    ) == (
        120,
        "INFLUENCE",
        None,
        "Online",
    )
    assert found["title"] == "Circle" and found["status"] == "scheduled"


def test_positional_options(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 1h30 connect 12 Civic Hall, Room 4')
    found = session_row(app, session)
    assert (
        found["duration_minutes"],
        found["objective"],
        found["capacity"],
        found["location"],
    ) == (
        90,
        "CONNECT",
        12,
        "Civic Hall, Room 4",
    )


def test_defaults(app: App, run: Run) -> None:
    found = session_row(app, schedule(run, '"Circle" 3 Dec 14:00'))
    assert (
        found["duration_minutes"],
        found["objective"],
        found["capacity"],
        found["location"],
    ) == (
        90,
        "DEVELOP",
        None,
        "",
    )


def test_a_monthly_series_keeps_its_local_time(app: App, run: Run) -> None:
    reply = scheduled(run, '"First Thursday" 2027-02-04 10:00 repeat="first thursday x3"')
    assert "3 sessions" in reply.text
    found = rows(app, "SELECT id, start_utc, series_id FROM sessions ORDER BY start_utc")
    local = [datetime.fromisoformat(r["start_utc"]).astimezone(LONDON) for r in found]
    assert [(t.month, t.day, t.hour, t.minute) for t in local] == [
        (2, 4, 10, 0),
        (3, 4, 10, 0),
        (4, 1, 10, 0),
    ]
    assert all(t.weekday() == 3 for t in local)
    assert len({r["series_id"] for r in found}) == 1 and found[0]["series_id"] is not None
    series = rows(app, "SELECT rrule, timezone FROM series")
    assert len(series) == 1 and series[0]["timezone"] == "Europe/London"
    assert "MONTHLY" in series[0]["rrule"]


def test_the_announcement_is_queued_for_the_channel(app: App, run: Run) -> None:
    first = schedule(run, '"Circle" 3 Dec 14:00 objective=CONNECT repeat="weekly x2"')
    queued = rows(app, "SELECT * FROM deliveries WHERE channel != ''")
    assert len(queued) == 1
    announcement = queued[0]
    assert announcement["kind"] == "announcement"
    assert announcement["channel"] == "cop-announcements"
    assert announcement["member_id"] is None and announcement["session_id"] == first
    assert announcement["status"] == "pending"
    payload = json.loads(announcement["payload"])
    assert payload["text"].startswith("New session: Circle (CONNECT).")
    assert "repeats" in payload["text"]
    assert payload["items"][0]["actions"][0][1] == f"signup {first}"
    assert payload["mentions"] == []


def test_scheduling_is_audited(app: App, run: Run) -> None:
    schedule(run, '"Circle" 3 Dec 14:00')
    found = rows(app, "SELECT action, actor_id FROM audit")
    planner = rows(app, "SELECT id FROM members WHERE platform_user_id = ?", [PLANNER])[0]["id"]
    assert found == [{"action": "schedule", "actor_id": planner}]


def test_sessions_come_ten_at_a_time_with_a_button_for_more(app: App, run: Run) -> None:
    schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12"')
    first = ok(run("ann", "sessions"))
    assert len(first.items) == 10
    assert [a.command for a in first.actions] == ["sessions page=2"]
    second = ok(run("ann", first.actions[0].command))
    assert len(second.items) == 2 and second.actions == ()
    assert {i.title for i in first.items}.isdisjoint(i.title for i in second.items)
    assert "no more" in ok(run("ann", "sessions page=3")).text


def test_the_shared_listing_follows_every_change_even_from_another_process(
    app: App, run: Run
) -> None:
    from bot.storage.db import open_db

    session = schedule(run, '"Circle" 2026-12-03 14:00 capacity=5')
    assert "5 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    ok(run("bob", f"signup {session}"))
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    other = open_db(app.config.database)  # a second process, such as the CLI
    other.execute("UPDATE sessions SET capacity = 9 WHERE id = ?", [session])
    other.close()
    assert "8 of 9 places left" in ok(run("ann", "sessions")).items[0].lines


@pytest.mark.parametrize(
    ("typed", "count", "minutes", "capacity", "where"),
    [
        ("weekly x4 Room 1", 4, 90, None, "Room 1"),
        ("every 2 weeks x3 Room 1", 3, 90, None, "Room 1"),
        ("first thursday x3 Room 2", 3, 90, None, "Room 2"),
        ("weekly until 2026-12-24 Room 2", 4, 90, None, "Room 2"),
        ("2 hours Civic Hall", 1, 120, None, "Civic Hall"),
        ("20 Civic Hall", 1, 90, 20, "Civic Hall"),
        ("90m 20 weekly x2 Civic Hall", 2, 90, 20, "Civic Hall"),
    ],
)
def test_typed_lengths_places_and_repeats_land_in_the_right_fields(
    app: App, run: Run, typed: str, count: int, minutes: int, capacity: int | None, where: str
) -> None:
    first = schedule(run, f'"Circle" 2026-12-03 14:00 {typed}')
    found = rows(app, "SELECT * FROM sessions WHERE id >= ? ORDER BY id", [first])
    assert len(found) == count
    assert {(r["duration_minutes"], r["capacity"], r["location"]) for r in found} == {
        (minutes, capacity, where)
    }


def test_a_place_that_reads_like_a_repeat_is_questioned_not_scheduled(app: App, run: Run) -> None:
    reply = run(PLANNER, 'schedule "Circle" 2026-12-03 14:00 until 2027-01-31 Room 2')
    assert reply.error == "schedule.where_odd"
    assert rows(app, "SELECT count(*) AS n FROM sessions")[0]["n"] == 0
