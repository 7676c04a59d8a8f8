"""A CONNECT group introduced together: one message in one private conversation, through the
ledger, exactly once, when quiet hours suit everyone, and never to someone who stepped back.

The front end here can bring several members together (as Slack's group DMs and Discord's
private threads do); `test_connect.py` covers a front end that cannot (a DM each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from bot.config import ConnectConfig
from bot.domain.context import Reply
from bot.frontend import Capabilities, Reached, SendFailed
from bot.scheduling.courier import Courier
from bot.storage.members import Member
from tests.scheduling.conftest import PLANNER, Recorder, Sent, World, Worlds, local

ROUND = local("2026-12-03 10:00")
INTRO = "CONNECT conversation"


@dataclass
class SharingRecorder(Recorder):
    """A front end that opens one private conversation with several members."""

    capabilities: Capabilities = Capabilities(shares_conversations=True)
    conversations: list[str] | None = None

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None:
        names = tuple(m.display_name for m in members)
        self._attempt("together")
        self.conversations = [*(self.conversations or []), conversation]
        self.sent.append(Sent(self.clock.now(), "together", reply, together=names))
        report(members, None, "")


def join(world: World, name: str, sector: str) -> None:
    world.member(name)
    world.run(name, f"sector {sector}")
    world.run(name, "connect on")


def shared(world: World) -> list[Sent]:
    return [s for s in world.platform.sent if s.to == "together" and INTRO in s.text]


async def test_a_pair_is_introduced_once_in_one_conversation_naming_both(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder)
    join(world, "alice", "health")
    join(world, "bob", "education")

    await world.advance(ROUND + timedelta(days=3))

    [sent] = shared(world)
    assert sorted(sent.together) == ["alice", "bob"]
    assert "alice and bob" in sent.text or "bob and alice" in sent.text
    assert "only that person sees the answer" in sent.reply.footer
    assert [s for s in world.platform.sent if s.to in ("alice", "bob")] == []
    rows = world.ledger("connect")
    assert len(rows) == 2 and {r["status"] for r in rows} == {"sent"}


async def test_a_three_is_one_conversation_too(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder)
    for name, sector in (("alice", "health"), ("bob", "education"), ("carol", "social-care")):
        join(world, name, sector)

    await world.advance(ROUND + timedelta(hours=1))

    [sent] = shared(world)
    assert sorted(sent.together) == ["alice", "bob", "carol"]
    assert world.platform.conversations is not None
    assert len(set(world.platform.conversations)) == 1
    # labelled with the conversation, so a retry can be told apart from a new message
    assert sent.reply.ledger_key == world.platform.conversations[0]


async def test_one_member_s_quiet_hours_hold_the_whole_group(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder, connect=ConnectConfig(at=time(19, 0)))
    join(world, "alice", "health")
    join(world, "bob", "education")
    world.set_prefs("alice", quiet_hours=False)  # alice would take it in the evening

    await world.advance(local("2026-12-03 21:00"))
    assert shared(world) == []  # bob's quiet hours hold it for both of them

    await world.advance(local("2026-12-04 09:00"))
    [sent] = shared(world)
    assert sent.at >= local("2026-12-04 08:00")
    assert len({r["due_utc"] for r in world.ledger("connect")}) == 1


async def test_nobody_who_paused_after_the_match_is_introduced(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder, connect=ConnectConfig(at=time(19, 0)))
    for name, sector in (("alice", "health"), ("bob", "education"), ("carol", "social-care")):
        join(world, name, sector)
    await world.advance(local("2026-12-03 20:00"))  # matched, held for quiet hours
    assert shared(world) == [] and world.community.connect.round_for("2026-12-03") is not None

    world.run("carol", "pause 1")
    await world.advance(local("2026-12-04 09:00"))

    [sent] = shared(world)
    assert sorted(sent.together) == ["alice", "bob"]
    assert "carol" not in sent.text
    carol = world.member_named("carol").id
    assert world.ledger("connect", member_id=carol)[0]["status"] == "skipped"


async def test_a_pair_where_one_stopped_is_not_introduced_at_all(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder, connect=ConnectConfig(at=time(19, 0)))
    join(world, "alice", "health")
    join(world, "bob", "education")
    await world.advance(local("2026-12-03 20:00"))

    world.run("bob", "connect off")
    await world.advance(local("2026-12-04 09:00"))

    assert [s for s in world.platform.sent if INTRO in s.text] == []
    assert {r["status"] for r in world.ledger("connect")} == {"skipped"}


async def test_a_group_split_by_the_claim_limit_still_goes_as_one(worlds: Worlds) -> None:
    world = await worlds(platform=SharingRecorder)
    for name, sector in (("alice", "health"), ("bob", "education"), ("carol", "social-care")):
        join(world, name, sector)
    world.clock.set(local("2026-11-30 10:00"))  # a Monday morning: no quiet hours
    world.run(PLANNER, "post-now connect")

    sent = await Courier(world.community, world.platform).flush(slice_size=1)

    assert sent == 3
    [together] = shared(world)
    assert sorted(together.together) == ["alice", "bob", "carol"]
    assert {r["status"] for r in world.ledger("connect")} == {"sent"}


async def test_a_failed_conversation_is_tried_again_for_everyone_and_sent_once(
    worlds: Worlds,
) -> None:
    world = await worlds(platform=SharingRecorder)
    join(world, "alice", "health")
    join(world, "bob", "education")
    world.platform.fail_next("together", SendFailed("Slack is having trouble", permanent=False))

    await world.advance(ROUND + timedelta(hours=2))

    assert world.platform.calls.count("together") == 2
    [sent] = shared(world)
    assert sorted(sent.together) == ["alice", "bob"]
    statuses = [r["status"] for r in world.ledger("connect")]
    assert len(statuses) == 2 and set(statuses) == {"sent"}
