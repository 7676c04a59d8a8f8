"""`AfterCommand`: the one way a front end says a command was answered."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.frontend import AfterCommand


async def test_a_burst_of_commands_shares_one_more_run_and_none_is_lost() -> None:
    runs: list[int] = []
    gate = asyncio.Event()

    async def send() -> None:
        runs.append(len(runs))
        await gate.wait()

    hook = AfterCommand()
    hook.connect(send)
    hook.ran()
    while not runs:  # the first run is under way
        await asyncio.sleep(0)
    for _ in range(5):
        hook.ran()  # commands answered while it runs
    gate.set()
    await hook.settled()
    assert runs == [0, 1]  # one more run covers all five


async def test_unconnected_it_does_nothing_and_a_failure_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = AfterCommand()
    hook.ran()
    await hook.settled()

    async def broken() -> None:
        raise RuntimeError("boom")

    hook.connect(broken)
    with caplog.at_level(logging.ERROR):
        hook.ran()
        await hook.settled()
    assert any("next tick will try again" in r.getMessage() for r in caplog.records)


async def test_a_command_that_left_no_work_starts_nothing() -> None:
    runs: list[str] = []
    queued = [0]
    seen = [0]

    async def send() -> None:
        seen[0] = queued[0]
        runs.append("sent")

    hook = AfterCommand()
    hook.connect(send, wanted=lambda: queued[0] != seen[0])
    hook.ran()  # a read: nothing queued
    await hook.settled()
    assert runs == []
    queued[0] += 1  # a signup queued a change to the session's thread
    hook.ran()
    await hook.settled()
    assert runs == ["sent"]
    hook.ran()  # the next read
    await hook.settled()
    assert runs == ["sent"]
