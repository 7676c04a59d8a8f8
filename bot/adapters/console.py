"""The console front end: a real platform in a terminal, and the default with no tokens.

A person types `/cop ...` lines; `/as <name>` switches who they are, so one person can play
the planning group and several members. Messages the bot sends on its own are printed with
who they are for. Piped input is read to its end, so a script can be replayed exactly.
"""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.community import Community
from bot.context import Actor, Reply
from bot.dispatch import Dispatcher, is_planner
from bot.storage.members import Member


def clean(text: str) -> str:
    """Drop control characters (escape sequences could repaint a terminal)."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


def render(reply: Reply) -> str:
    """A reply as plain text: the message, each card indented, buttons as the command to type."""
    lines = [clean(reply.text)]
    for item in reply.items:
        lines.append("  " + clean(item.title))
        lines.extend("     " + clean(line) for line in item.lines)
        lines.extend(f"     [{clean(a.label)}: /cop {a.command}]" for a in item.actions)
    lines.extend(f"  [{clean(a.label)}: /cop {a.command}]" for a in reply.actions)
    if reply.footer:
        lines.append(clean(reply.footer))
    return "\n".join(lines)


class ConsoleAdapter:
    platform = "console"

    def __init__(
        self,
        community: Community,
        dispatcher: Dispatcher,
        *,
        out: TextIO = sys.stdout,
        export_dir: Path = Path("."),
    ) -> None:
        self.community = community
        self.dispatcher = dispatcher
        self.out = out
        self.export_dir = export_dir
        self.user = community.config.planning_group.console_users[0]
        self.extra_commands: dict[str, Callable[[str], object]] = {}

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def actor(self) -> Actor:
        return Actor("console", self.user, self.user)

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        label = self.community.messages("console.delivery_to", name=clean(member.display_name))
        self.say(f"{label}\n{render(reply)}")

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
            result = self.extra_commands[word](rest.strip())
            if asyncio.iscoroutine(result):
                await result
        elif word == "/cop" or not line.startswith("/"):
            self._answer(line if word == "/cop" else f"/cop {line}")
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
        reply = self.dispatcher.handle_line(self.actor(), line)
        self.say(render(reply))
        if reply.attachment is not None:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = self.export_dir / reply.attachment.filename
            path.write_bytes(reply.attachment.content)
            self.say(self.community.messages("console.saved", path=str(path)))

    async def run(
        self, stream: TextIO = sys.stdin, after_each: Callable[[], object] | None = None
    ) -> None:
        """Read lines until end of input or /quit; echo piped lines so a transcript reads well."""
        interactive = stream.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print(f"{self.user}> ", end="", file=self.out, flush=True)
            line = await loop.run_in_executor(None, stream.readline)
            if not line:
                break
            if not interactive and line.strip():
                self.say(f"\n{self.user}> {line.strip()}")
            if not await self.handle(line):
                break
            if after_each is not None:
                result = after_each()
                if asyncio.iscoroutine(result):
                    await result
