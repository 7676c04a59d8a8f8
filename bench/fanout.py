"""A 10,000-member reminder wave against a platform's round trip and rate limit, with members
typing commands at 50 a second before, during and after it.

For each round trip (20 ms and 100 ms) it builds a community of `--members` members booked
on one session and runs copbot's runner (the runtime and APScheduler, the after-command hook)
around a fake platform: each send takes the round trip, many may be in flight, and a send
that would make more than `--rate` in any one second is refused as a 429 would be (and
counted). The clock moves with the wall clock (slower, with `--tick-seconds` over 1); the
day-ahead reminder falls due a few seconds after the start. Members type `sessions`, `mine`,
`signup` and `cancel` at 50 a second throughout, each answered as its own task, as the
platforms deliver them; the latency is from arrival to answer.

Prints the wave's length (first send to last answer) against the rate-limit floor
((members - 1) / rate + one round trip), how long after the reminder fell due the first
send went (in community time, so it reads the same whatever the clock's speed), the
commands' p50/p99 before, during and after the wave, the longest the loop was held, RSS
before and after, and each target.

    .venv/bin/python bench/fanout.py [--quick] [--members 10000] [--rate 200]
        [--rtt-ms 20 100] [--commands-per-second 50] [--tick-seconds 1]

Targets: the wave <= 1.1x the floor; first send < 100 ms after it falls due; command p99
< 50 ms during and after the wave, at 50 commands/s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.domain.context import Actor, Reply  # noqa: E402
from bot.frontend import AfterCommand, Capabilities, Pacing, SendFailed  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402
from bot.storage.members import Member  # noqa: E402

TARGET_FLOOR_RATIO = 1.10
TARGET_FIRST_MS = 100.0
TARGET_COMMAND_P99_MS = 50.0
LEAD = timedelta(seconds=5)  # community time from the start to the reminder falling due
AFTER_SECONDS = 5.0  # commands keep coming this long after the wave (1 s with --quick)
# A platform's limiter is not exact to the microsecond; 1 ms of slack in a second.
SLACK_IN_WINDOW = 0.001


class RateLimitedPlatform:
    """A chat platform as the runner sees a front end: every send takes `rtt`, many may be in
    flight, and one that would make `rate + 1` in any second, or a second message to the same
    place (a member's DM, a channel) within a second, is refused as a 429 is.

    It also receives members' commands, answering each and then calling the runner's
    after-command hook, as the Slack and Discord adapters do."""

    platform = "console"

    def __init__(self, app: App, rate: int, rtt: float) -> None:
        self.dispatcher = app.dispatcher
        self.rate, self.rtt = rate, rtt
        # The pace the courier keeps: one message a second to any one place, `rate` in all.
        self.pacing = Pacing(per_target=1.0, overall=1.0 / rate)
        self.capabilities = Capabilities()
        self.after_command = AfterCommand()
        self.window: deque[float] = deque()
        self.last_to: dict[str, float] = {}
        self.started: list[float] = []  # time.monotonic() as each accepted send left
        self.finished: list[float] = []
        self.refused = 0

    async def _send(self, target: str) -> None:
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0 + SLACK_IN_WINDOW:
            self.window.popleft()
        too_soon = now - self.last_to.get(target, -1.0) < 1.0 - SLACK_IN_WINDOW
        if len(self.window) >= self.rate or too_soon:
            self.refused += 1
            await asyncio.sleep(self.rtt)
            raise SendFailed("rate limited", permanent=False, retry_after=1.0)
        self.window.append(now)
        self.last_to[target] = now
        self.started.append(now)
        await asyncio.sleep(self.rtt)
        self.finished.append(time.monotonic())

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        await self._send(f"member:{member.id}")

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        await self._send(f"channel:{channel}")

    async def start(self) -> None:
        """Nothing to connect to."""

    async def wait_closed(self) -> None:
        """A platform closes only when the bench stops it."""
        await asyncio.Event().wait()

    async def stop(self) -> None:
        """Nothing to close."""

    async def command(self, actor: Actor, line: str) -> float:
        """Answer a member's command, then start the after-command hook beside it (as the
        Discord adapter does); returns when the answer was ready (time.monotonic())."""
        self.dispatcher.handle_line(actor, line)
        answered = time.monotonic()
        self.after_command.ran()
        return answered


@dataclass
class Wave:
    """What one run measured."""

    rtt_ms: float
    members: int
    rate: int
    sent: int = 0
    refused: int = 0
    seconds: float = 0.0
    first_after_due_ms: float = 0.0
    commands: dict[str, list[float]] = field(default_factory=dict)
    stall_ms: float = 0.0
    rss: tuple[float, float] = (0.0, 0.0)


def build(app: App, members: int) -> None:
    """`members` members confirmed on a session a day and a few seconds after the start, and
    ten more sessions ahead for the commands' signups (bulk SQL, the shape the commands write)."""
    db, now = app.community.db, common.NOW
    stamp, start = utc_iso(now), now + timedelta(days=1) + LEAD
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
            " VALUES ('console', ?, ?, 'Europe/London', ?)",
            ((common.user_id("console", i), f"Member {i}", stamp) for i in range(members)),
        )
        db.conn.executemany(
            "INSERT INTO sessions (title, objective, start_utc, duration_minutes, capacity,"
            " created, updated) VALUES (?, 'CONNECT', ?, 90, ?, ?, ?)",
            [("The wave", utc_iso(start), None, stamp, stamp)]
            + [
                (f"Circle {n}", utc_iso(start + timedelta(days=n)), 20, stamp, stamp)
                for n in range(1, 11)
            ],
        )
        db.execute(
            "INSERT INTO signups (session_id, member_id, status, created, updated)"
            " SELECT 1, id, 'confirmed', ?, ? FROM members",
            [stamp, stamp],
        )


def typed(n: int, rng: random.Random) -> tuple[Actor, str]:
    """What the n-th member types: mostly reads, a signup or a cancellation every fifth."""
    who = common.user_id("console", n % common.USERS)
    actor = Actor("console", who, f"Member {n % common.USERS}")
    kind = n % 10
    if kind in (4, 9):
        return actor, f"{'signup' if kind == 4 else 'cancel'} {rng.randrange(2, 12)}"
    return actor, "mine" if kind % 3 == 0 else "sessions"


async def one_wave(args: argparse.Namespace, rtt_ms: float, folder: Path) -> Wave:
    speed = common.tick_every(args.tick_seconds)
    clock = common.MovingClock(common.NOW, speed)
    app = App.build(Config(database=folder / f"wave{rtt_ms:g}.db"), clock)
    result = Wave(rtt_ms, args.members, args.rate)
    try:
        build(app, args.members)
        platform = RateLimitedPlatform(app, args.rate, rtt_ms / 1000)
        before = common.settled_rss()
        arrivals: list[tuple[float, float]] = []  # (time.monotonic() of arrival, seconds)
        stalls: list[float] = []
        stop, rng = asyncio.Event(), random.Random(7)
        # Long enough for a courier sending one message at a time; a hung one stops here.
        patience = 60 + 2 * args.tick_seconds + args.members * max(rtt_ms / 1000, 1 / args.rate)
        limit = time.monotonic() + patience

        def finished() -> bool:
            """Once the wave is out, commands keep coming a while longer."""
            done = len(platform.finished) >= args.members
            end = platform.finished[-1] + args.after if done else limit
            return time.monotonic() > end

        async def member(n: int, meant: float) -> None:
            actor, line = typed(n, rng)
            answered = await platform.command(actor, line)
            arrivals.append((meant, answered - meant))

        clock.restart()  # the wave falls due LEAD from now, however long building took
        due = clock.real_moment(common.NOW + LEAD)
        async with common.runner(app, platform):
            stalled = asyncio.create_task(common.loop_stalls(stop, stalls))
            await common.open_loop(args.commands_per_second, finished, member)
            stop.set()
            if len(platform.finished) < args.members:
                print(f"  gave up waiting for the wave after {patience:.0f} s", flush=True)
            await stalled
        result.rss = (before, common.settled_rss())
        measure(result, platform, due, speed, arrivals, stalls)
    finally:
        app.close()
    return result


def measure(
    result: Wave,
    platform: RateLimitedPlatform,
    due: float,
    speed: float,
    arrivals: list[tuple[float, float]],
    stalls: list[float],
) -> None:
    result.sent, result.refused = len(platform.finished), platform.refused
    if not platform.started:
        return
    first, last = platform.started[0], platform.finished[-1]
    result.seconds = last - first
    result.first_after_due_ms = (first - due) * speed * 1000
    phases: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    for arrived, latency in arrivals:
        phase = "before" if arrived < first else "during" if arrived <= last else "after"
        phases[phase].append(latency * 1000)
    result.commands = phases
    result.stall_ms = max(stalls, default=0.0)


def report(wave: Wave, args: argparse.Namespace) -> None:
    # The best a wave can do: a send every 1/rate s, the last one answered a round trip later.
    floor = (wave.members - 1) / wave.rate + wave.rtt_ms / 1000
    common.heading(
        f"{wave.members:,}-member reminder wave, {wave.rtt_ms:g} ms round trip,"
        f" {wave.rate}/s limit, commands at {args.commands_per_second:g}/s:"
    )
    ratio = wave.seconds / floor if wave.seconds else float("inf")
    print(
        f"  wave: {wave.sent:,} sends for {wave.members:,} members in {wave.seconds:.2f} s, a"
        f" {floor:.2f} s floor ({ratio:.3f}x); {wave.refused} refused by the rate limit",
        flush=True,
    )
    print(
        f"  first send: {wave.first_after_due_ms:,.0f} ms of community time after it fell due"
        f" (a tick every {common.production_tick()} s of it)",
        flush=True,
    )
    for phase, values in wave.commands.items():
        common.timing(f"commands {phase} the wave", values)
    print(f"  longest the loop was held: {wave.stall_ms:.1f} ms", flush=True)
    common.rss(*wave.rss, len(wave.commands.get("during", [])) + wave.members)
    common.target(
        f"wave <= {TARGET_FLOOR_RATIO}x the rate-limit floor",
        wave.sent >= wave.members and ratio <= TARGET_FLOOR_RATIO,
        f"{ratio:.3f}x, {wave.sent:,} sent",
    )
    common.target(
        f"first send < {TARGET_FIRST_MS:g} ms after it falls due",
        0 <= wave.first_after_due_ms < TARGET_FIRST_MS,
        f"{wave.first_after_due_ms:,.0f} ms",
    )
    for phase in ("during", "after"):
        _, p99 = common.percentiles(wave.commands.get(phase, []))
        common.target(
            f"command p99 < {TARGET_COMMAND_P99_MS:g} ms {phase} the wave",
            bool(wave.commands.get(phase)) and p99 < TARGET_COMMAND_P99_MS,
            f"p99 {p99:.1f} ms",
        )


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=200, help="the platform's sends a second")
    parser.add_argument("--rtt-ms", type=float, nargs="+", default=[20.0, 100.0])
    parser.add_argument("--commands-per-second", type=float, default=50.0)
    parser.add_argument(
        "--tick-seconds", type=int, default=1, help="wall seconds per production tick"
    )
    parser.add_argument("--after", type=float, default=AFTER_SECONDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.tick_seconds, args.after = 30, 1, 1.0
    return common.run_bench(lambda folder: waves(args, folder))


async def waves(args: argparse.Namespace, folder: Path) -> None:
    for rtt in args.rtt_ms:
        report(await one_wave(args, rtt, folder), args)


if __name__ == "__main__":
    sys.exit(main())
