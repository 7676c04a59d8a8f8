"""Looking again at the announcement channel, so announcements it refused go out once fixed.

Slack says when the bot is invited to a channel or one is unarchived (events the manifest
subscribes to), but an app created from an older manifest hears neither, and a channel
recreated under the configured name says nothing at all. So every few minutes the channel
is checked quietly (one `conversations.info`); when it is usable, failed announcements of
sessions still ahead go back in the ledger and out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.adapters.slack.failures import SEND_ERRORS
from bot.adapters.slack.sending import Sender
from bot.adapters.slack.setup import check_channel
from bot.frontend import SendFailed

log = logging.getLogger(__name__)
EVERY = 600.0  # seconds between looks


class ChannelWatch:
    """Notices the announcement `channel` being put right, by Slack's events or by a look
    every `every` seconds; then `retry` puts what it refused back in the ledger and `poke`
    has it sent."""

    def __init__(
        self,
        channel: str,
        sender: Sender,
        retry: Callable[[], int],
        poke: Callable[[], None],
        every: float = EVERY,
    ) -> None:
        self.channel = channel
        self.sender = sender
        self.retry = retry
        self.poke = poke
        self.every = every
        self._task: asyncio.Task[None] | None = None

    def start(self, bot: str) -> None:
        self._task = asyncio.create_task(self._run(bot))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self, bot: str) -> None:
        while True:
            await asyncio.sleep(self.every)
            await _quietly(self.check(bot))

    async def announcements_possible(self, channel_id: str) -> None:
        """`channel_id` was put right (the bot invited, the channel unarchived): if it is the
        announcement channel, failed announcements go back in the ledger and out now."""
        try:
            announce = await self.sender.channel_id(self.channel)
        except (SendFailed, *SEND_ERRORS):
            return
        if channel_id == announce and self.retry():
            log.info("the announcement channel is usable again: sending what failed there")
            self.poke()

    async def check(self, bot: str) -> int:
        """If the channel is usable, put its failed announcements back; how many went back."""
        if await check_channel(self.sender, self.channel, bot, {}, quiet=True):
            return 0
        retried = self.retry()
        if retried:
            log.info(
                "the announcement channel is usable again: %s announcement(s) to send", retried
            )
            self.poke()
        return retried


async def _quietly(work: Awaitable[int]) -> None:
    try:
        await work
    except Exception as err:  # a bad look must not end the watch
        log.warning("could not look at the announcement channel: %s", type(err).__name__)
