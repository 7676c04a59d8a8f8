"""The composition root: the one place that knows every piece and wires them together."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.adapters.console import ConsoleAdapter
from bot.community import Community
from bot.config import Config
from bot.courier import Courier
from bot.dispatch import Dispatcher
from bot.domain.clock import Clock, SystemClock
from bot.registry import Registry
from commands import build_registry


@dataclass
class App:
    config: Config
    community: Community
    registry: Registry
    dispatcher: Dispatcher

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        community = Community.open(config, clock or SystemClock())
        registry = build_registry()
        return cls(config, community, registry, Dispatcher(registry, community))

    def close(self) -> None:
        self.community.db.close()


async def run_console(app: App, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """The console front end, with deliveries sent after every line."""
    console = ConsoleAdapter(
        app.community,
        app.dispatcher,
        out=out,
        export_dir=Path(app.config.database).resolve().parent,
    )
    courier = Courier(app.community, console)
    messages = app.community.messages
    console.say(
        messages(
            "console.banner",
            community=app.config.community_name,
            user=console.user,
            database=str(app.config.database),
        )
    )
    await courier.flush()
    await console.run(stream, after_each=courier.flush)
