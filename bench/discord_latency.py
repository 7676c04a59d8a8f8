"""`/cop sessions` over the Discord gateway, with the scheduler ticking, against a fair floor.

Starts FakeDiscord on 127.0.0.1 and copbot as `copbot run` starts it (the Discord adapter, its
after-command hook, the runtime and APScheduler) on a clock that moves 1 / `--tick-seconds`
times as fast as the wall clock, the scheduler ticking every second of that community time. A
busy community (10,000 members, 500 sessions, 20,000 signups, a reminder falling due every
15 community minutes) answers `/cop sessions` from 200 members in turn; every
`--write-every` call is instead a signup or a cancellation, so the listing changes under the
reads (the reads right after a write are counted and timed apart: no cache can answer them).

The floor does the same work without copbot: a bare discord.py bot (Client + CommandTree)
whose `/cop sessions` posts copbot's own answer (captured from copbot: its words, embeds
and buttons, as JSON) to the same interaction, by the same route copbot posts it, and
which after each signup or cancellation makes the private-thread changes copbot made after
the same call (as copbot's fake received them), by the same discord.py calls. copbot
and the floor take turns in rounds. Prints p50 and p99 from INTERACTION_CREATE to the
callback reaching the fake, throughput, the ratio to the floor, RSS before and after
copbot's calls, and each target.

Each bot runs in an OS process of its own for the whole run, against a fake of its own (the
fakes, which time the calls, run in this process), and the two take turns: each RSS figure
is one program's growth over its calls, and neither bot's loop carries the fake's work.
While a turn is timed this process collects no garbage (`collector_paused`): its own
pauses would otherwise fall on whichever bot's call was on the wire. The
members who type are members of the fake's server, as they would be of the real one, and
each session ahead has its private thread with its place holders in it, as copbot leaves it. The
scheduler's ticks are timed in copbot's process, split into their own work (planning, which
holds the loop) and their sending (the courier, waiting on Discord's round trips).

    .venv/bin/python bench/discord_latency.py [--quick] [--calls 20000] [--rounds 20]
        [--tick-seconds 1] [--write-every 10]

Targets: p50 and p99 <= 1.5x the floor; RSS growth < 5 MiB over 20,000 calls.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from bench import _common as common  # noqa: E402
from bot.adapters.discord_.answer import CHANNEL_MESSAGE, post_answer  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from tests.fakes.fake_discord import FakeDiscord  # noqa: E402

READY_TIMEOUT = 0.05  # see tests/fakes/README.md: on_ready otherwise waits 2 s
CALLBACK_PATH = re.compile(r"/interactions/(\d+)/[^/]+/callback")
THREAD_MEMBER = re.compile(r"/channels/(\d+)/thread-members/(\d+)")
# A change to who is in a private thread: (method, thread id, user id).
ThreadChange = tuple[str, int, int]


class TimedDiscord(FakeDiscord):
    """FakeDiscord noting when each interaction callback reaches it (as the request arrives,
    before the fake parses it: that is the fake's work, not the bot's), and keeping no record
    of old traffic (over 20,000 calls the record would be the fake's memory growth)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[int, float] = {}
        self.thread_changes: list[ThreadChange] = []  # since the bench last took them
        self.other_requests: dict[str, int] = {}  # neither a callback nor a thread change

    async def _rest(self, request: Any) -> Any:
        arrived = time.perf_counter()
        path = "/" + request.match_info["tail"]
        if (found := CALLBACK_PATH.fullmatch(path)) is not None:
            self.answered_at.setdefault(int(found[1]), arrived)
        elif (changed := THREAD_MEMBER.fullmatch(path)) is not None:
            self.thread_changes.append((request.method, int(changed[1]), int(changed[2])))
        else:
            shape = f"{request.method} {re.sub(r'[0-9]+', '<id>', path)}"
            self.other_requests[shape] = self.other_requests.get(shape, 0) + 1
        return await super()._rest(request)

    def mirror_threads(self, other: TimedDiscord) -> None:
        """Give `other` the same private threads, with the same members, under the same ids:
        the floor's fake then answers the floor's thread changes as this one does copbot's."""
        for thread_id, thread in self.threads.items():
            other.threads[thread_id] = thread
            other.thread_members[thread_id] = set(self.thread_members.get(thread_id, set()))

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
    `/cop sessions` message: words, embeds and buttons, as the JSON copbot sent).

    It posts that JSON as the interaction's callback the way copbot does (`post_answer`, on
    discord.py's own session), not through `send_message`: discord.py's send_message builds
    a View, re-encodes each embed and asks for the message back, work copbot does not do,
    which made the floor slower than copbot. The floor is the least a discord.py bot must do
    to send these bytes, so the ratio is copbot's own work: reading, deciding, drawing.

    After a signup or a cancellation it also makes the thread changes copbot made after the
    same call (`follow_ups`, one list a write, in order, taken from copbot's fake): letting
    the member into the session's private thread, or taking them out, is a request to
    Discord any bot with private session threads makes, not copbot's own work. Without it
    the floor's reads after a write would carry nothing while copbot's carry its requests."""

    def __init__(self, guild_id: int, answer: dict[str, Any]) -> None:
        self.follow_ups: collections.deque[list[ThreadChange]] = collections.deque()
        self.changing: set[asyncio.Task[None]] = set()
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

    def _command(self, name: str, answer: dict[str, Any]) -> app_commands.Command[Any, Any, Any]:
        async def reply(interaction: discord.Interaction[Any], session: int = 0) -> None:
            await post_answer(interaction, {"type": CHANNEL_MESSAGE.value, "data": answer})
            if name != "sessions" and self.follow_ups:
                task = asyncio.create_task(self._change_threads(self.follow_ups.popleft()))
                self.changing.add(task)
                task.add_done_callback(self.changing.discard)

        return app_commands.Command(name=name, description=name, callback=reply)

    async def _change_threads(self, changes: list[ThreadChange]) -> None:
        """After answering a write, what copbot asked of Discord after the same write (let
        the member into the session's private thread, or take them out), by the same
        discord.py calls, once the answer is out, as copbot's after-command hook does."""
        for method, thread_id, user_id in changes:
            with contextlib.suppress(discord.HTTPException):
                if method == "PUT":
                    await self.http.add_user_to_thread(thread_id, user_id)
                else:
                    await self.http.remove_user_from_thread(thread_id, user_id)

    async def on_ready(self) -> None:
        if not self.synced.is_set():
            self.tree.copy_global_to(guild=self.guild)
            await self.tree.sync(guild=self.guild)
            self.synced.set()


# --- the two bots, each in a process of its own ----------------------------------------------


def bench_config(database: Path, guild: int, channel: int, role: int) -> Config:
    """copbot's configuration against the fake's server."""
    return Config(
        database=database,
        announce_channel=str(channel),
        discord_guild_id=str(guild),
        planning_group=PlanningGroup(discord_role=str(role)),
        secrets=Secrets(discord_token="fake-token"),
    )


def point_at(api_base: str, gateway_url: str) -> None:
    """discord.py at the fake (what `FakeDiscord.patch_discord` does, in a bot's process)."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


_TICK_BEGAN: contextvars.ContextVar[float | None] = contextvars.ContextVar("tick", default=None)


@contextlib.contextmanager
def tick_parts() -> Iterator[dict[str, list[float]]]:
    """Each tick's time split in two: its own work up to the courier (planning: it holds the
    loop but for a yield between batches) and the courier's send (Discord's round trips, and
    any wait for the flush an answered command started). A flush after a command is not a
    tick's, and is not counted."""
    from bot.scheduling.runtime import Runtime

    parts: dict[str, list[float]] = {"planning": [], "sending": []}
    tick, send_now = Runtime.tick, Runtime.send_now

    async def timed_tick(self: Runtime) -> int:
        token = _TICK_BEGAN.set(time.perf_counter())
        try:
            return await tick(self)
        finally:
            _TICK_BEGAN.reset(token)

    async def timed_send(self: Runtime) -> int:
        began_tick = _TICK_BEGAN.get()
        if began_tick is None:
            return await send_now(self)
        began = time.perf_counter()
        parts["planning"].append((began - began_tick) * 1000)
        try:
            return await send_now(self)
        finally:
            parts["sending"].append((time.perf_counter() - began) * 1000)

    Runtime.tick, Runtime.send_now = timed_tick, timed_send  # type: ignore[method-assign]
    try:
        yield parts
    finally:
        Runtime.tick, Runtime.send_now = tick, send_now  # type: ignore[method-assign]


async def serve_parent(report: Callable[[str], dict[str, Any]]) -> None:
    """Answer the bench's questions on stdin, one JSON line each on stdout, until `stop`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        print(json.dumps(report(line)), flush=True)
        if line == "stop":
            return


def memory(misses: Callable[[], int | None] = lambda: None) -> dict[str, Any]:
    return {"rss": common.settled_rss(), "misses": misses()}


async def copbot_alone(opts: argparse.Namespace) -> None:
    """copbot as `copbot run` starts it, until the bench says stop; reports its ticks."""
    speed = common.tick_every(opts.tick_seconds)
    point_at(opts.api, opts.gateway)
    config = bench_config(Path(opts.database), opts.guild, opts.channel, opts.role)
    app = App.build(config, common.MovingClock(datetime.fromisoformat(opts.start), speed))
    try:
        with common.ticks_counted() as ticks, tick_parts() as parts:

            def report(line: str) -> dict[str, Any]:
                found = memory(lambda: common.cache_misses(app.community))
                timed = {"ticks": ticks.took_ms, **parts}
                if line == "stop":
                    return {**found, **timed}
                return {**found, "counted": {name: len(got) for name, got in timed.items()}}

            async with common.front_end(app, "discord"):
                await serve_parent(report)
    finally:
        app.close()


async def floor_alone(opts: argparse.Namespace) -> None:
    """The floor bot, answering `opts.answer`'s message, until the bench says stop."""
    point_at(opts.api, opts.gateway)
    client = FloorClient(opts.guild, json.loads(Path(opts.answer).read_text()))
    await client.login("fake-token")
    task = asyncio.create_task(client.connect(reconnect=True), name="floor")

    def report(line: str) -> dict[str, Any]:
        if line.startswith("replay "):
            client.follow_ups.extend(json.loads(Path(line.removeprefix("replay ")).read_text()))
        return memory()

    try:
        await serve_parent(report)
    finally:
        await client.close()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, 5)


def child_main(argv: list[str]) -> int:
    made = argparse.ArgumentParser(description="one bot of the bench, in its own process")
    made.add_argument("bot", choices=("copbot", "floor"))
    for name in ("api", "gateway", "database", "start", "answer"):
        made.add_argument(f"--{name}", default="")
    for name in ("guild", "channel", "role", "tick_seconds"):
        made.add_argument(f"--{name.replace('_', '-')}", type=int, default=0)
    opts = made.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    common.no_proxy()
    asyncio.run(copbot_alone(opts) if opts.bot == "copbot" else floor_alone(opts))
    return 0


class Apart:
    """A bot running in a process of its own, asked over its stdin."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.marks: list[dict[str, int]] = []  # how many of each timing at each probe

    async def ask(self, line: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        answer = await self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the bench's bot process ended ({self.process.returncode})")
        found: dict[str, Any] = json.loads(answer)
        return found

    async def probe(self) -> tuple[float, int | None]:
        found = await self.ask("probe")
        self.marks.append(found.get("counted", {}))
        return float(found["rss"]), found["misses"]

    def measured(self, report: dict[str, Any], name: str) -> list[float]:
        """The timings named `name` in `report` made while calls were measured (between a
        probe before the calls and the one after), not while the other bot had its turn."""
        values: list[float] = report.get(name, [])
        spans = zip(self.marks[::2], self.marks[1::2], strict=False)
        return [ms for before, after in spans for ms in values[before[name] : after[name]]]


@contextlib.asynccontextmanager
async def apart(
    dc: TimedDiscord, bot: str, options: list[str], into: list[dict[str, Any]]
) -> AsyncIterator[Apart]:
    """Start `bot` in its own process, wait until it has synced its commands with the fake,
    and on leaving stop it (its last report goes in `into`)."""
    dc.synced_commands.clear()
    pipe = asyncio.subprocess.PIPE
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", bot, *options, stdin=pipe, stdout=pipe
    )
    running = Apart(process)
    try:
        synced = asyncio.ensure_future(dc.wait_until(lambda: dc.synced_commands, timeout=60))
        ended = asyncio.ensure_future(process.wait())
        await asyncio.wait({synced, ended}, return_when=asyncio.FIRST_COMPLETED)
        ended.cancel()
        if not synced.done():
            synced.cancel()
            raise SystemExit(f"the bench's {bot} process ended ({process.returncode})")
        synced.result()
        yield running
        into.append(await running.ask("stop"))
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


def in_server(dc: TimedDiscord, members: int) -> None:
    """The community's members are members of the server they type in (the private threads
    copbot lets them into need it, as Discord's do)."""
    for n in range(members):
        dc.member_roles.setdefault(int(common.user_id("discord", n)), [])


async def rooms_as_left(dc: TimedDiscord, app: App, ahead: list[int]) -> int:
    """Each session ahead with its private thread, its place holders in it: the community as
    copbot leaves it (the sync after every signup lets the member in), not as if every place
    had been taken while it was away. Returns how many threads."""
    rows = app.community.db.execute(
        "SELECT s.session_id, s.member_id, m.platform_user_id FROM signups s"
        " JOIN members m ON m.id = s.member_id"
        " WHERE s.status IN ('confirmed', 'waitlisted')"
    ).fetchall()
    wanted, holders = set(ahead), {}
    for session_id, member_id, user_id in rows:
        if session_id in wanted:
            holders.setdefault(session_id, []).append((member_id, int(user_id)))
    stamp = common.utc_iso(common.NOW)
    with common.immediate(app.community.db):
        for session_id, inside in holders.items():
            thread_id = dc._snowflake()
            body = {"name": f"Session {session_id}", "invitable": False}
            await dc._make_thread(dc.channel_id, thread_id, body, 12)
            dc.thread_members[thread_id].update(user for _, user in inside)
            app.community.db.execute(
                "INSERT INTO session_rooms (room_id, session_id, created) VALUES (?, ?, ?)",
                [str(thread_id), session_id, stamp],
            )
            app.community.db.conn.executemany(
                "INSERT INTO room_members (room_id, member_id) VALUES (?, ?)",
                ((str(thread_id), member_id) for member_id, _ in inside),
            )
    return len(holders)


def asker(dc: TimedDiscord, follow_ups: list[list[ThreadChange]] | None = None) -> common.Ask:
    """Ask `dc`. With `follow_ups`: each write's list of the thread changes that reached the
    fake from its sending until the next write's (copbot makes them after answering)."""

    async def ask(user: str, text: str, n: int) -> tuple[float, dict[str, float]]:
        if follow_ups is not None:
            if follow_ups:
                follow_ups[-1].extend(dc.thread_changes)
            dc.thread_changes.clear()
            if text != "sessions":
                follow_ups.append([])
        answer, _ = await dc.ask(user, text)
        if n % 200 == 0:
            dc.forget()
        return answer, {}

    return ask


async def settled_changes(dc: TimedDiscord, follow_ups: list[list[ThreadChange]]) -> None:
    """The last write's thread changes, once copbot has made them (it makes them after
    answering, so they may still be on their way when the round's last answer arrives)."""
    await asyncio.sleep(0.2)
    if follow_ups:
        follow_ups[-1].extend(dc.thread_changes)
    dc.thread_changes.clear()


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
    database, answer_file = folder / "bench.db", folder / "answer.json"
    replay_file = folder / "follow_ups.json"
    made: list[int] = []  # thread changes copbot made after its writes, a round at a time
    floor_made: list[int] = []
    async with TimedDiscord() as dc, TimedDiscord() as other:
        clock = common.MovingClock(common.NOW, speed)
        app = App.build(bench_config(database, dc.guild_id, dc.channel_id, dc.role_id), clock)
        try:
            ahead = common.community_for(app, "discord", args, speed)
            in_server(dc, args.members)
            in_server(other, args.members)
            print(f"{await rooms_as_left(dc, app, ahead)} private session threads", flush=True)
            dc.mirror_threads(other)
        finally:
            app.close()  # copbot opens it in its own process
        mine, base, reports = common.WireRun(), common.WireRun(), []
        per_round = max(1, args.calls // args.rounds)
        options = [
            *("--api", dc.api_base, "--gateway", dc.gateway_url, "--guild", str(dc.guild_id)),
            *("--database", str(database), "--start", clock.now().isoformat()),
            *("--channel", str(dc.channel_id), "--role", str(dc.role_id)),
            *("--tick-seconds", str(args.tick_seconds)),
        ]
        async with apart(dc, "copbot", options, reports) as bot:
            answer_file.write_text(json.dumps(await warmer(dc)(args.warmup)))
            floor_options = [
                *("--api", other.api_base, "--gateway", other.gateway_url),
                *("--guild", str(other.guild_id), "--answer", str(answer_file)),
            ]
            async with apart(other, "floor", floor_options, []) as floor_bot:
                await warmer(other)(args.warmup)
                for number in range(args.rounds):
                    calls = common.command_plan(
                        "discord", per_round, args.write_every, ahead, number
                    )
                    follow_ups: list[list[ThreadChange]] = []
                    with common.collector_paused():
                        await common.measured(asker(dc, follow_ups), calls, mine, probe=bot.probe)
                    await settled_changes(dc, follow_ups)
                    replay_file.write_text(json.dumps(follow_ups))
                    await floor_bot.ask(f"replay {replay_file}")
                    made.append(sum(len(changes) for changes in follow_ups))
                    with common.collector_paused():
                        await common.measured(asker(other), calls, base, probe=floor_bot.probe)
                    await asyncio.sleep(0.2)  # the floor's last changes, as copbot's above
                    floor_made.append(len(other.thread_changes))
                    other.thread_changes.clear()
    [report] = reports
    print(
        f"  thread changes after the writes: copbot {sum(made):,}, the floor {sum(floor_made):,}"
        " (the same changes after the same calls)"
    )
    shown = ", ".join(f"{shape} x{n:,}" for shape, n in sorted(dc.other_requests.items()))
    print(f"  copbot's other requests over the whole run (start-up and ticks included): {shown}")
    title = (
        f"/cop sessions over the gateway, INTERACTION_CREATE to callback, {args.rounds} round(s):"
    )
    common.versus_floor(title, mine, base, bot.measured(report, "ticks"), apart=True)
    common.timing(
        "the ticks' own work (planning; it holds the loop)", bot.measured(report, "planning")
    )
    common.timing(
        "the ticks' sending (the courier: Discord's round trips, a flush under way)",
        bot.measured(report, "sending"),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    args = common.wire_arguments(__doc__, argv)
    return common.run_bench(lambda folder: run(args, folder))


if __name__ == "__main__":
    sys.exit(main())
