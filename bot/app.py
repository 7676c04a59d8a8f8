"""The composition root: the one place that knows every piece and wires them together."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.console import ConsoleAdapter, ExportFolder
from bot.community import Community
from bot.config import Config
from bot.dispatch import Dispatcher
from bot.domain.clock import Clock, FakeClock, SystemClock
from bot.domain.when import format_local
from bot.registry import Registry
from bot.scheduling.runtime import MARK, Runtime
from bot.storage.db import open_rehearsal_copy, pending_upgrade, utc_iso
from bot.storage.trouble import explain as explain_db
from commands import build_registry

log = logging.getLogger(__name__)


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
        community = Community.open(config, clock or SystemClock())
        registry = build_registry()
        return cls(config, community, registry, Dispatcher(registry, community))

    @classmethod
    def rehearse(cls, config: Config, clock: FakeClock) -> App:
        """An app on an in-memory copy of the database, for a rehearsal on a simulated clock.

        The planning mark of the copy starts at the simulated moment, so the rehearsal shows
        what would go out from then on; the live file, its ledger and its mark are untouched.
        """
        db = open_rehearsal_copy(config.database)
        community = Community.open(config, clock, db=db)
        community.meta.set(MARK, utc_iso(clock.now()))
        registry = build_registry()
        return cls(config, community, registry, Dispatcher(registry, community), rehearsal=True)

    def close(self) -> None:
        self.community.db.close()


async def run_console(app: App, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """The console front end, with the calendar running alongside it.

    With a simulated clock, `/clock +1d` moves time on and prints what falls due, as the
    planning group's rehearsal; with the real clock, APScheduler ticks in the same loop.
    A database error during a tick is logged in one line and the console carries on: the
    person at the keyboard keeps their session, and the next tick tries again.
    """
    exports = Path(app.config.database).resolve().parent / "exports"
    folder = ExportFolder(exports / "rehearsal" if app.rehearsal else exports)
    # First in line, so an erasure (which asks the stores in reverse) removes files last,
    # once everything that can fail and roll back has been done.
    app.community.privacy.stores.insert(0, folder)
    console = ConsoleAdapter(app.community, app.dispatcher, out=out, exports=folder)
    runtime = Runtime(app.community, console)
    console.extra_commands["/clock"] = lambda text: _move_clock(app, runtime, console, text)
    console.say(_banner(app, console.user))
    if isinstance(app.community.clock, FakeClock):
        await _tick_safely(runtime)
    else:
        await runtime.start()
    try:
        await console.run(stream, after_each=lambda: _tick_safely(runtime))
    finally:
        runtime.stop()


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


async def _tick_safely(runtime: Runtime, until: datetime | None = None) -> None:
    """Tick (or move a simulated clock on to `until`), logging a database error in one line."""
    try:
        if until is None:
            await runtime.tick()
        else:
            await runtime.advance(until)
    except sqlite3.Error as err:
        problem = explain_db(runtime.community.config.database, err)
        log.error("%s (the console carries on; the next tick tries again)", problem)


async def _move_clock(app: App, runtime: Runtime, console: ConsoleAdapter, text: str) -> None:
    clock = app.community.clock
    if not isinstance(clock, FakeClock):
        console.say(app.community.messages("console.clock_real"))
        return
    target = parse_clock_move(text, clock.now(), app.community.zone)
    if target is None:
        console.say(app.community.messages("console.clock_bad"))
        return
    await _tick_safely(runtime, target)
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
