"""The calendar running itself, driven by a fake clock: shared wiring for the scheduling tests.

Each test gets a `World`: an app on a fresh SQLite file, a FakeClock, a recording front end
and a Runtime. `await world.advance(...)` moves the clock in 10-minute steps, ticking at each
as the real scheduler would; what the front end was asked to send is in `world.platform.sent`,
and what the ledger recorded is in `world.ledger()`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.frontend import AfterCommand, Capabilities, Pacing, Reached, SendFailed
from bot.scheduling.runtime import Runtime
from bot.storage.members import Member
from tests.helpers import scheduled

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
PLANNER = "organiser"
# Monday 30 November 2026, 00:00 UTC (GMT, so London and UTC agree).
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)


def local(text: str, zone: ZoneInfo = LONDON) -> datetime:
    """`local("2026-12-03 14:00")`: a wall-clock time in `zone`, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@dataclass(frozen=True)
class Sent:
    """One message the front end was asked to carry."""

    at: datetime  # the simulated clock when it was sent
    to: str  # a member's display name, or "#channel"
    reply: Reply
    session_id: int | None = None
    together: tuple[str, ...] = ()  # members named in one thread post

    @property
    def text(self) -> str:
        return self.reply.text

    @property
    def commands(self) -> list[str]:
        return [a.command for a in self.reply.actions]


@dataclass
class Recorder:
    """A front end that records every send; `fail` may raise SendFailed for some of them."""

    clock: FakeClock
    platform: str = "test"
    capabilities: Capabilities = Capabilities()
    pacing: Pacing = Pacing()
    after_command: AfterCommand = field(default_factory=AfterCommand)
    sent: list[Sent] = field(default_factory=list)
    failures: dict[str, list[SendFailed]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def fail_next(self, name: str, *failures: SendFailed) -> None:
        """The next sends to `name` raise these, in order; later sends succeed."""
        self.failures.setdefault(name, []).extend(failures)

    def _attempt(self, name: str) -> None:
        self.calls.append(name)
        waiting = self.failures.get(name)
        if waiting:
            raise waiting.pop(0)

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        self._attempt(member.display_name)
        self.sent.append(Sent(self.clock.now(), member.display_name, reply))

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        self._attempt("#" + channel)
        self.sent.append(Sent(self.clock.now(), "#" + channel, reply, session_id))

    def to(self, name: str, containing: str = "") -> list[Sent]:
        return [s for s in self.sent if s.to == name and containing in s.text]

    def reminders(self, name: str) -> list[Sent]:
        return self.to(name, "A reminder:")


@dataclass
class ThreadRecorder(Recorder):
    """A front end that prefers one thread post naming the members (as Discord does).

    It calls itself "discord": where reminders travel by default depends on the platform.
    """

    platform: str = "discord"
    capabilities: Capabilities = Capabilities(default_via="thread")

    async def send_together(
        self, members: list[Member], reply: Reply, session_id: int, report: Reached
    ) -> None:
        names = tuple(m.display_name for m in members)
        self.calls.append("thread")
        self.sent.append(Sent(self.clock.now(), "thread", reply, session_id, names))
        report(members, None, "together in the session thread")


@dataclass
class World:
    app: App
    clock: FakeClock
    platform: Recorder
    runtime: Runtime
    path: Path

    @property
    def community(self) -> Any:
        return self.app.community

    def run(self, name: str, line: str) -> Reply:
        """Type a line as a console user; fails the test if the bot answers with an error."""
        reply = self.app.dispatcher.handle_line(Actor("console", name, name), line)
        assert not reply.error, reply.text
        return reply

    def member(self, name: str, zone: str = "Europe/London") -> Member:
        """Register a member (typing `timezone` as they would) and return them."""
        self.run(name, f"timezone {zone}")
        found = self.community.members.by_name("console", name)
        assert found is not None
        return found

    def set_prefs(self, name: str, **changes: Any) -> None:
        member = self.member_named(name)
        prefs = self.community.members.preferences(member.id)
        self.community.members.save_preferences(member.id, replace(prefs, **changes))

    def member_named(self, name: str) -> Member:
        found = self.community.members.by_name("console", name)
        assert found is not None
        return found

    def schedule(self, line: str) -> int:
        """Schedule as the planner; returns the (first) new session's id."""
        reply = scheduled(self.run, line)
        return int(reply.items[0].key.removeprefix("session:"))

    async def advance(self, until: datetime, step: timedelta = STEP) -> int:
        return await self.runtime.advance(until, step)

    async def advance_by(self, delta: timedelta, step: timedelta = STEP) -> int:
        return await self.advance(self.clock.now() + delta, step)

    def ledger(self, kind: str | None = None, **where: Any) -> list[dict[str, Any]]:
        """Rows of the delivery ledger, optionally of one kind, oldest due first."""
        sql = "SELECT * FROM deliveries WHERE 1"
        params: list[Any] = []
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        for column, value in where.items():
            sql += f" AND {column} = ?"
            params.append(value)
        return self.community.db.execute_returning_dicts(sql + " ORDER BY due_utc, key", params)

    def status(self, key: str) -> str:
        rows = self.community.db.execute_returning_dicts(
            "SELECT status FROM deliveries WHERE key = ?", [key]
        )
        assert rows, f"no delivery {key}"
        return str(rows[0]["status"])


def open_world(
    path: Path, clock: FakeClock, platform: Recorder | None = None, **config: Any
) -> World:
    app = App.build(Config(database=path, **config), clock)
    platform = platform or Recorder(clock)
    return World(app, clock, platform, Runtime(app.community, platform), path)


class Worlds:
    """Builds worlds (each ticked once, so the planner's mark is set) and closes them after."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: list[World] = []

    async def __call__(
        self,
        start: datetime = MONDAY,
        platform: type[Recorder] = Recorder,
        db: str = "t.db",
        **config: Any,
    ) -> World:
        clock = FakeClock(start)
        built = open_world(self.folder / db, clock, platform(clock), **config)
        self.built.append(built)
        await built.runtime.tick()
        return built

    def close(self) -> None:
        for built in self.built:
            built.runtime.stop()
            built.app.close()


@pytest.fixture
async def worlds(tmp_path: Path) -> AsyncIterator[Worlds]:
    made = Worlds(tmp_path)
    yield made
    made.close()


@pytest.fixture
async def world(worlds: Worlds) -> World:
    """A fresh community on Monday 30 November 2026, 00:00 UTC, its runtime ticked once."""
    return await worlds()


def local_times(sent: list[Sent], zone: ZoneInfo = LONDON) -> list[str]:
    return [s.at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for s in sent]


def lead(text: str) -> str:
    """`starts in 1 day` -> "1 day": how far ahead a reminder said the session was."""
    found = re.search(r"starts in ([^—,]+?) —", text)
    assert found, text
    return found[1]
