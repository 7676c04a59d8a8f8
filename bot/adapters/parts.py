"""What a front end is given to work with: never the app that built it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.community import Community
from bot.config import Config
from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.registry import Registry
from bot.domain.clock import Clock


@dataclass(frozen=True)
class Parts:
    """The config, the community's stores and words, the command declarations and the
    dispatcher that runs them: all a front end needs to turn what arrives into commands and
    draw the replies. `bot/app.py` makes it.

    `retry_announcements` is for a front end that sees the announcement channel put right:
    it puts the announcements the channel refused back in the ledger, due now, and says how
    many (the front end's after-command hook then sends them)."""

    config: Config
    community: Community
    registry: Registry
    dispatcher: Dispatcher
    retry_announcements: Callable[[], int]

    @property
    def clock(self) -> Clock:
        return self.community.clock
