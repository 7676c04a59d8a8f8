"""The console front end: a real platform in a terminal, and the default with no tokens.

A person types `/cop ...` lines; `/as <name>` switches who they are, so one person can play
the planning group and several members. Messages the bot sends on its own are printed with
who they are for. Piped input is read to its end, so a script can be replayed exactly.
"""

from __future__ import annotations

import asyncio
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.adapters.base import Reached
from bot.community import Community
from bot.context import Actor, Attachment, Reply
from bot.dispatch import Dispatcher, is_planner
from bot.domain.when import format_local
from bot.storage.deliveries import Delivery
from bot.storage.members import Member

# Quiet hours hold a notice over a weekend at most; look a little further to be sure.
HELD_LOOKAHEAD = timedelta(days=8)


def clean(text: str) -> str:
    """Drop control characters (escape sequences could repaint a terminal)."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


def render(reply: Reply) -> str:
    """A reply as plain text: the message, each card indented, buttons as the command to type."""
    lines = [clean(reply.text)]
    for item in reply.cards:
        lines.append("  " + clean(item.title))
        lines.extend("     " + clean(line) for line in item.lines)
        lines.extend(f"     [{clean(a.label)}: /cop {a.command}]" for a in item.actions)
    lines.extend(f"  [{clean(a.label)}: /cop {a.command}]" for a in reply.actions)
    if reply.footer:
        lines.append(clean(reply.footer))
    return "\n".join(lines)


def read_line(stream: TextIO) -> str | None:
    """The next line ('' at the end), or None when its bytes are not UTF-8.

    A terminal set to another encoding, or a file saved in one, would otherwise end the
    console with a decoding traceback; reading bytes and decoding here lets it say so kindly
    and carry on with the next line.
    """
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream.readline()
    data = raw.readline()
    try:
        return str(data.decode("utf-8-sig"))  # a file saved by Notepad may begin with a BOM
    except UnicodeDecodeError:
        return None


class ExportFolder:
    """Files the console saved for each member (their data, a calendar, a list), by member.

    Each member's files live in their own folder, named by member number first, so erasing a
    member can remove exactly their files: it is a privacy store like any other.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, member: Member, attachment: Attachment) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", member.display_name).strip("-")[:40]
        folder = self.root / f"{member.id}-{safe or 'member'}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(attachment.filename).name
        path.write_bytes(attachment.content)
        return path

    def _files(self, member_id: int) -> list[Path]:
        if not self.root.is_dir():
            return []
        folders = [f for f in self.root.glob(f"{member_id}-*") if f.is_dir()]
        return sorted(path for folder in folders for path in folder.iterdir() if path.is_file())

    def export(self, member_id: int) -> dict[str, Any]:
        return {"saved_files": [str(path) for path in self._files(member_id)]}

    def delete(self, member_id: int) -> int:
        files = self._files(member_id)
        for path in files:
            path.unlink(missing_ok=True)
        for folder in {path.parent for path in files}:
            if not any(folder.iterdir()):
                folder.rmdir()
        return len(files)


class ConsoleAdapter:
    """The terminal front end: anyone can try the bot, and a rehearsal can run, with no chat
    service at all; it prints what the other front ends would send."""

    platform = "console"

    def __init__(
        self,
        community: Community,
        dispatcher: Dispatcher,
        *,
        out: TextIO = sys.stdout,
        exports: ExportFolder | None = None,
    ) -> None:
        self.community = community
        self.dispatcher = dispatcher
        self.out = out
        self.exports = exports or ExportFolder(Path("exports"))
        self.user = community.config.planning_group.console_users[0]
        self.extra_commands: dict[str, Callable[[str], object]] = {}

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
            result = self.extra_commands[word](rest.strip())
            if asyncio.iscoroutine(result):
                await result
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

    async def run(
        self, stream: TextIO = sys.stdin, after_each: Callable[[], object] | None = None
    ) -> None:
        """Read lines until end of input or /quit; echo piped lines so a transcript reads well."""
        interactive = stream.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print(f"{self.user}> ", end="", file=self.out, flush=True)
            line = await loop.run_in_executor(None, read_line, stream)
            if line is None:
                self.say(self.community.messages("console.not_utf8"))
                continue
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
