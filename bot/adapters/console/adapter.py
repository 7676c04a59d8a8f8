"""The console front end: a real platform in a terminal, and the default with no tokens.

A person types `/cop ...` lines; `/as <name>` switches who they are, so one person can play
the planning group and several members. Messages the bot sends on its own are printed with
who they are for. Piped input is read to its end, so a script can be replayed exactly.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters.console.exports import ExportFolder
from bot.adapters.console.text import clean, next_line, render
from bot.adapters.parts import Parts
from bot.dispatch.dispatcher import is_planner
from bot.domain.context import Actor, Reply
from bot.domain.when import format_local
from bot.frontend import AfterCommand, Capabilities, FrontEnd, Pacing, Reached
from bot.storage.deliveries import Delivery
from bot.storage.members import Member

# Quiet hours hold a notice over a weekend at most; look a little further to be sure.
HELD_LOOKAHEAD = timedelta(days=8)
# A console command of its own beyond /cop, /as and /quit (a rehearsal's /clock): given the
# rest of the line.
ExtraCommand = Callable[[str], Awaitable[None]]


class ConsoleAdapter(FrontEnd):
    """The front end in a terminal: it reads lines from `stream` until they end or the
    person types /quit, and prints answers and the bot's own messages to `out`."""

    platform = "console"
    capabilities = Capabilities(shares_conversations=True)
    pacing = Pacing()

    def __init__(
        self,
        parts: Parts,
        *,
        stream: TextIO = sys.stdin,
        out: TextIO = sys.stdout,
        exports: ExportFolder | None = None,
    ) -> None:
        self.community = parts.community
        self.dispatcher = parts.dispatcher
        self.stream = stream
        self.out = out
        self.exports = exports or ExportFolder(Path("exports"))
        self.user = parts.config.planning_group.console_users[0]
        self.extra_commands: dict[str, ExtraCommand] = {}
        self.after_command = AfterCommand()

    async def start(self) -> None:
        """Nothing to connect: the lines are read once the calendar has started."""

    async def wait_closed(self) -> None:
        """Read lines until the input ends or the person leaves."""
        await self.run(self.stream)

    async def stop(self) -> None:
        await self.after_command.close()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def actor(self) -> Actor:
        return Actor("console", self.user, self.user)

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        label = self.community.messages("console.delivery_to", name=clean(member.display_name))
        self.say(f"{label}\n{render(reply)}")

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None:
        """One message that everyone named reads together, as in a group conversation."""
        names = ", ".join(clean(m.display_name) for m in members)
        label = self.community.messages("console.delivery_together", names=names)
        self.say(f"{label}\n{render(reply)}")
        report(members, None, "")

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        label = self.community.messages("console.delivery_channel", channel=channel)
        self.say(f"{label}\n{render(reply)}")

    async def handle(self, line: str) -> bool:
        """Act on one line; False when the person asked to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        if word in ("/quit", "/exit"):
            return False
        if word == "/as":
            self._switch(rest.strip())
        elif word in self.extra_commands:
            await self.extra_commands[word](rest.strip())
        elif word in ("/cop", "/cop-plan") or not line.startswith("/"):  # Discord's words too
            self._answer(line if word in ("/cop", "/cop-plan") else f"/cop {line}")
        else:
            self.say(self.community.messages("console.not_command"))
        return True

    def _switch(self, name: str) -> None:
        name = clean(" ".join(name.split()))[:60]
        if not name:
            self.say(self.community.messages("console.not_command"))
            return
        self.user = name
        planner = is_planner(self.actor(), self.community)
        role = self.community.messages("console.role_planner" if planner else "console.role_member")
        self.say(self.community.messages("console.switched", name=name, role=role))

    def _answer(self, line: str) -> None:
        waiting = {d.key for d in self._held()}
        reply = self.dispatcher.handle_line(self.actor(), line)
        self.say(render(reply))
        self._say_held(waiting)
        if reply.attachment is not None:
            member = self.community.register(self.actor())
            path = self.exports.save(member, reply.attachment)
            self.say(self.community.messages("console.saved", path=str(path)))

    def _held(self) -> list[Delivery]:
        now = self.community.clock.now()
        return self.community.deliveries.held(now, now + HELD_LOOKAHEAD)

    def _say_held(self, known: set[str]) -> None:
        """Say when a notice the command just wrote will go, if quiet hours hold it back:
        otherwise a planner rehearsing a change sees nothing and thinks nobody was told."""
        community = self.community
        for delivery in self._held():
            if delivery.key in known or delivery.member_id is None:
                continue
            member = community.members.get(delivery.member_id)
            self.say(
                community.messages(
                    "console.held",
                    kind=community.messages(f"kind.{delivery.kind}"),
                    name=clean(member.display_name) if member else "-",
                    when=format_local(delivery.due, community.zone),
                )
            )

    async def run(self, stream: TextIO) -> None:
        """Read lines until end of input or /quit; echo piped lines so a transcript reads
        well. After each, what the line queued is sent before the next prompt."""
        interactive = stream.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print(f"{self.user}> ", end="", file=self.out, flush=True)
            line = await next_line(loop, stream)
            if line is None:
                self.say(self.community.messages("console.not_utf8"))
                continue
            if not line:
                break
            if not interactive and line.strip():
                self.say(f"\n{self.user}> {line.strip()}")
            if not await self.handle(line):
                break
            self.after_command.ran()
            await self.after_command.settled()
