"""An announcement the channel refuses, on any front end: the planner hears, a restart retries."""

from __future__ import annotations

import pytest

from bot.frontend import SendFailed
from bot.scheduling.runtime import Runtime
from tests.scheduling.conftest import PLANNER, Recorder, ThreadRecorder, World, Worlds

CHANNEL = "#cop-announcements"
REFUSED = SendFailed("the bot is not in the channel (not_in_channel)", permanent=True)


async def refused_announcement(world: World) -> None:
    world.member(PLANNER)
    world.set_prefs(PLANNER, quiet_hours=False)  # the world starts at midnight
    world.platform.fail_next(CHANNEL, REFUSED)
    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    await world.runtime.tick()
    await world.runtime.tick()  # the notice to the planner


@pytest.mark.parametrize("platform", [Recorder, ThreadRecorder])
async def test_the_planner_is_told_and_a_restart_posts_it(
    worlds: Worlds, platform: type[Recorder]
) -> None:
    world = await worlds(platform=platform)
    await refused_announcement(world)

    assert world.status("announce:1") == "failed"
    [told] = world.platform.to(PLANNER, "hasn't been posted")
    assert "#1 Circle" in told.text and "not in the channel" in told.text

    world.runtime.stop()
    world.runtime = Runtime(world.community, world.platform)
    await world.runtime.start()

    assert world.status("announce:1") == "sent"
    assert len(world.platform.to(CHANNEL, "New session: Circle")) == 1


async def test_a_restart_does_not_post_an_announcement_for_a_cancelled_session(
    world: World,
) -> None:
    await refused_announcement(world)
    world.run(PLANNER, "cancel-session 1 one Moved")

    world.runtime.stop()
    world.runtime = Runtime(world.community, world.platform)
    await world.runtime.start()

    assert world.status("announce:1") == "failed"
    assert world.platform.to(CHANNEL, "New session") == []
