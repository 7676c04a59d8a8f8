"""Running the bot on Slack until it is stopped, sending deliveries as they fall due.

Deliveries are flushed every minute, and straight after each command (a cancellation may
have promoted someone from the waitlist). The lead's scheduler runtime will replace this
loop; it is kept to the least that works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.adapters.slack.adapter import SlackAdapter
from bot.app import App
from bot.courier import Courier

log = logging.getLogger(__name__)
FLUSH_EVERY = 60.0


async def run_slack(
    app: App,
    *,
    http: bool = False,
    port: int = 3000,
    adapter: SlackAdapter | None = None,
    flush_every: float = FLUSH_EVERY,
) -> None:
    """Start Slack, then flush deliveries every `flush_every` seconds or after a command."""
    adapter = adapter or SlackAdapter(app)
    await adapter.start(http=http, port=port)
    courier = Courier(app.community, adapter)
    try:
        while True:
            await _flush(courier)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(adapter.commands.wait(), flush_every)
            adapter.commands.clear()
    finally:
        await adapter.stop()


async def _flush(courier: Courier) -> None:
    """Send everything due; a batch that sent something may mean more is waiting."""
    try:
        while await courier.flush():
            pass
    except Exception:
        log.exception("sending deliveries failed; trying again at the next flush")
