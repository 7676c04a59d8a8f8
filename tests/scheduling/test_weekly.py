"""The weekly prompt and resource pick: on time, once, in rotation, across BST changes."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import REPO_CONTENT
from bot.domain.objectives import OBJECTIVES
from tests.scheduling.conftest import MONDAY, World, Worlds, local_times

CHANNEL = "#cop-announcements"
PROMPT = "This week's reflection"


def prompts(world: World, to: str = CHANNEL) -> list[str]:
    return [s.text for s in world.platform.to(to, PROMPT)]


async def test_a_month_of_prompts_each_monday_at_0930_once_and_never_repeated(
    world: World,
) -> None:
    world.member("alice")
    world.run("alice", "subscribe prompts")

    await world.advance(MONDAY + timedelta(days=31))

    posts = world.platform.to(CHANNEL, PROMPT)
    mondays = ["Mon 2026-11-30", "Mon 2026-12-07", "Mon 2026-12-14", "Mon 2026-12-21"]
    assert local_times(posts) == [f"{day} 09:30" for day in [*mondays, "Mon 2026-12-28"]]
    assert len(set(prompts(world))) == 5, "a prompt was repeated within the month"
    # The copy by direct message is the same prompt, at the same moment.
    copies = world.platform.to("alice", PROMPT)
    assert [s.at for s in copies] == [s.at for s in posts]
    assert [PROMPT + c.text.split(PROMPT, 1)[1] for c in copies] == [
        PROMPT + p.split(PROMPT, 1)[1] for p in prompts(world)
    ]
    # The rotation is remembered in the database, one prompt per week.
    history = world.community.posted.history("prompt")
    assert [period for period, _ in history] == [
        "2026-11-30",
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
        "2026-12-28",
    ]
    assert len({item for _, item in history}) == 5
    # Nothing was missed, failed or sent late; every prompt key went out exactly once.
    rows = world.ledger("prompt") + world.ledger("prompt-dm")
    assert len(rows) == 10
    assert {r["status"] for r in rows} == {"sent"}
    assert not {"missed", "failed", "late", "pending", "claimed"} & set(
        world.community.deliveries.counts()
    )


async def test_asking_for_the_prompt_midweek_shows_the_one_that_was_posted(world: World) -> None:
    await world.advance(MONDAY + timedelta(days=2))
    posted = prompts(world)
    assert len(posted) == 1
    shown = world.run("alice", "prompt").text
    assert PROMPT + shown.split(PROMPT, 1)[1] == PROMPT + posted[0].split(PROMPT, 1)[1]


def picks(world: World) -> list[tuple[datetime, str, str]]:
    """(when, objective, resource id) for each resource pick posted in the channel."""
    library = world.community.library
    titles = {o: {e.title: e.id for e in library.for_picks(o)} for o in OBJECTIVES}
    found = []
    for sent in world.platform.to(CHANNEL, "resource: "):
        match = re.match(r"This week's (\w+) resource: ", sent.text)
        assert match, sent.text
        objective = match[1]
        rest = sent.text[match.end() :]
        ids = [rid for title, rid in titles[objective].items() if rest.startswith(title + " (")]
        assert len(ids) == 1, sent.text
        found.append((sent.at, objective, ids[0]))
    return found


def assert_no_repeat_within_a_cycle(world: World, chosen: list[tuple[datetime, str, str]]) -> None:
    """Within each objective, no resource comes round again before all of them have had a turn."""
    for objective in OBJECTIVES:
        pool = {e.id for e in world.community.library.for_picks(objective)}
        ids = [rid for _, o, rid in chosen if o == objective]
        for start in range(0, len(ids), len(pool)):
            cycle = ids[start : start + len(pool)]
            assert len(set(cycle)) == len(cycle), (objective, start, cycle)
            assert set(cycle) <= pool
            if len(cycle) == len(pool):
                assert set(cycle) == pool


async def test_a_year_of_picks_takes_objectives_in_turn_without_repeats(worlds: Worlds) -> None:
    world = await worlds()
    await world.advance(MONDAY + timedelta(weeks=52), step=timedelta(minutes=30))

    chosen = picks(world)
    assert len(chosen) == 52
    times = local_times([s for s in world.platform.to(CHANNEL, "resource: ")])
    assert all(t.startswith("Wed ") and t.endswith(" 12:30") for t in times), times
    assert [o for _, o, _ in chosen] == [OBJECTIVES[i % 3] for i in range(52)]
    assert_no_repeat_within_a_cycle(world, chosen)
    # A resource filed under several objectives is not the pick two weeks running.
    ids = [rid for _, _, rid in chosen]
    repeats = [(i, a) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)) if a == b]
    assert not repeats, repeats
    statuses = {r["status"] for r in world.ledger("pick")}
    assert statuses == {"sent"}


def small_library(tmp_path: Path, count: int) -> Path:
    """The shipped content with only its first `count` resources, so a year wraps round."""
    content = tmp_path / "content"
    shutil.copytree(REPO_CONTENT, content)
    path = content / "resources.toml"
    head, *blocks = path.read_text(encoding="utf-8").split("[[resource]]")
    path.write_text(head + "".join("[[resource]]" + b for b in blocks[:count]), encoding="utf-8")
    return content


async def test_with_a_small_library_every_resource_has_its_turn_before_any_repeats(
    worlds: Worlds, tmp_path: Path
) -> None:
    world = await worlds(content_dir=small_library(tmp_path, 6))
    pools = {o: len(world.community.library.for_picks(o)) for o in OBJECTIVES}
    assert all(2 <= n <= 6 for n in pools.values()), pools

    await world.advance(MONDAY + timedelta(weeks=52), step=timedelta(minutes=30))

    chosen = picks(world)
    assert len(chosen) == 52
    assert [o for _, o, _ in chosen] == [OBJECTIVES[i % 3] for i in range(52)]
    for objective, size in pools.items():
        assert len([1 for _, o, _ in chosen if o == objective]) > size  # it wrapped round
    assert_no_repeat_within_a_cycle(world, chosen)


async def test_the_prompt_stays_at_0930_local_across_both_bst_changes(worlds: Worlds) -> None:
    spring = await worlds(datetime(2027, 3, 15, 0, 0, tzinfo=UTC), db="spring.db")
    await spring.advance(datetime(2027, 4, 6, tzinfo=UTC))
    autumn = await worlds(datetime(2027, 10, 18, 0, 0, tzinfo=UTC), db="autumn.db")
    await autumn.advance(datetime(2027, 11, 9, tzinfo=UTC))

    for world, days in (
        (spring, ["2027-03-15", "2027-03-22", "2027-03-29", "2027-04-05"]),
        (autumn, ["2027-10-18", "2027-10-25", "2027-11-01", "2027-11-08"]),
    ):
        posts = world.platform.to(CHANNEL, PROMPT)
        assert local_times(posts) == [f"Mon {d} 09:30" for d in days]
    # ... which is 09:30 UTC in winter and 08:30 UTC in summer.
    assert [s.at.hour for s in spring.platform.to(CHANNEL, PROMPT)] == [9, 9, 8, 8]
    assert [s.at.hour for s in autumn.platform.to(CHANNEL, PROMPT)] == [8, 8, 9, 9]
