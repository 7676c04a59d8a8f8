"""The daily upkeep: old finished deliveries are counted then let go, once a day, in batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.context import Actor
from bot.scheduling.runtime import MARK, Runtime
from bot.storage import retention
from bot.storage.db import utc_iso
from bot.storage.outcomes import period_figures
from tests.scheduling.conftest import MONDAY, World, Worlds

DAY = timedelta(days=1)
FINISHED = ("sent", "late", "missed", "skipped", "failed")


def put(world: World, key: str, due: datetime, status: str, kind: str = "reminder") -> None:
    """A ledger row for a real member, as the courier would have left it."""
    ann = world.community.register(Actor("console", "ann", "ann"))
    world.community.db.execute(
        "INSERT INTO deliveries (key, kind, member_id, due_utc, status) VALUES (?, ?, ?, ?, ?)",
        [key, kind, ann.id, due.isoformat(timespec="seconds"), status],
    )


def ledger_keys(world: World) -> set[str]:
    return {str(r[0]) for r in world.community.db.execute("SELECT key FROM deliveries")}


def counts(world: World, start: datetime, end: datetime) -> dict[str, tuple[int, int, int]]:
    """The report's delivery figures: status -> (messages, different people, posts)."""
    return period_figures(world.community.db, start, end, world.community.zone).deliveries


def jump_to_monday(world: World) -> None:
    """Move from 400 days ago to MONDAY as if the planner had kept up (nothing to catch up)."""
    world.clock.set(MONDAY)
    world.community.meta.set(MARK, utc_iso(MONDAY))


def a_year_of_ledger(world: World) -> None:
    """Finished rows of every status long ago and lately."""
    old, recent = MONDAY - 300 * DAY, MONDAY - 10 * DAY
    for n, status in enumerate(FINISHED * 3):
        put(world, f"old:{n}", old + n * timedelta(hours=5), status)
        put(world, f"new:{n}", recent + n * timedelta(hours=5), status, kind="prompt-dm")


async def test_pruning_lets_go_of_old_finished_rows_only(worlds: Worlds) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()  # the first upkeep ran then, on nothing
    jump_to_monday(world)
    a_year_of_ledger(world)
    before_all = counts(world, MONDAY - 400 * DAY, MONDAY + DAY)
    before_old = counts(world, MONDAY - 301 * DAY, MONDAY - 200 * DAY)
    before_new = counts(world, MONDAY - 11 * DAY, MONDAY)

    await world.runtime.tick()
    await world.runtime.upkept()

    left = ledger_keys(world)
    assert {k for k in left if k.startswith("old:")} == set()
    assert {k for k in left if k.startswith("new:")} == {f"new:{n}" for n in range(15)}
    assert counts(world, MONDAY - 400 * DAY, MONDAY + DAY) == before_all
    assert counts(world, MONDAY - 301 * DAY, MONDAY - 200 * DAY) == before_old
    assert counts(world, MONDAY - 11 * DAY, MONDAY) == before_new
    assert before_old == {s: (3, 1, 0) for s in FINISHED}
    summary = world.community.db.execute("SELECT * FROM delivery_counts").fetchall()
    assert sum(row[3] for row in summary) == 15
    columns = [c[1] for c in world.community.db.execute("PRAGMA table_info(delivery_counts)")]
    assert columns == ["day", "kind", "status", "count", "posts", "people"]  # no ids kept


async def test_the_report_command_shows_the_same_counts_after_pruning(worlds: Worlds) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()
    jump_to_monday(world)
    a_year_of_ledger(world)
    planner = Actor("console", "organiser", "organiser")
    before = world.app.dispatcher.handle_line(planner, "report 52")
    await world.runtime.tick()
    await world.runtime.upkept()
    after = world.app.dispatcher.handle_line(planner, "report 52")
    assert not before.error
    delivery_lines = [item.lines for item in before.items]
    assert [item.lines for item in after.items] == delivery_lines
    assert "old:0" not in ledger_keys(world)


async def test_a_later_batch_adds_to_the_same_days_counts(worlds: Worlds) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()
    day = MONDAY - 250 * DAY
    put(world, "a", day, "sent")
    put(world, "b", day + timedelta(hours=1), "pending")
    assert retention.prune_batch(world.community.db, MONDAY - 180 * DAY) == 1
    world.community.db.execute("UPDATE deliveries SET status = 'sent' WHERE key = 'b'")
    assert retention.prune_batch(world.community.db, MONDAY - 180 * DAY) == 1
    assert world.community.db.execute("SELECT day, kind, status, count FROM delivery_counts")\
        .fetchall() == [(day.date().isoformat(), "reminder", "sent", 2)]  # fmt: skip


async def test_pruning_works_in_bounded_batches(
    worlds: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()
    jump_to_monday(world)
    for n in range(10):
        put(world, f"old:{n}", MONDAY - 200 * DAY + n * DAY, "sent")
    sizes: list[int] = []
    real = retention.prune_batch

    def counted(*args: Any) -> int:
        sizes.append(done := real(*args))
        return done

    monkeypatch.setattr("bot.scheduling.upkeep.prune_batch", counted)
    world.runtime.upkeep.batch_rows = 3
    await world.runtime.tick()
    await world.runtime.upkept()
    assert sizes == [3, 3, 3, 1]
    assert ledger_keys(world) == set()


async def test_the_upkeep_runs_once_a_day_not_every_tick(worlds: Worlds) -> None:
    world = await worlds()
    await world.runtime.upkept()
    assert world.runtime.upkeep.runs == 1  # the first tick
    await world.advance_by(DAY - timedelta(minutes=10))  # 143 more ticks
    assert world.runtime.upkeep.runs == 1
    await world.advance_by(timedelta(minutes=10))
    assert world.runtime.upkeep.runs == 2
    await world.advance_by(2 * DAY)
    assert world.runtime.upkeep.runs == 4
    # A restart within the day does not run it again: the last run is kept in the database.
    again = Runtime(world.community, world.platform)
    await again.tick()
    await again.upkept()
    assert again.upkeep.runs == 0


async def test_keep_forever_prunes_nothing(worlds: Worlds, tmp_path: Path) -> None:
    world = await worlds(start=MONDAY - 400 * DAY, db="forever.db", keep_deliveries=None)
    await world.runtime.upkept()
    jump_to_monday(world)
    a_year_of_ledger(world)
    await world.runtime.tick()
    await world.runtime.upkept()
    assert len(ledger_keys(world)) == 30


async def test_unfinished_rows_are_never_pruned_however_old(worlds: Worlds) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()
    old = MONDAY - 300 * DAY
    put(world, "old:pending", old, "pending")
    put(world, "old:claimed", old, "claimed")
    put(world, "old:sent", old, "sent")
    assert retention.prune_batch(world.community.db, MONDAY - 180 * DAY) == 1
    assert ledger_keys(world) == {"old:pending", "old:claimed"}


async def test_a_tick_does_not_wait_for_the_upkeep(worlds: Worlds) -> None:
    world = await worlds(start=MONDAY - 400 * DAY)
    await world.runtime.upkept()
    jump_to_monday(world)
    a_year_of_ledger(world)
    await world.runtime.tick()
    assert "old:0" in ledger_keys(world)  # the tick has returned; the upkeep runs beside it
    assert await world.runtime.upkept() == 15
    assert "old:0" not in ledger_keys(world)


async def test_a_forgotten_members_zone_and_choices_go_at_the_next_upkeep(worlds: Worlds) -> None:
    world = await worlds()
    await world.runtime.upkept()
    session = world.schedule('"Circle" next Thursday 2pm')
    for name, zone in (("ann", "Europe/London"), ("kiri", "Pacific/Auckland")):
        world.member(name, zone)
        world.run(name, f"signup {session}")
    zones = "SELECT timezone FROM choice_sets ORDER BY timezone"
    assert [r[0] for r in world.community.db.execute(zones)] == [
        "Europe/London",
        "Pacific/Auckland",
    ]

    world.run("kiri", "forget-me confirm=yes")
    await world.advance_by(DAY)
    await world.runtime.upkept()

    assert [r[0] for r in world.community.db.execute(zones)] == ["Europe/London"]
