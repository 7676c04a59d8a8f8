"""Running a chat platform front end with the calendar ticking beside it, until stopped.

The same runtime drives every platform: APScheduler ticks in the front end's event loop,
and each answered command pokes it, so notices it queued (a waitlist promotion, say) go out
at once rather than at the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

from bot.adapters.base import SetupError
from bot.app import App
from bot.scheduling.runtime import Runtime

log = logging.getLogger(__name__)


async def serve(app: App, adapter: Any, starting: Awaitable[object]) -> None:
    """Start the front end (`starting`), then the runtime; run until cancelled."""
    runtime = Runtime(app.community, adapter)
    watcher = None
    if hasattr(adapter, "after_command"):
        adapter.after_command = runtime.tick
    elif isinstance(getattr(adapter, "commands", None), asyncio.Event):
        watcher = asyncio.create_task(_poke_after_commands(adapter.commands, runtime))
    await starting
    await runtime.start()
    try:
        await _until_closed(adapter)
    finally:
        runtime.stop()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await adapter.stop()


async def _until_closed(adapter: Any) -> None:
    """Run until cancelled, or until the front end's connection ends for good: a front end
    that can tell (`wait_closed`) raises why, so the bot stops and says so rather than
    staying up deaf."""
    wait_closed = getattr(adapter, "wait_closed", None)
    if wait_closed is None:
        await asyncio.Event().wait()
        return
    await wait_closed()
    raise SetupError("the connection closed and did not reconnect")


async def _poke_after_commands(commands: asyncio.Event, runtime: Runtime) -> None:
    while True:
        await commands.wait()
        commands.clear()
        try:
            await runtime.tick()
        except Exception:
            log.exception("sending after a command failed; the next tick will try again")
