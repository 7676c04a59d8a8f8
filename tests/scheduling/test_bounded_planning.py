"""Planning does a fixed amount of SQL, whatever the size of the community.

A tick reads the members concerned in one query a page (not one a member), only for what
fell due since the last mark, and queues each batch in one transaction.
"""

from __future__ import annotations

from datetime import timedelta

from tests.counting import add_members, add_places, statements
from tests.scheduling.conftest import World, Worlds, local

SIZES = (20, 200)


async def _community(worlds: Worlds, size: int) -> tuple[World, int]:
    """`size` members with a place at a Thursday session, half of them taking the prompt
    by direct message; the planner's mark at Wednesday 13:50."""
    world = await worlds(db=f"c{size}.db")
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT none Civic Hall')
    db, now = world.community.db, world.clock.now()
    ids = add_members(db, size, now)
    keen = add_members(db, size // 2, now, prefix="k", preferences='{"prompts": true}')
    add_places(db, session, ids, now)
    await world.advance(local("2026-12-02 13:50"))
    return world, len(ids) + len(keen)


async def _plan_counting(world: World, minutes: int) -> tuple[int, int]:
    """(statements, deliveries queued) for planning the next `minutes`."""
    await world.runtime.upkept()  # the daily upkeep runs beside ticks; not counted here
    world.clock.set(world.clock.now() + timedelta(minutes=minutes))
    with statements(world.community.db) as seen:
        queued = await world.runtime.plan(world.clock.now())
    return len(seen), queued


async def test_a_quiet_tick_runs_the_same_statements_for_ten_times_the_members(
    worlds: Worlds,
) -> None:
    counts = []
    for size in SIZES:
        world, _ = await _community(worlds, size)
        statements_run, queued = await _plan_counting(world, 5)
        assert queued == 0
        counts.append(statements_run)
    assert counts[0] == counts[1]


async def test_a_reminder_wave_is_read_and_queued_in_the_same_statements_at_any_size(
    worlds: Worlds,
) -> None:
    counts = []
    for size in SIZES:
        world, _ = await _community(worlds, size)
        # Wednesday 14:00: the 1-day reminder to every member with a place.
        statements_run, queued = await _plan_counting(world, 10)
        assert queued == size
        assert len(world.ledger("reminder")) == size
        counts.append(statements_run)
    assert counts[0] == counts[1]


async def test_the_weekly_prompt_copies_are_planned_in_the_same_statements_at_any_size(
    worlds: Worlds,
) -> None:
    counts = []
    for size in SIZES:
        world, _ = await _community(worlds, size)
        # Monday 09:25: the days between planned in one go, then the 09:30 prompt.
        world.clock.set(local("2026-12-07 09:25"))
        await world.runtime.tick()
        statements_run, queued = await _plan_counting(world, 5)
        assert queued == 1 + size // 2  # the channel's post and each keen member's copy
        counts.append(statements_run)
    assert counts[0] == counts[1]
