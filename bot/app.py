"""The composition root: the one place that knows every piece and wires them together.

It alone knows which front ends exist (`FRONT_ENDS`): each declares its own name and what it
can do, and is given the parts it needs; all of them run on the one runner (`bot.serve`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.adapters.console import ConsoleAdapter, ExportFolder
from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.parts import Parts
from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.setup import check_secrets
from bot.community import Community
from bot.config import Config
from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.registry import Registry
from bot.domain.clock import Clock, FakeClock, SystemClock
from bot.domain.when import format_local
from bot.frontend import FrontEnd
from bot.scheduling import unposted
from bot.scheduling.notices import Notices
from bot.scheduling.runtime import MARK, Runtime
from bot.serve import serve
from bot.storage.db import open_rehearsal_copy, pending_upgrade, utc_iso
from commands import build_registry

log = logging.getLogger(__name__)
# Every front end there is, by the name members' rows record.
FRONT_ENDS: dict[str, type[FrontEnd]] = {
    front.platform: front for front in (ConsoleAdapter, SlackAdapter, DiscordAdapter)
}
# How each platform sends a member's reminders unless they chose, as its front end declares.
DEFAULT_VIAS = {name: front.capabilities.default_via for name, front in FRONT_ENDS.items()}


def choose_platform(config: Config, *, console: bool) -> str:
    """The front end to run: the console when asked (and for every rehearsal), else the
    configured platform, or the one whose token is set."""
    return ConsoleAdapter.platform if console else config.chosen_platform()


@dataclass(frozen=True)
class RunOptions:
    """How to run: Slack over signed HTTP on `port` (with other `routes` on it, such as the
    calendar pages) or Socket Mode; the console's input and output."""

    http: bool = False
    port: int = 3000
    routes: Callable[[web.Application], None] | None = None
    stream: TextIO = field(default_factory=lambda: sys.stdin)
    out: TextIO = field(default_factory=lambda: sys.stdout)


@dataclass
class App:
    config: Config
    community: Community
    registry: Registry
    dispatcher: Dispatcher
    rehearsal: bool = False

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        upgrade = pending_upgrade(config.database)
        if upgrade is not None:
            print(
                f"Bringing the database up to date (schema {upgrade[0]} to {upgrade[1]})...",
                file=sys.stderr,
                flush=True,
            )
        community = Community.open(config, clock or SystemClock(), vias=DEFAULT_VIAS)
        registry = build_registry()
        return cls(config, community, registry, Dispatcher(registry, community, Notices(community)))

    @classmethod
    def rehearse(cls, config: Config, clock: FakeClock) -> App:
        """An app on an in-memory copy of the database, for a rehearsal on a simulated clock.

        The planning mark of the copy starts at the simulated moment, so the rehearsal shows
        what would go out from then on; the live file, its ledger and its mark are untouched.
        """
        db = open_rehearsal_copy(config.database)
        community = Community.open(config, clock, db=db, vias=DEFAULT_VIAS)
        community.meta.set(MARK, utc_iso(clock.now()))
        registry = build_registry()
        return cls(
            config,
            community,
            registry,
            Dispatcher(registry, community, Notices(community)),
            rehearsal=True,
        )

    def close(self) -> None:
        self.community.db.close()

    def parts(self) -> Parts:
        """What a front end is given: never the app itself."""
        retry = partial(unposted.retry, self.community)
        return Parts(self.config, self.community, self.registry, self.dispatcher, retry)

    @staticmethod
    def shares_port(platform: str, options: RunOptions) -> bool:
        """Whether the front end serves HTTP itself, so other pages can share its port."""
        return platform == "slack" and options.http

    async def run(self, platform: str, options: RunOptions) -> None:
        """Run the front end named `platform` with the calendar beside it until it closes."""
        front_end = self.front_end(platform, options)
        runtime = Runtime(self.community, front_end)
        if isinstance(front_end, ConsoleAdapter):
            self._at_the_console(front_end, runtime)
        await serve(front_end, runtime)

    def front_end(self, platform: str, options: RunOptions) -> FrontEnd:
        if platform == "slack":
            check_secrets(self.config, options.http)  # before bolt, which would only raise its own
            return SlackAdapter(
                self.parts(), http=options.http, port=options.port, routes=options.routes
            )
        if platform == "discord":
            return DiscordAdapter(self.parts())
        return self.console(options.stream, options.out)

    def console(self, stream: TextIO, out: TextIO) -> ConsoleAdapter:
        """The console, saving members' files beside the database (a rehearsal's apart)."""
        exports = Path(self.config.database).resolve().parent / "exports"
        folder = ExportFolder(exports / "rehearsal" if self.rehearsal else exports)
        # First in line, so an erasure (which asks the stores in reverse) removes files last,
        # once everything that can fail and roll back has been done.
        self.community.privacy.stores.insert(0, folder)
        return ConsoleAdapter(self.parts(), stream=stream, out=out, exports=folder)

    def _at_the_console(self, console: ConsoleAdapter, runtime: Runtime) -> None:
        """The banner, and `/clock`: with a simulated clock it moves time on and prints what
        falls due, as the planning group's rehearsal."""
        console.extra_commands["/clock"] = lambda text: _move_clock(self, runtime, console, text)
        console.say(_banner(self, console.user))


async def run_console(app: App, stream: TextIO | None = None, out: TextIO | None = None) -> None:
    """The console front end on the one runner (the default, and every rehearsal)."""
    options = RunOptions(stream=stream or sys.stdin, out=out or sys.stdout)
    await app.run(ConsoleAdapter.platform, options)


def _banner(app: App, user: str) -> str:
    community = app.community
    return community.messages.lenient(
        "console.banner_rehearsal" if app.rehearsal else "console.banner",
        {
            "community": app.config.community_name,
            "user": user,
            "database": str(app.config.database),
            "when": format_local(community.clock.now(), community.zone),
        },
    )


async def _move_clock(app: App, runtime: Runtime, console: ConsoleAdapter, text: str) -> None:
    clock = app.community.clock
    if not isinstance(clock, FakeClock):
        console.say(app.community.messages("console.clock_real"))
        return
    target = parse_clock_move(text, clock.now(), app.community.zone)
    if target is None:
        console.say(app.community.messages("console.clock_bad"))
        return
    await runtime.advance_safely(target)
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
