"""`/cop sessions` over the Discord gateway, with the scheduler ticking, against a fair floor.

Starts FakeDiscord on 127.0.0.1 and copbot as `copbot run` starts it (the Discord adapter, its
after-command hook, the runtime and APScheduler) on a clock that moves 1 / `--tick-seconds`
times as fast as the wall clock, the scheduler ticking every second of that community time. A
busy community (10,000 members, 500 sessions, 20,000 signups, a reminder falling due every
15 community minutes) answers `/cop sessions` from 200 members in turn; every
`--write-every` call is instead a signup or a cancellation, so the listing changes under the
reads (the reads right after a write are counted and timed apart: no cache can answer them).

The floor does the same work without copbot: a bare discord.py bot (Client + CommandTree)
whose `/cop sessions` answers copbot's own answer (captured from copbot: its words, embeds
and buttons) to the same interaction. copbot and the floor take turns in rounds. Prints p50
and p99 from INTERACTION_CREATE to the callback reaching the fake, throughput, the ratio to
the floor, RSS before and after copbot's calls, and each target.

    .venv/bin/python bench/discord_latency.py [--quick] [--calls 20000] [--rounds 4]
        [--tick-seconds 1] [--write-every 10]

Targets: p50 and p99 <= 1.5x the floor; RSS growth < 5 MiB over 20,000 calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from tests.fakes.fake_discord import FakeDiscord  # noqa: E402

READY_TIMEOUT = 0.05  # see tests/fakes/README.md: on_ready otherwise waits 2 s
CALLBACK_PATH = re.compile(r"/interactions/(\d+)/[^/]+/callback")


class TimedDiscord(FakeDiscord):
    """FakeDiscord noting when each interaction callback reaches it (as the request arrives,
    before the fake parses it: that is the fake's work, not the bot's), and keeping no record
    of old traffic (over 20,000 calls the record would be the fake's memory growth)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[int, float] = {}

    async def _rest(self, request: Any) -> Any:
        arrived = time.perf_counter()
        if (found := CALLBACK_PATH.fullmatch("/" + request.match_info["tail"])) is not None:
            self.answered_at.setdefault(int(found[1]), arrived)
        return await super()._rest(request)

    def forget(self) -> None:
        common.forget(self.requests, self.callbacks, self.messages, self.followups)
        common.forget(self.gateway_received, self._interactions, self._acked, self.answered_at)
        common.forget(self._originals, self._stored_messages)
        common.forget(*(session.log for session in self._sessions.values()))

    async def ask(self, user: str, text: str) -> tuple[float, Any]:
        """`/cop text` as `user`; ms to the callback, and the callback's message."""
        word, _, rest = text.partition(" ")
        options = {"session": int(rest)} if rest else None
        payload = self.slash("cop", word, options, user_id=int(user))
        started = time.perf_counter()
        iid = await self.send_interaction(payload, timeout=30)
        callback = await self.wait_for_callback(iid, timeout=30)
        return (self.answered_at.pop(iid, started) - started) * 1000, callback.data


class FloorClient(discord.Client):
    """discord.py with nothing of copbot's: `/cop <anything>` answers `answer` (copbot's own
    `/cop sessions` message: words, embeds and buttons)."""

    def __init__(self, guild_id: int, answer: dict[str, Any]) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=READY_TIMEOUT)
        self.guild = discord.Object(id=guild_id)
        self.tree = app_commands.CommandTree(self)
        self.synced = asyncio.Event()
        cop = app_commands.Group(name="cop", description="Community of Practice")
        for name in ("sessions", "signup", "cancel"):
            cop.add_command(self._command(name, answer))
        self.tree.add_command(cop)

    @staticmethod
    def _command(name: str, answer: dict[str, Any]) -> app_commands.Command[Any, Any, Any]:
        async def reply(interaction: discord.Interaction[Any], session: int = 0) -> None:
            await interaction.response.send_message(**rebuilt(answer), ephemeral=True)

        return app_commands.Command(name=name, description=name, callback=reply)

    async def on_ready(self) -> None:
        if not self.synced.is_set():
            self.tree.copy_global_to(guild=self.guild)
            await self.tree.sync(guild=self.guild)
            self.synced.set()


def rebuilt(answer: dict[str, Any]) -> dict[str, Any]:
    """send_message keywords for a message as it crossed the wire (a new view each time, as
    discord.py keeps one per message)."""
    view = discord.ui.View(timeout=None)
    for row, line in enumerate(answer.get("components") or []):
        for part in line.get("components", []):
            if part.get("type") == 2 and part.get("custom_id"):
                style = discord.ButtonStyle(part.get("style", 2))
                view.add_item(
                    discord.ui.Button(
                        label=part.get("label"), custom_id=part["custom_id"], style=style, row=row
                    )
                )
    embeds = [discord.Embed.from_dict(e) for e in answer.get("embeds") or []]
    return {"content": answer.get("content"), "embeds": embeds, "view": view}


# --- the two bots ----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def copbot(app: App, dc: TimedDiscord) -> AsyncIterator[None]:
    dc.synced_commands.clear()
    with dc.patch_discord():
        async with common.front_end(app, "discord"):
            await dc.wait_until(lambda: dc.synced_commands, timeout=30)
            yield


@contextlib.asynccontextmanager
async def floor(dc: TimedDiscord, answer: dict[str, Any]) -> AsyncIterator[None]:
    client = FloorClient(dc.guild_id, answer)
    async with dc.run(client, timeout=30):
        await client.synced.wait()
        yield


def asker(dc: TimedDiscord) -> common.Ask:
    async def ask(user: str, text: str, n: int) -> tuple[float, dict[str, float]]:
        answer, _ = await dc.ask(user, text)
        if n % 200 == 0:
            dc.forget()
        return answer, {}

    return ask


def warmer(dc: TimedDiscord) -> Callable[[int], Awaitable[Any]]:
    async def warm(count: int) -> Any:
        """Uncounted calls (each member introduced once); the last `sessions` message."""
        body: Any = None
        for n in range(count):
            _, body = await dc.ask(common.user_id("discord", n % common.USERS), "sessions")
        dc.forget()
        return body

    return warm


# --- main ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, folder: Path) -> None:
    speed = common.tick_every(args.tick_seconds)
    async with TimedDiscord() as dc:
        config = Config(
            database=folder / "bench.db",
            announce_channel=str(dc.channel_id),
            discord_guild_id=str(dc.guild_id),
            planning_group=PlanningGroup(discord_role=str(dc.role_id)),
            secrets=Secrets(discord_token="fake-token"),
        )
        app = App.build(config, common.MovingClock(common.NOW, speed))
        try:
            ahead = common.community_for(app, "discord", args, speed)
            mine, base, ticks = await common.against_floor(
                "discord",
                args,
                ahead,
                lambda: copbot(app, dc),
                lambda answer: floor(dc, answer),
                warmer(dc),
                asker(dc),
                app.community,
            )
        finally:
            app.close()
    title = (
        f"/cop sessions over the gateway, INTERACTION_CREATE to callback, {args.rounds} round(s):"
    )
    common.versus_floor(title, mine, base, ticks)


def main(argv: list[str] | None = None) -> int:
    args = common.wire_arguments(__doc__, argv)
    return common.run_bench(lambda folder: run(args, folder))


if __name__ == "__main__":
    sys.exit(main())
