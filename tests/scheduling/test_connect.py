"""CONNECT conversations on the simulated clock: opt in, rounds, introductions, choices.

Rounds fall every two weeks on Thursday at 10:00 (community time) by default; Thursday
3 December 2026 is one of those weeks.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from itertools import combinations

from bot.config import ConnectConfig
from tests.scheduling.conftest import PLANNER, World, Worlds, local

ROUND = local("2026-12-03 10:00")
NEXT_ROUND = local("2026-12-17 10:00")
SECTORS = {"alice": "health", "bob": "education", "carol": "social-care", "dan": "health"}


def join(world: World, name: str, sector: str | None = None) -> None:
    world.member(name)
    if sector:
        world.run(name, f"sector {sector}")
    world.run(name, "connect on")


def introductions(world: World, name: str) -> list[str]:
    return [s.text for s in world.platform.to(name) if "CONNECT conversation" in s.text]


def groups_sent(world: World, since: int = 0) -> set[frozenset[str]]:
    """Who was introduced to whom, read from the introductions sent (from send `since`)."""
    found = set()
    names = world.community.members
    for sent in world.platform.sent[since:]:
        if "CONNECT conversation" not in sent.text:
            continue
        member = names.by_name("console", sent.to)
        assert member is not None
        round_id = int(sent.commands[0].split()[-1])
        group = world.community.connect.group_of(round_id, member.id)
        found.add(frozenset(names.get(m).display_name for m in group))  # type: ignore[union-attr]
    return found


async def test_members_who_asked_are_introduced_once_at_the_round_and_others_never(
    world: World,
) -> None:
    for name, sector in SECTORS.items():
        join(world, name, sector)
    join(world, "erin", "education")
    world.member("frank")  # never asked

    await world.advance(ROUND - timedelta(minutes=10))
    assert not any(introductions(world, n) for n in (*SECTORS, "erin"))

    await world.advance(ROUND + timedelta(days=7))

    for name in (*SECTORS, "erin"):
        assert len(introductions(world, name)) == 1, name
    assert introductions(world, "frank") == []
    sent = world.ledger("connect")
    assert len(sent) == 5 and {row["status"] for row in sent} == {"sent"}
    groups = groups_sent(world)
    assert sorted(len(g) for g in groups) == [2, 3]
    assert all(len({SECTORS.get(n, "education") for n in g}) >= 2 for g in groups)


async def test_an_introduction_says_who_and_why_and_offers_every_choice(world: World) -> None:
    join(world, "alice", "health")
    join(world, "bob", "education")

    await world.advance(ROUND + timedelta(minutes=30))

    [text] = introductions(world, "alice")
    assert "bob" in text and "Health, Education" in text
    [sent] = world.platform.to("alice", "CONNECT conversation")
    round_id = sent.commands[0].split()[-1]
    assert sent.commands == [
        f"connect met {round_id}",
        f"connect cant {round_id}",
        f"connect not-again {round_id}",
        "connect skip",
        "connect off",
        "support",
    ]


async def test_no_pair_meets_again_within_the_remembered_rounds(worlds: Worlds) -> None:
    world = await worlds(connect=ConnectConfig(remember_rounds=3))
    for name, sector in {**SECTORS, "erin": "education", "fay": "voluntary"}.items():
        join(world, name, sector)

    seen: list[set[frozenset[str]]] = []
    for weeks in range(0, 16, 2):
        before = len(world.platform.sent)
        await world.advance(ROUND + timedelta(weeks=weeks, minutes=30))
        seen.append(groups_sent(world, before))

    for number, groups in enumerate(seen):
        assert sum(len(g) for g in groups) == 6, f"round {number}: {groups}"
        pairs_now = {frozenset(p) for g in groups for p in combinations(g, 2)}
        for earlier in seen[max(0, number - 3) : number]:
            pairs_then = {frozenset(p) for g in earlier for p in combinations(g, 2)}
            assert not pairs_now & pairs_then


async def test_not_again_keeps_two_people_apart_and_nobody_else_is_told(world: World) -> None:
    join(world, "alice", "health")
    join(world, "bob", "education")
    await world.advance(ROUND + timedelta(minutes=30))
    [sent] = world.platform.to("alice", "CONNECT conversation")
    not_again = sent.commands[2]

    reply = world.run("alice", not_again)
    await world.advance(NEXT_ROUND + timedelta(weeks=20))

    assert "won't be introduced to them again" in reply.text
    assert len(introductions(world, "alice")) == 1
    assert len(introductions(world, "bob")) == 1
    assert not any("again" in s.text for s in world.platform.to("bob"))


async def test_paused_and_skipping_members_are_left_out(world: World) -> None:
    for name in ("alice", "bob", "carol"):
        join(world, name, SECTORS[name])
    join(world, "erin", "education")
    world.run("carol", "pause 1")
    world.run("erin", "connect skip")

    await world.advance(ROUND + timedelta(minutes=30))
    assert introductions(world, "carol") == [] and introductions(world, "erin") == []
    assert len(introductions(world, "alice")) == 1 and len(introductions(world, "bob")) == 1

    await world.advance(NEXT_ROUND + timedelta(minutes=30))
    assert len(introductions(world, "erin")) == 1  # skipping was for one round only


async def test_stopping_before_the_introduction_goes_means_it_does_not(world: World) -> None:
    join(world, "alice", "health")
    join(world, "bob", "education")
    world.run("alice", "connect off")

    await world.advance(ROUND + timedelta(minutes=30))

    assert introductions(world, "alice") == [] and introductions(world, "bob") == []


async def test_quiet_hours_hold_an_evening_round_until_the_morning(worlds: Worlds) -> None:
    world = await worlds(connect=ConnectConfig(at=time(19, 0)))
    join(world, "alice", "health")
    join(world, "bob", "education")

    await world.advance(local("2026-12-04 09:00"))

    [sent] = world.platform.to("alice", "CONNECT conversation")
    assert sent.at.astimezone(ROUND.tzinfo) >= local("2026-12-04 08:00")


async def test_a_planner_can_run_a_round_now_and_it_goes_out_once(world: World) -> None:
    join(world, "alice", "health")
    join(world, "bob", "education")

    reply = world.run(PLANNER, "post-now connect")
    await world.advance(world.clock.now() + timedelta(minutes=20))
    await world.advance(ROUND + timedelta(minutes=30))

    assert "1 introduction(s) made for 2 member(s)" in reply.text
    # The by-hand round counts as a round: the scheduled one finds no new pair to make.
    assert len(introductions(world, "alice")) == 1


async def test_mydata_shows_my_introductions_and_forget_me_erases_them(world: World) -> None:
    join(world, "alice", "health")
    join(world, "bob", "education")
    await world.advance(ROUND + timedelta(minutes=30))
    [sent] = world.platform.to("alice", "CONNECT conversation")
    world.run("alice", sent.commands[0])  # we met

    shown = world.run("alice", "mydata")
    lines = [line for item in shown.items for line in (item.title, *item.lines)]
    assert any("with bob (you met)" in line for line in lines)

    alice = world.member_named("alice").id
    world.run("alice", "forget-me confirm=yes")
    db = world.community.db
    for table in ("connect_members", "connect_groups", "connect_not_again"):
        rows = db.execute(f"SELECT count(*) FROM {table} WHERE member_id = ?", [alice])
        assert rows.fetchone()[0] == 0, table


async def test_the_report_counts_introductions_and_never_shows_a_small_group(
    world: World,
) -> None:
    people = {**SECTORS, "erin": "education", "fay": "voluntary"}
    for name, sector in people.items():
        join(world, name, sector)
    await world.advance(ROUND + timedelta(minutes=30))
    for name in ("alice", "bob"):
        [sent] = world.platform.to(name, "CONNECT conversation")
        world.run(name, sent.commands[0])  # we met

    reply = world.run(PLANNER, "report 4")
    lines = [line for item in reply.items for line in item.lines]

    def shown(label: str) -> str:
        [line] = [line for line in lines if line.startswith(label)]
        return line.removeprefix(label)

    assert shown("Members who have asked for conversations (now): ") == "6"
    assert shown("Introductions made (pairs and threes): ") == "3 (0)"
    assert shown("Introductions that crossed sectors: ") == "100% (–)"
    # Two answers: too few people to show what they said.
    assert shown("Of those who answered, share who met: ").startswith("fewer than 5")
    assert not any(re.search(rf"\b{name}\b", "\n".join(lines)) for name in people)


async def test_a_first_i_was_there_offers_conversations_once(world: World) -> None:
    sid = world.schedule('"Circle" 2026-12-02 14:00 90m CONNECT 5 Civic Hall')
    world.member("gus")
    world.run("gus", f"signup {sid}")
    world.clock.set(local("2026-12-02 15:00"))

    first = world.run("gus", f"attended {sid}")
    again = world.run("gus", f"attended {sid}")

    assert "connect on" in [a.command for a in first.actions]
    assert "connect on" not in [a.command for a in again.actions]
