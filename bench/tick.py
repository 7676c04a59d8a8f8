"""One scheduler tick at 10,000 and at 100,000 members, on a clock that moves.

For each size it builds a community (`--sessions` sessions from a year back to a year ahead,
two signups a member, a day-ahead reminder falling due every 15 minutes of community time),
then runs the runtime's tick (the job APScheduler runs every `TICK_SECONDS`) over
`--ticks` ticks, moving the clock that much before each, as the wall clock would. Between
ticks members type a few commands (listings, a signup, a cancellation), so each tick finds
the writes a real one does. Sends go to a front end that takes them at once: this times the
planning and the ledger, not a platform (bench/fanout.py does that).

Prints p50/p99/max of the ticks, of those that sent something and of those that did not,
ticks a second, RSS before and after, and each target.

    .venv/bin/python bench/tick.py [--quick] [--members 10000 100000] [--ticks 1800]

Targets: every tick (the slowest, not a percentile) < 20 ms at 10,000 members, < 100 ms at
100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.domain.context import Actor  # noqa: E402
from bot.scheduling.runtime import TICK_SECONDS, Runtime  # noqa: E402

TARGETS_MS = {10_000: 20.0, 100_000: 100.0}
TICK = timedelta(seconds=TICK_SECONDS)
COMMANDS_PER_TICK = 5


def typed(n: int, members: int, ahead: list[int], rng: random.Random) -> tuple[Actor, str]:
    """A member's command between ticks: mostly listings, now and then a signup or cancel."""
    who = rng.randrange(members)
    actor = Actor("console", common.user_id("console", who), f"Member {who}")
    kind = n % 5
    if kind == 3:
        return actor, f"signup {rng.choice(ahead)}"
    if kind == 4:
        return actor, f"cancel {rng.choice(ahead)}"
    return actor, "mine" if kind == 2 else "sessions"


async def ticks(app: App, args: argparse.Namespace, members: int, ahead: list[int]) -> None:
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    front = common.Instant()
    runtime = Runtime(app.community, front)
    await runtime.tick()  # the planner's starting mark, as at start-up
    rng = random.Random(members)
    quiet: list[float] = []
    sending: list[float] = []
    before = common.settled_rss()
    began = time.perf_counter()
    for n in range(args.ticks):
        for c in range(COMMANDS_PER_TICK):
            app.dispatcher.handle_line(*typed(n * COMMANDS_PER_TICK + c, members, ahead, rng))
        clock.advance(TICK)
        sent_before = front.sent
        started = time.perf_counter()
        await runtime.tick()
        took = (time.perf_counter() - started) * 1000
        (sending if front.sent > sent_before else quiet).append(took)
    seconds = time.perf_counter() - began
    runtime.stop()
    common.heading(
        f"{members:,} members: {args.ticks} ticks, {TICK_SECONDS} s of community time each,"
        f" {front.sent:,} messages sent:"
    )
    every = quiet + sending
    _, p99 = common.timing("every tick", every, seconds)
    common.timing("ticks that sent something", sending)
    common.timing("ticks that sent nothing", quiet)
    common.rss(before, common.settled_rss(), args.ticks)
    slowest = max(every, default=0.0)
    limit = TARGETS_MS.get(members)
    if limit is None:
        print(f"target: none set for {members:,} members (slowest {slowest:.1f} ms)", flush=True)
        return
    common.target(
        f"every tick < {limit:g} ms at {members:,} members",
        slowest < limit,
        f"slowest {slowest:.1f} ms, p99 {p99:.1f} ms",
    )


def one_size(args: argparse.Namespace, members: int, folder: Path) -> None:
    app = App.build(Config(database=folder / f"tick{members}.db"), FakeClock(common.NOW))
    try:
        started = time.perf_counter()
        ahead = common.populate(
            app,
            platform="console",
            members=members,
            sessions=args.sessions,
            signups=2 * members,
        )
        print(
            f"built {members:,} members, {args.sessions} sessions, {2 * members:,} signups"
            f" in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with common.as_served(app):  # the collector and checkpoints as `copbot run` has them
            asyncio.run(ticks(app, args, members, ahead))
    finally:
        app.close()


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--ticks", type=int, default=1800, help="half an hour: two waves")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.sessions, args.ticks = [1_000], 60, 20
    common.machine("start")
    with tempfile.TemporaryDirectory() as folder:
        for members in args.members:
            one_size(args, members, Path(folder))
    common.machine("end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
