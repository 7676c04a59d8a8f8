"""Work for the platform (mirroring a session as an event, bringing a thread's members up to
date) is taken from the ledger without a claim: doing it twice changes nothing, so it costs
no write transaction before it. Its tries are still counted, and it is retried and marked
like any message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.frontend import Capabilities, SendFailed
from tests.counting import statements
from tests.scheduling.conftest import Recorder, Worlds

DOWN = SendFailed("the platform is down", permanent=False)


@dataclass
class Mirror(Recorder):
    """A front end that mirrors each session, as Discord's scheduled events do."""

    capabilities: Capabilities = Capabilities(mirrors_sessions=True)

    async def sync_session(self, session_id: int) -> None:
        self._attempt("mirror")


async def test_a_mirror_is_done_without_a_claim(worlds: Worlds) -> None:
    world = await worlds(platform=Mirror)
    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    world.platform.sent.clear()

    with statements(world.community.db) as seen:
        await world.runtime.courier.flush()

    assert world.platform.calls.count("mirror") == 1
    claims = [s for s in seen if "SET status = 'claimed'" in s]
    assert len(claims) == 1  # the announcement's
    [sync] = world.ledger("sync")
    assert (sync["status"], sync["attempts"], sync["claimed_by"]) == ("sent", 1, "")


async def test_a_mirror_that_fails_is_retried_with_its_tries_counted(worlds: Worlds) -> None:
    world = await worlds(platform=Mirror)
    world.platform.fail_next("mirror", DOWN, DOWN)
    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')

    tries = []
    for _ in range(3):
        await world.runtime.courier.flush()
        [sync] = world.ledger("sync")
        tries.append((sync["status"], sync["attempts"]))
        world.clock.set(world.clock.now() + timedelta(hours=1))

    assert tries == [("pending", 1), ("pending", 2), ("sent", 3)]
    assert world.platform.calls.count("mirror") == 3
