"""Run the Discord front end with the courier flushing deliveries on a timer and after commands.

A stand-in for the scheduler runtime the lead will wire in: it keeps the bot's own messages
moving every minute and right after each command, until the task is cancelled.
"""

from __future__ import annotations

import asyncio
import logging

from bot.adapters.discord_.adapter import DiscordAdapter
from bot.app import App
from bot.courier import Courier

log = logging.getLogger(__name__)
FLUSH_EVERY = 60.0


async def run_discord(app: App, *, every: float = FLUSH_EVERY) -> None:
    """Start the adapter and flush the courier every `every` seconds until cancelled."""
    adapter = DiscordAdapter(app)
    courier = Courier(app.community, adapter)
    lock = asyncio.Lock()

    async def flush() -> None:
        async with lock:
            try:
                await courier.flush()
            except Exception:
                log.exception("courier flush failed")

    adapter.after_command = flush
    await adapter.start()
    try:
        while True:
            await flush()
            await asyncio.sleep(every)
    finally:
        await adapter.stop()
