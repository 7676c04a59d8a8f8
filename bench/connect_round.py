"""A CONNECT round at scale: 5,000 members who asked, 12 rounds of history behind them.

Builds a scratch database through the real stores (members, sectors, opt-ins), makes twelve
rounds on their scheduled Thursdays with the real round maker, then lets the real runtime
tick across the thirteenth round's time on a moving clock, as the scheduler would. Times:

- making the round (reading who asked, their sectors and pauses, the remembered pairs and
  every "not again", matching, writing the groups), over several rounds;
- the whole tick at the round's time: making it, planning every introduction into the ledger
  and handing each to a front end that answers at once (the fan-out bench measures sending).

    .venv/bin/python bench/connect_round.py [--quick] [--members N] [--history N] [--rounds N]

Not part of the test suite: the figures depend on the machine. The target is under 1 s.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.scheduling.connect import make_round, next_round_moment, period_of  # noqa: E402
from bot.scheduling.runtime import TICK_SECONDS, Runtime  # noqa: E402
from bot.storage.db import immediate  # noqa: E402

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECTORS = ("health", "education", "social-care", "voluntary", "police-justice", "housing", "")
TARGET_S = 1.0


def build(app: App, members: int, seed: int) -> None:
    """Members, their sectors (some undeclared) and their opt-ins, through the stores."""
    community, rng = app.community, random.Random(seed)
    with immediate(community.db):
        for i in range(members):
            member = community.members.register(
                "console", f"m{i:05d}", f"Member {i}", "Europe/London", START
            )
            sector = rng.choice(SECTORS)
            if sector:
                community.outcomes.sectors.set(member.id, sector, START)
            community.connect.join(member.id, START)
        for member_id in rng.sample(range(1, members + 1), members // 100):
            others = [rng.randrange(1, members + 1) for _ in range(2)]
            community.connect.say_not_again(member_id, others)


def history(app: App, rounds: int) -> datetime:
    """`rounds` rounds on their scheduled days; returns the moment after the last."""
    config, moment = app.community.config, START
    for _ in range(rounds):
        moment = next_round_moment(config, moment)
        make_round(app.community, period_of(config, moment), moment, moment)
    return moment


async def tick_across_the_round(app: App, after: datetime) -> tuple[float, int]:
    """Tick as production does from just before the next round to just after; the slowest
    tick."""
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    due = next_round_moment(app.community.config, after)
    front = common.Instant()
    runtime = Runtime(app.community, front)
    clock.set(due - timedelta(minutes=1))
    await runtime.tick()
    slowest = 0.0
    while clock.now() < due + timedelta(minutes=1):
        clock.set(clock.now() + timedelta(seconds=TICK_SECONDS))
        started = time.perf_counter()
        await runtime.tick()
        slowest = max(slowest, time.perf_counter() - started)
    return slowest, front.sent


def time_rounds(app: App, after: datetime, count: int) -> list[float]:
    """Make `count` more rounds by hand, each timed."""
    config, moment, took = app.community.config, after, []
    for _ in range(count):
        moment = next_round_moment(config, moment)
        started = time.perf_counter()
        made = make_round(app.community, period_of(config, moment), moment, moment)
        took.append(time.perf_counter() - started)
        if made is None:
            print("  no round was made: nobody to introduce")
    return took


def main() -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--history", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.members, args.history, args.rounds = 300, 2, 2
    common.machine("start")
    with tempfile.TemporaryDirectory() as folder:
        app = App.build(Config(database=Path(folder) / "bench.db"), FakeClock(START))
        built = time.perf_counter()
        build(app, args.members, seed=1)
        last = history(app, args.history)
        print(
            f"built {args.members:,} members and {args.history} rounds in "
            f"{time.perf_counter() - built:.1f} s"
        )
        before = common.settled_rss()
        slowest, sent = asyncio.run(tick_across_the_round(app, last))
        took = time_rounds(app, app.community.clock.now(), args.rounds)
        common.rss(before, common.settled_rss(), args.rounds + 1)
        app.close()
    print(
        f"  the slowest tick across the round's time (make it, plan and hand over {sent:,}"
        f" introductions): {slowest * 1000:.0f} ms"
    )
    ms = [t * 1000 for t in took]
    common.timing(f"making a round, {len(took)} rounds", ms)
    common.target(f"a round under {TARGET_S:.0f} s", max(took) < TARGET_S, f"max {max(ms):.0f} ms")
    common.machine("end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
