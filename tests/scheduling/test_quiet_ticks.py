"""Quiet ticks skip the calendar: the planner notes until when no reminder can fall due and
works the reminders out again only then, or as soon as a session or the members' zones
change. A tick a second must not cost the loop the same few milliseconds every second,
and no reminder may be lost to the shortcut."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.scheduling.plan import Planner
from tests.scheduling.conftest import NEW_YORK, World, Worlds, local, local_times

MINUTE = timedelta(minutes=1)


@pytest.fixture
def worked_out(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The end of each window for which the planner worked the reminders out afresh."""
    windows: list[datetime] = []
    slots = Planner._reminder_slots

    def counted(self: Planner, start: datetime, end: datetime, zones: list[str]) -> Iterator[Any]:
        windows.append(end)
        return slots(self, start, end, zones)

    monkeypatch.setattr(Planner, "_reminder_slots", counted)
    return windows


async def test_ticks_between_reminders_do_not_work_them_out_again(
    world: World, worked_out: list[datetime]
) -> None:
    # A wall clock's ticks fall between whole seconds; the planner's mark is kept to the second.
    world.clock.set(world.clock.now() + timedelta(milliseconds=345))
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-02 09:00:00.345"))
    worked_out.clear()

    await world.advance_by(timedelta(seconds=30), step=timedelta(seconds=1))

    # Thirty ticks, and the next reminder (Wednesday 14:00) is hours away: worked out once at
    # most (when the hour it was last worked out for runs out).
    assert len(worked_out) <= 1


async def test_a_session_scheduled_after_a_quiet_tick_is_reminded_on_time(
    world: World, worked_out: list[datetime]
) -> None:
    await world.advance(local("2026-12-01 12:02"), step=MINUTE)
    # Nothing was due until past 12:30 when the reminders were last worked out...
    assert local("2026-12-01 12:30") < worked_out[-1]
    # ...then a session starting at 13:30 puts its 1-hour reminder at 12:30.
    session = world.schedule('"Drop-in" 2026-12-01 13:30 60m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")

    await world.advance(local("2026-12-01 13:00"), step=MINUTE)

    assert local_times(world.platform.reminders("alice")) == ["Tue 2026-12-01 12:30"]


async def test_a_member_in_a_new_zone_is_reminded_on_their_own_clock(
    worlds: Worlds, worked_out: list[datetime]
) -> None:
    # New York leaves summer time on Sunday 1 November 2026, London a week before: a week
    # before a Monday 09:30 (New York) session is 13:30 UTC there, 14:30 in London.
    world = await worlds(start=datetime(2026, 10, 26, 10, 0, tzinfo=UTC))
    session = world.schedule('"Circle" 2026-11-02 14:30 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(datetime(2026, 10, 26, 13, 10, tzinfo=UTC), step=MINUTE)
    # Worked out for London alone, where nothing is due before 14:30 UTC.
    assert datetime(2026, 10, 26, 13, 30, tzinfo=UTC) < worked_out[-1]
    world.member("bob", "America/New_York")
    world.run("bob", f"signup {session}")

    await world.advance(datetime(2026, 10, 26, 14, 40, tzinfo=UTC), step=MINUTE)

    assert local_times(world.platform.reminders("bob"), NEW_YORK) == ["Mon 2026-10-26 09:30"]
    assert local_times(world.platform.reminders("alice")) == ["Mon 2026-10-26 14:30"]
