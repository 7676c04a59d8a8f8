"""A wave reaches the platform's rate-limit floor whatever the round trip: the courier keeps
several sends under way at once, each keeping to the pace, and claims slice after slice
while anything is due (no cap splits a wave across ticks).

No timed assertions: what shows the floor is reachable is that more than one send was under
way at a time; what shows nothing went wrong is the order and that each went out once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from bot.domain.context import Actor, Reply
from bot.frontend import Pacing
from bot.scheduling.courier import Courier
from bot.storage.deliveries import reply_to_payload
from bot.storage.members import Member
from tests.scheduling.conftest import Recorder, Worlds

WAVE = 200


@dataclass
class SlowRoundTrip(Recorder):
    """A platform that answers each send after 100 ms, allowing 20 sends a second."""

    pacing: Pacing = Pacing(per_target=1.0, overall=0.05)
    started: list[str] = field(default_factory=list)
    under_way: int = 0
    most_under_way: int = 0

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        self.started.append(member.display_name)
        self.under_way += 1
        self.most_under_way = max(self.most_under_way, self.under_way)
        try:
            await asyncio.sleep(0.1)
            await super().send_to_member(member, reply)
        finally:
            self.under_way -= 1


async def test_a_wave_of_200_dms_keeps_several_under_way_and_sends_each_once_in_order(
    worlds: Worlds,
) -> None:
    world = await worlds(platform=SlowRoundTrip)
    platform = world.platform
    assert isinstance(platform, SlowRoundTrip)
    community, now = world.community, world.clock.now()
    keys: dict[str, str] = {}
    for n in range(WAVE):
        member = community.register(Actor("console", f"m{n:03d}", f"m{n:03d}"))
        key = f"notice:-:{member.id}:wave"
        community.deliveries.enqueue(
            key, "notice", now, member_id=member.id, payload=reply_to_payload(Reply("Hello"))
        )
        keys[key] = member.display_name

    # Slices of 50: one flush keeps claiming until nothing is due.
    sent = await Courier(community, platform).flush(slice_size=50)

    assert sent == WAVE
    assert platform.most_under_way > 1  # side by side, not one after another
    assert Counter(s.to for s in platform.sent) == {name: 1 for name in keys.values()}
    assert platform.started == [keys[key] for key in sorted(keys)]  # in the ledger's order
    assert {r["status"] for r in world.ledger("notice")} == {"sent"}
