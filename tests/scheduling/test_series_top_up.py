"""Open-ended series stay 26 weeks ahead as time passes, quietly and exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from bot.scheduling.topup import top_up
from bot.storage.db import open_db
from tests.scheduling.conftest import LONDON, PLANNER, World, Worlds

DAY = timedelta(days=1)


def series_dates(world: World, session: int, status: str = "scheduled") -> list[date]:
    found = world.community.db.execute_returning_dicts(
        "SELECT start_utc FROM sessions WHERE status = ? AND series_id ="
        " (SELECT series_id FROM sessions WHERE id = ?) ORDER BY start_utc",
        [status, session],
    )
    return [datetime.fromisoformat(r["start_utc"]).astimezone(LONDON).date() for r in found]


def local_times(world: World, session: int) -> set[str]:
    found = world.community.db.execute_returning_dicts(
        "SELECT start_utc FROM sessions WHERE series_id ="
        " (SELECT series_id FROM sessions WHERE id = ?)",
        [session],
    )
    return {f"{datetime.fromisoformat(r['start_utc']).astimezone(LONDON):%a %H:%M}" for r in found}


async def test_an_open_ended_series_is_topped_up_each_week_without_duplicates_or_news(
    world: World,
) -> None:
    first = world.schedule('"Circle" 2026-12-03 10:00 60m CONNECT 20 weekly Civic Hall')
    before = series_dates(world, first)
    assert (before[0], before[-1]) == (date(2026, 12, 3), date(2027, 5, 27))

    await world.advance_by(timedelta(weeks=5), step=timedelta(hours=6))

    after = series_dates(world, first)
    assert len(after) == len(set(after)) == len(before) + 5
    assert after[-1] == date(2027, 7, 1)  # 5 weeks later, still 26 weeks ahead of the clock
    assert all(later - earlier == timedelta(weeks=1) for earlier, later in pairwise(after))
    assert local_times(world, first) == {"Thu 10:00"}  # across the spring change too
    # Announced once, when scheduled; the new dates are added quietly.
    assert len(world.ledger("announcement")) == 1
    assert len(world.platform.to("#cop-announcements")) == 1
    # They copy the series' details, and running the top-up again adds nothing.
    newest = world.community.sessions.latest_in_series(
        world.community.sessions.get(first).series_id
    )
    assert (newest.title, newest.location, newest.capacity, newest.duration_minutes) == (
        "Circle",
        "Civic Hall",
        20,
        60,
    )
    assert top_up(world.community, world.clock.now()) == []
    assert series_dates(world, first) == after


async def test_a_series_scheduled_far_ahead_fills_in_as_its_time_comes(world: World) -> None:
    first = world.schedule('"Later" 2027-07-01 10:00 weekly')
    assert series_dates(world, first) == [date(2027, 7, 1)]
    await world.advance_by(timedelta(weeks=6), step=DAY)
    # 30 Nov 2026 + 6 weeks + 26 weeks = 12 Jul 2027.
    assert series_dates(world, first) == [date(2027, 7, 1), date(2027, 7, 8)]


async def test_top_up_leaves_out_the_skipped_dates(world: World) -> None:
    first = world.schedule(
        '"Circle" 2026-12-03 10:00 repeat="weekly except 2027-06-07..2027-06-11, 2027-06-24"'
    )
    await world.advance_by(timedelta(weeks=6), step=DAY)
    dates = series_dates(world, first)
    # The clock is at 11 Jan 2027, so the calendar reaches 12 Jul; 10 and 24 Jun are left out.
    assert dates[-4:] == [date(2027, 6, 3), date(2027, 6, 17), date(2027, 7, 1), date(2027, 7, 8)]


async def test_cancelling_the_rest_of_a_series_stops_the_top_up(world: World) -> None:
    first = world.schedule('"Circle" 2026-12-03 10:00 weekly')
    third = first + 2
    world.run(PLANNER, f"cancel-session {third} scope=rest confirm=yes")
    await world.advance_by(timedelta(weeks=3), step=DAY)
    assert series_dates(world, first) == [date(2026, 12, 3), date(2026, 12, 10)]


async def test_moving_the_rest_of_a_series_moves_the_dates_added_later(world: World) -> None:
    first = world.schedule('"Circle" 2026-12-03 10:00 weekly')
    world.run(PLANNER, f'edit {first + 1} when="2026-12-11 15:00" scope=rest')
    await world.advance_by(timedelta(weeks=3), step=DAY)
    assert local_times(world, first) == {"Thu 10:00", "Fri 15:00"}
    dates = series_dates(world, first)
    assert dates[0] == date(2026, 12, 3)
    assert all(day.weekday() == 4 for day in dates[1:])
    assert len(dates) == len(set(dates))


async def test_a_series_from_before_the_upgrade_is_topped_up(
    worlds: Worlds, tmp_path: Path
) -> None:
    old = open_db(tmp_path / "old.db", upgrade_to=3)
    old.execute(
        "INSERT INTO series (rrule, timezone, created)"
        " VALUES ('FREQ=WEEKLY;INTERVAL=1;BYDAY=TH', 'Europe/London', '2026-11-01T00:00:00+00:00')"
    )
    for week in range(3):
        start = datetime(2026, 12, 3, 10, tzinfo=UTC) + timedelta(weeks=week)
        old.execute(
            "INSERT INTO sessions (title, objective, start_utc, duration_minutes, series_id,"
            " created, updated) VALUES ('Old', 'DEVELOP', ?, 90, 1, ?, ?)",
            [start.isoformat(), start.isoformat(), start.isoformat()],
        )
    old.close()

    world = await worlds(db="old.db")

    dates = series_dates(world, 1)
    assert dates[:3] == [date(2026, 12, 3), date(2026, 12, 10), date(2026, 12, 17)]
    assert dates[-1] == date(2027, 5, 27) and len(dates) == len(set(dates)) == 26
