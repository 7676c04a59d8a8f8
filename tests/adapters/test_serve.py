"""`serve` runs a front end with the calendar beside it: the path `copbot run` takes on Slack.

A slash command that frees a waitlisted place is answered, and the promotion it queued goes
out as a direct message straight after, without waiting for the next scheduler tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import weakref

from bot.app import App
from bot.domain.context import Actor
from bot.scheduling.runtime import Runtime
from bot.serve import serve
from tests.adapters.conftest import PLANNER, make_adapter
from tests.fakes.fake_slack import FakeSlack


async def test_a_command_answered_under_serve_sends_the_notice_it_queued(
    app: App, slack: FakeSlack
) -> None:
    planner = Actor("slack", PLANNER, "Planner")
    app.dispatcher.handle_line(planner, '/cop schedule "Circle" 2026-12-03 14:00 capacity=1')
    app.dispatcher.handle_line(planner, "/cop schedule-confirm")
    app.dispatcher.handle_line(Actor("slack", "U1", "Ann"), "/cop signup 1")
    app.dispatcher.handle_line(Actor("slack", "U2", "Bo"), "/cop signup 1")
    adapter = make_adapter(app)
    running = asyncio.create_task(serve(adapter, Runtime(app.community, adapter)))
    try:
        await slack.wait_connected()
        url = slack.response_url("cancel")
        await slack.send_envelope(
            "slash_commands", slack.slash_payload("cancel 1", user_id="U1", response_url=url)
        )
        [answer] = await slack.wait_for_response("cancel")
        assert "Your place at #1 Circle has been cancelled" in answer["text"]
        posts = await slack.wait_for_call("chat.postMessage", count=2)
        to_bo = [c for c in posts if c.params.get("channel") == "DU2"]
        assert to_bo and "a place has opened up" in to_bo[0].params["text"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_serving_leaves_start_up_out_of_garbage_collection_and_the_young_longer(
    app: App, slack: FakeSlack
) -> None:
    threshold = gc.get_threshold()
    adapter = make_adapter(app)
    running = asyncio.create_task(serve(adapter, Runtime(app.community, adapter)))
    try:
        await slack.wait_connected()
        for _ in range(100):  # serve freezes just after the runtime begins
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.01)
        frozen, serving = gc.get_freeze_count(), gc.get_threshold()
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle made while serving is still collected
        probe = weakref.ref(Probe(garbage))
        del garbage
        gc.collect()
        assert probe() is None
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert frozen > 1000  # the modules, the bolt app, the content: not traversed again
    assert serving == (10_000, *threshold[1:])  # the young collected less often
    assert gc.get_freeze_count() == 0  # handed back on stopping, as a test run needs
    assert gc.get_threshold() == threshold


class Probe:
    """Something to watch through a weak reference, kept alive only by a cycle."""

    def __init__(self, cycle: list[object]) -> None:
        cycle.append(self)


async def test_while_serving_a_thread_makes_the_checkpoints_not_the_commands(
    app: App, slack: FakeSlack
) -> None:
    db = app.community.db

    def autocheckpoint() -> int:
        return int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

    adapter = make_adapter(app)
    running = asyncio.create_task(serve(adapter, Runtime(app.community, adapter)))
    try:
        await slack.wait_connected()
        for _ in range(100):  # serve hands checkpoints to the thread once the runtime begins
            if autocheckpoint() == 0:
                break
            await asyncio.sleep(0.01)
        serving = autocheckpoint()
        threads = {t.name for t in threading.enumerate()}
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert serving == 0  # no command's commit checkpoints
    assert "copbot-checkpoints" in threads
    assert autocheckpoint() == 1000  # stopping puts SQLite's own back
    assert "copbot-checkpoints" not in {t.name for t in threading.enumerate()}
