"""`/cop sessions` over the Discord gateway: copbot against discord.py's own floor.

Starts FakeDiscord on 127.0.0.1, builds the 10,000-member / 500-session / 20,000-signup
database of `bench/commands.py`, and runs a real `DiscordAdapter` client against the fake.
Sends INTERACTION_CREATE for `/cop sessions` one after another and times each from sending
it to its interaction callback reaching the fake. The floor is a bare `discord.Client` +
`CommandTree` whose `/cop sessions` answers a constant. A second floor answers with copbot's
own `/cop sessions` message (embeds and buttons) as a constant, to tell copbot's work from
the cost of carrying a bigger message. The three take turns, in rounds.

    .venv/bin/python bench/discord_latency.py [--calls 300] [--rounds 5] [--warmup 30]
        [--profile FILE]

Not part of the test suite: the figures depend on the machine. Target: copbot/floor <= 1.5
at p50 and p99.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from bench.commands import NOW, build  # noqa: E402
from bot.adapters.discord_ import DiscordAdapter  # noqa: E402
from bot.adapters.discord_.render import message_kwargs  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from bot.context import Actor  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from tests.fakes.fake_discord import FakeDiscord  # noqa: E402

TARGET_RATIO = 1.5
USERS = 30  # members typing the command in turn; the warm-up introduces every one
READY_TIMEOUT = 0.05  # see tests/fakes/README.md: on_ready otherwise waits 2 s


CALLBACK_PATH = re.compile(r"/interactions/(\d+)/[^/]+/callback")


class TimedDiscord(FakeDiscord):
    """FakeDiscord noting when each interaction callback reaches it: as the request arrives,
    before the fake reads and parses the body, which is the fake's work, not the bot's."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[int, float] = {}

    async def _rest(self, request: Any) -> Any:
        arrived = time.perf_counter()
        if (m := CALLBACK_PATH.fullmatch("/" + request.match_info["tail"])) is not None:
            self.answered_at.setdefault(int(m[1]), arrived)
        return await super()._rest(request)


class FloorClient(discord.Client):
    """discord.py with nothing of copbot's: `/cop sessions` answers a constant."""

    def __init__(self, guild_id: int, answer: Callable[[], dict[str, Any]]) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=READY_TIMEOUT)
        self.guild = discord.Object(id=guild_id)
        self.tree = app_commands.CommandTree(self)
        self.synced = asyncio.Event()
        cop = app_commands.Group(name="cop", description="Community of Practice")

        @cop.command(name="sessions", description="Upcoming sessions")
        async def sessions(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message(**answer(), ephemeral=True)

        self.tree.add_command(cop)

    async def on_ready(self) -> None:
        if not self.synced.is_set():
            self.tree.copy_global_to(guild=self.guild)
            await self.tree.sync(guild=self.guild)
            self.synced.set()


def constant() -> dict[str, Any]:
    return {"content": "Upcoming sessions"}


def same_message(adapter: DiscordAdapter) -> Callable[[], dict[str, Any]]:
    """copbot's `/cop sessions` answer, rendered once; only the buttons' view is new each time
    (discord.py keeps a view per message), built from plain `discord.ui.Button`s."""
    actor = Actor("discord", "1", "floor")
    reply = adapter._words(adapter.dispatcher.handle(actor, "sessions", {}))
    kwargs = message_kwargs(reply)
    buttons = [
        (b.label, b.custom_id, b.style)
        for b in kwargs.pop("view").children
        if isinstance(b, discord.ui.Button)
    ]

    def answer() -> dict[str, Any]:
        view = discord.ui.View(timeout=None)
        for label, custom_id, style in buttons:
            view.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))
        return {**kwargs, "view": view}

    return answer


# --- timing ----------------------------------------------------------------------------------


async def measure(dc: TimedDiscord, users: list[int], calls: int, warmup: int) -> list[float]:
    times: list[float] = []
    for n in range(warmup + calls):
        payload = dc.slash("cop", "sessions", user_id=users[n % len(users)])
        started = time.perf_counter()
        iid = await dc.send_interaction(payload)
        await dc.wait_for_callback(iid)
        if n >= warmup:
            times.append((dc.answered_at[iid] - started) * 1000)
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[98]


def report(copbot: list[float], floor: list[float], same: list[float]) -> bool:
    """The target is against the constant floor; the same-message floor is for analysis."""
    (m50, m99), (b50, b99) = percentiles(copbot), percentiles(floor)
    s50, s99 = percentiles(same)
    r50, r99 = m50 / b50, m99 / b99
    met = r50 <= TARGET_RATIO and r99 <= TARGET_RATIO
    verdict = "ok" if met else f"MISSES the {TARGET_RATIO} target"
    print(f"{'':25}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"  callback copbot         {m50:9.2f}{m99:9.2f}")
    print(f"  callback floor          {b50:9.2f}{b99:9.2f}")
    print(f"  callback copbot/floor   {r50:9.2f}{r99:9.2f}  {verdict}")
    print(f"  callback floor, same msg{s50:9.2f}{s99:9.2f}")
    print(f"  callback copbot/same msg{m50 / s50:9.2f}{m99 / s99:9.2f}")
    return met


# --- main ------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def connected(
    dc: TimedDiscord, app: App, answer: Callable[[], dict[str, Any]] | None
) -> AsyncIterator[None]:
    """A freshly connected copbot (no `answer`) or floor client, ready for interactions."""
    if answer is None:
        adapter = DiscordAdapter(app, guild_ready_timeout=READY_TIMEOUT)
        async with dc.run(adapter.client):
            await adapter.ready.wait()
            yield
    else:
        floor = FloorClient(dc.guild_id, answer)
        async with dc.run(floor):
            await floor.synced.wait()
            yield


async def run(args: argparse.Namespace, scratch: Path) -> bool:
    """Rounds of copbot, the floor and the same-message floor in turn, so that the machine
    drifting (another process, the CPU's clock) falls on all three alike."""
    async with TimedDiscord() as dc:
        users = [dc.add_user(f"member{i:02d}") for i in range(USERS)]
        config = Config(
            database=scratch / "bench.db",
            announce_channel=str(dc.channel_id),
            discord_guild_id=str(dc.guild_id),
            planning_group=PlanningGroup(discord_role=str(dc.role_id)),
            secrets=Secrets(discord_token="fake-token"),
        )
        app = App.build(config, FakeClock(NOW))
        try:
            print("Building 10,000 members, 500 sessions, 20,000 signups:")
            build(app, 10_000, 500, 20_000, args.seed)
            per_round = max(1, args.calls // args.rounds)
            print(
                f"/cop sessions over the gateway: {args.rounds} rounds of {per_round} calls "
                f"(after {args.warmup}) for each client:"
            )
            answers = {
                "copbot": None,
                "floor": constant,
                "same": same_message(DiscordAdapter(app)),
            }
            times: dict[str, list[float]] = {name: [] for name in answers}
            profiler = cProfile.Profile() if args.profile else None
            for _ in range(args.rounds):
                for name, answer in answers.items():
                    async with connected(dc, app, answer):
                        if profiler is not None and answer is None:
                            profiler.enable()
                        times[name] += await measure(dc, users, per_round, args.warmup)
                        if profiler is not None:
                            profiler.disable()
            if profiler is not None:
                profiler.dump_stats(args.profile)
        finally:
            app.close()
    return report(times["copbot"], times["floor"], times["same"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30, help="uncounted calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", help="write cProfile stats of copbot's run to this file")
    args = parser.parse_args(argv)
    # discord.py warns that voice is unavailable (no PyNaCl); nothing here uses voice.
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as scratch:
        met = asyncio.run(run(args, Path(scratch)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
