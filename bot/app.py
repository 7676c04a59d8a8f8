"""The composition root: the one place that knows every piece and wires them together."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.console import ConsoleAdapter
from bot.community import Community
from bot.config import Config
from bot.dispatch import Dispatcher
from bot.domain.clock import Clock, FakeClock, SystemClock
from bot.domain.when import format_local
from bot.registry import Registry
from bot.scheduling.runtime import Runtime
from bot.storage.db import pending_upgrade
from commands import build_registry


@dataclass
class App:
    config: Config
    community: Community
    registry: Registry
    dispatcher: Dispatcher

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        upgrade = pending_upgrade(config.database)
        if upgrade is not None:
            print(
                f"Bringing the database up to date (schema {upgrade[0]} to {upgrade[1]})...",
                file=sys.stderr,
                flush=True,
            )
        community = Community.open(config, clock or SystemClock())
        registry = build_registry()
        return cls(config, community, registry, Dispatcher(registry, community))

    def close(self) -> None:
        self.community.db.close()


async def run_console(app: App, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """The console front end, with the calendar running alongside it.

    With a simulated clock, `/clock +1d` moves time on and prints what falls due, as the
    planning group's rehearsal; with the real clock, APScheduler ticks in the same loop.
    """
    console = ConsoleAdapter(
        app.community,
        app.dispatcher,
        out=out,
        export_dir=Path(app.config.database).resolve().parent / "exports",
    )
    runtime = Runtime(app.community, console)
    simulated = isinstance(app.community.clock, FakeClock)
    if simulated:
        console.extra_commands["/clock"] = lambda text: _move_clock(app, runtime, console, text)
    messages = app.community.messages
    console.say(
        messages(
            "console.banner",
            community=app.config.community_name,
            user=console.user,
            database=str(app.config.database),
        )
    )
    if simulated:
        await runtime.tick()
    else:
        await runtime.start()
    try:
        await console.run(stream, after_each=runtime.tick)
    finally:
        runtime.stop()


async def _move_clock(app: App, runtime: Runtime, console: ConsoleAdapter, text: str) -> None:
    clock = app.community.clock
    target = parse_clock_move(text, clock.now(), app.community.zone)
    if target is None:
        console.say(app.community.messages("console.clock_bad"))
        return
    await runtime.advance(target)
    console.say(
        app.community.messages("console.clock", when=format_local(clock.now(), app.community.zone))
    )


def parse_clock_move(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """`+1d`, `+3h`, `+30m`, `+2w` or a local date and time such as `2026-12-03 13:00`."""
    match = re.fullmatch(r"\+(\d{1,4})\s*([mhdw])", text.strip().lower())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
        return now + timedelta(**{unit: int(match[1])})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return moment if moment > now else None
