"""What every bench shares: the clock that moves, the production front end, and the figures.

The benches measure the program members use, so they start it the way `copbot run` does
(`front_end`, through `bot.cli`), let the real scheduler tick on a clock that moves
(`MovingClock`, `tick_every`), and print every figure in the same few shapes:

    <what>: n=…, p50 … ms, p99 … ms, max … ms, … /s
    rss: … MiB before, … MiB after (… MiB growth over … calls)
    target: <the target>: met | NOT met (<the figure>)

They print and never assert: a bench is not a test, and a missed target is a finding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.app import App  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402

# A Wednesday morning in late November: the community's busy season, not today's date.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# slack_sdk honours *_PROXY but not NO_PROXY; the fakes are on 127.0.0.1.
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The bench's command line, with `--quick` (small sizes, a few seconds) on every one."""
    first = (doc or "").strip().splitlines()[0] if doc else ""
    made = argparse.ArgumentParser(description=first)
    made.add_argument(
        "--quick", action="store_true", help="small sizes, a few seconds: checks it runs"
    )
    return made


def no_proxy() -> None:
    """The fakes listen on 127.0.0.1, which a proxy in the environment would not reach."""
    for var in PROXY_VARS:
        os.environ.pop(var, None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- time ----------------------------------------------------------------------------------


class MovingClock:
    """Community time that moves with the wall clock, `speed` times as fast, from `start`.

    The bot reads it as it would the system clock, so reminders fall due while commands run
    and every tick plans a real slice of time, as in production; `speed` compresses a day.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.start = start
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)

    def restart(self) -> None:
        """Back to `start` from this moment: building a community takes a while."""
        self._origin = time.monotonic()

    def real_moment(self, moment: datetime) -> float:
        """The `time.monotonic()` reading at which community time reaches `moment`."""
        return self._origin + (moment - self.start).total_seconds() / self.speed


def tick_every(seconds: int) -> float:
    """Make the real scheduler (APScheduler, started by the runtime) tick every `seconds`
    of wall time; returns the clock speed that keeps each tick's slice of community time
    what it is in production (`TICK_SECONDS`), so a tick does a production tick's work.
    """
    from bot.scheduling import runtime

    production = getattr(runtime, "TICK_SECONDS", None)
    if not isinstance(production, int):
        raise SystemExit("bot.scheduling.runtime.TICK_SECONDS is gone: update bench/_common.py")
    global _PRODUCTION_TICK
    _PRODUCTION_TICK = _PRODUCTION_TICK or production
    runtime.TICK_SECONDS = max(1, int(seconds))  # APScheduler wants whole seconds here
    return _PRODUCTION_TICK / runtime.TICK_SECONDS


_PRODUCTION_TICK = 0


def production_tick() -> int:
    """Seconds between the scheduler's ticks in the program users run."""
    from bot.scheduling import runtime

    return _PRODUCTION_TICK or int(runtime.TICK_SECONDS)


@dataclass
class TickLog:
    """Every scheduler tick that ran while it was installed: when, and how long it took."""

    took_ms: list[float] = field(default_factory=list)


@contextlib.contextmanager
def ticks_counted() -> Iterator[TickLog]:
    """Time each `Runtime.tick` (the scheduler's job) without changing what it does."""
    from bot.scheduling.runtime import Runtime

    log = TickLog()
    original = Runtime.tick

    async def timed(self: Runtime) -> int:
        began = time.perf_counter()
        try:
            return await original(self)
        finally:
            log.took_ms.append((time.perf_counter() - began) * 1000)

    Runtime.tick = timed  # type: ignore[method-assign]
    try:
        yield log
    finally:
        Runtime.tick = original  # type: ignore[method-assign]


# --- the program as users run it ---------------------------------------------------------


@contextlib.asynccontextmanager
async def front_end(
    app: App, platform: str, *, http: bool = False, port: int = 0
) -> AsyncIterator[asyncio.Task[None]]:
    """`copbot run` on `platform` in this loop (the adapter, its after-command hook and the
    runtime, as `bot.cli` starts them), stopped as SIGINT would stop it on leaving."""
    from bot import cli

    args = argparse.Namespace(http=http, port=port, console=False, simulated_clock=None)
    task = asyncio.create_task(cli._front_end(app, platform, args), name=f"copbot-{platform}")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def runner(app: App, adapter: Any) -> AsyncIterator[None]:
    """The runner `copbot run` uses, around a bench's own front end (a fake platform)."""
    from bot.scheduling.runtime import Runtime
    from bot.serve import serve

    runtime = Runtime(app.community, adapter)
    task = asyncio.create_task(serve(adapter, runtime), name="copbot-bench")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Instant:
    """A front end that takes every message at once and counts it: for benches that time
    the planning and the ledger, not a platform."""

    platform = "console"

    def __init__(self) -> None:
        from bot.frontend import AfterCommand, Capabilities, Pacing

        self.capabilities, self.pacing = Capabilities(), Pacing()
        self.after_command = AfterCommand()
        self.sent = 0

    async def send_to_member(self, member: Any, reply: Any) -> None:
        self.sent += 1

    async def post(self, channel: str, reply: Any, session_id: int | None = None) -> None:
        self.sent += 1


def run_bench(body: Callable[[Path], Awaitable[None]]) -> int:
    """Run a bench's `body` in a scratch folder, between two readings of the machine's load;
    libraries' warnings (the fakes grant few scopes, discord.py has no voice) stay quiet."""
    logging.basicConfig(level=logging.CRITICAL)
    no_proxy()
    machine("start")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(body(Path(folder)))
    machine("end")
    return 0


def forget(*records: Any) -> None:
    """Empty a fake's records: over 20,000 calls they would be the fake's memory growth."""
    for record in records:
        record.clear()


# --- the community ------------------------------------------------------------------------


def user_id(platform: str, i: int) -> str:
    """Member `i`'s id as their platform writes it."""
    if platform == "slack":
        return f"U{i:08d}"
    if platform == "discord":
        return str(10**17 + i)
    return f"m{i:06d}"


def populate(
    app: App,
    *,
    platform: str,
    members: int,
    sessions: int,
    signups: int,
    now: datetime = NOW,
    seed: int = 7,
) -> list[int]:
    """A busy community in one transaction, in the shape the commands write it.

    Sessions run from a year back to a year ahead, a few every day of the next weeks (so
    reminders fall due while a bench runs); signups are spread unevenly, with waitlists on
    the full ones. Returns the ids of the sessions still ahead.
    """
    rng, db, stamp = random.Random(seed), app.community.db, utc_iso(now)
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
            " VALUES (?, ?, ?, 'Europe/London', ?)",
            ((platform, user_id(platform, i), f"Member {i}", stamp) for i in range(members)),
        )
        db.conn.executemany(
            "INSERT INTO sessions (title, objective, start_utc, duration_minutes, capacity,"
            " created, updated) VALUES (?, ?, ?, 90, ?, ?, ?)",
            (_session_row(i, sessions, now, rng, stamp) for i in range(sessions)),
        )
        rows = db.execute("SELECT id, capacity FROM sessions ORDER BY id").fetchall()
        first = db.execute("SELECT min(id) FROM members").fetchone()[0]
        for (session_id, capacity), count in zip(
            rows, _spread(signups, len(rows), rng), strict=True
        ):
            chosen = rng.sample(range(first, first + members), min(count, members))
            db.conn.executemany(
                "INSERT INTO signups (session_id, member_id, status, waitlist_order, created,"
                " updated) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _signup_row(session_id, member_id, n, capacity, stamp)
                    for n, member_id in enumerate(chosen)
                ),
            )
    ahead = db.execute("SELECT id FROM sessions WHERE start_utc > ?", [stamp]).fetchall()
    return [row[0] for row in ahead]


def _session_row(
    i: int, total: int, now: datetime, rng: random.Random, stamp: str
) -> tuple[object, ...]:
    """A year back to a year ahead; every fourth starts a day and a few quarter-hours from
    now, so a day-ahead reminder falls due every 15 minutes of community time."""
    if i % 4 == 0:
        start = now + timedelta(days=1, minutes=5 + 15 * (i // 4))
    else:
        start = now + timedelta(days=i * 730 // total - 365, hours=rng.choice((1, 2, 6)))
    capacity = rng.choice((None, 20, 40, 60))
    objective = ("DEVELOP", "CONNECT", "INFLUENCE")[i % 3]
    return (f"Session {i + 1}", objective, utc_iso(start), capacity, stamp, stamp)


def _signup_row(
    session_id: int, member_id: int, n: int, capacity: int | None, stamp: str
) -> tuple[object, ...]:
    waiting = capacity is not None and n >= capacity
    status, order = ("waitlisted", n - capacity + 1) if waiting else ("confirmed", None)
    return (session_id, member_id, status, order, stamp, stamp)


def _spread(total: int, buckets: int, rng: random.Random) -> list[int]:
    """`total` split over `buckets`, unevenly (some sessions are popular), summing exactly."""
    weights = [rng.uniform(0.2, 1.8) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % buckets] += 1
    return counts


# --- figures -------------------------------------------------------------------------------


def rss_mib() -> float:
    """This process's resident memory now (not its peak), from /proc/self/status."""
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def as_served(app: Any) -> Iterator[None]:
    """What `copbot run` sets around serving, for a bench that drives the runtime or the
    dispatcher itself: the garbage collector as it sets it, and the write-ahead log
    checkpointed by a thread of its own rather than in whichever commit fills it."""
    from bot.serve import collector_for_serving
    from bot.storage.checkpoints import checkpoints_beside

    with collector_for_serving(), checkpoints_beside(app.community.db):
        yield


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection in this process while it times bots that run in processes of
    their own (it holds only the fakes and the timer), and one full collection before.

    The fakes keep a record of every request, and a collection of the oldest generation
    took ~50 ms, a middle one ~0.8 ms every ~130 calls: each landed on whichever bot's call
    was on the wire, so the timer's own pauses set the p99 of both bots. What this process
    makes meanwhile is freed by the collection after."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


def settled_rss() -> float:
    """RSS after a full collection, so garbage not yet collected does not count as growth."""
    gc.collect()
    return rss_mib()


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 (0, 0 for nothing measured)."""
    if not values:
        return 0.0, 0.0
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=100, method="inclusive")[98]


def timing(what: str, values_ms: list[float], seconds: float | None = None) -> tuple[float, float]:
    """Print one timing line; returns (p50, p99)."""
    p50, p99 = percentiles(values_ms)
    rate = f", {len(values_ms) / seconds:,.0f}/s" if seconds else ""
    top = max(values_ms) if values_ms else 0.0
    print(
        f"  {what}: n={len(values_ms):,}, p50 {p50:.2f} ms, p99 {p99:.2f} ms,"
        f" max {top:.2f} ms{rate}",
        flush=True,
    )
    return p50, p99


def rss(before: float, after: float, calls: int) -> float:
    """Print memory before and after; returns the growth in MiB."""
    growth = after - before
    print(
        f"  rss: {before:.1f} MiB before, {after:.1f} MiB after"
        f" ({growth:+.1f} MiB over {calls:,} calls)",
        flush=True,
    )
    return growth


def target(text: str, met: bool, figure: str) -> bool:
    """Print whether a target is met, with the figure that decides it."""
    print(f"target: {text}: {'met' if met else 'NOT met'} ({figure})", flush=True)
    return met


def machine(when: str) -> None:
    """How busy the machine is, and how fast it is right now: the figures mean little
    without both. A virtual machine's core can run a fixed loop a third slower at one
    moment than at another with nothing else running (seen here: 263 to 374 ms), and an
    absolute figure moves with it; a ratio to a floor measured in turns does not."""
    one, five, fifteen = os.getloadavg()
    print(
        f"machine ({when}): {os.cpu_count()} cores, load average {one:.2f} {five:.2f}"
        f" {fifteen:.2f}; a fixed loop of a million steps took {fixed_loop_ms():.0f} ms",
        flush=True,
    )


def fixed_loop_ms() -> float:
    """CPU milliseconds for the same million additions: the machine's speed at the moment."""
    started = time.process_time()
    total = 0
    for step in range(1_000_000):
        total += step * step
    return (time.process_time() - started) * 1000


def heading(text: str) -> None:
    print(f"\n{text}", flush=True)


async def open_loop(
    rate: float, until: Callable[[], bool], call: Callable[[int, float], Awaitable[None]]
) -> int:
    """Start `call(n, due)` `rate` times a second, each as its own task, whether or not the
    last has finished (members do not wait for each other); `due` is the `time.monotonic()`
    moment the n-th call was meant to arrive, so a loop held up counts against the calls it
    delayed. Returns how many were started. Calls still running 2 s after the end are
    cancelled: they were timed when answered."""
    started, origin, pending = 0, time.monotonic(), set()
    while not until():
        due = origin + started / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        task = asyncio.create_task(call(started, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
        started += 1
    if pending:  # what is still running (a hook queued behind a tick) is not waited for
        await asyncio.wait(pending, timeout=2.0)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return started


async def loop_stalls(stop: asyncio.Event, into: list[float]) -> None:
    """Ask the loop for a turn every millisecond and note how late each came (ms): the
    longest is how long a member's command could have waited on the loop."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        into.append((now - last) * 1000 - 1.0)
        last = now


# --- one bot against its floor, over the wire ---------------------------------------------

TARGET_RATIO = 1.5
TARGET_RSS_MIB = 5.0
RSS_CALLS = 20_000
USERS = 200  # members typing in turn


@dataclass
class WireRun:
    """What one bot's calls measured, over all its rounds: milliseconds to the answer (and
    any other stage, such as Slack's ack), memory growth and time taken."""

    answer: list[float] = field(default_factory=list)
    after_write: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    rss_growth: float = 0.0
    calls: int = 0
    misses: int | None = None


# Send one command as a member; returns ms to the answer and ms to any other stage.
Ask = Callable[[str, str, int], Awaitable[tuple[float, dict[str, float]]]]


def command_plan(
    platform: str, calls: int, write_every: int, ahead: list[int], seed: int
) -> list[tuple[str, str]]:
    """Who types what: `sessions` from 200 members in turn, and every `write_every`-th call a
    signup or a cancellation on a session ahead, so the listing changes under the reads."""
    rng = random.Random(seed)
    made: list[tuple[str, str]] = []
    for n in range(calls):
        user = user_id(platform, n % USERS)
        if write_every and n % write_every == write_every - 1:
            made.append((user, f"{rng.choice(('signup', 'cancel'))} {rng.choice(ahead)}"))
        else:
            made.append((user, "sessions"))
    return made


# The bot's resident memory (MiB, after a full collection) and its caches' misses so far.
Probe = Callable[[], Awaitable[tuple[float, int | None]]]


def probe_here(misses: Callable[[], int | None] = lambda: None) -> Probe:
    """A `Probe` for a bot running in this process."""

    async def probe() -> tuple[float, int | None]:
        missed = misses()
        return settled_rss(), missed

    return probe


async def measured(
    ask: Ask,
    calls: list[tuple[str, str]],
    into: WireRun,
    misses: Callable[[], int | None] = lambda: None,
    probe: Probe | None = None,
) -> None:
    """Each call in turn; `sessions` answers are timed (those right after a write apart too),
    and the memory the calls left behind (and the caches' misses) are added to `into`.
    `probe` reads a bot that runs in a process of its own; else this process is read."""
    probe = probe or probe_here(misses)
    before, missed = await probe()
    wrote, began = False, time.perf_counter()
    for n, (user, text) in enumerate(calls):
        answer, stages = await ask(user, text, n)
        if text == "sessions":
            into.answer.append(answer)
            if wrote:
                into.after_write.append(answer)
            for stage, ms in stages.items():
                into.stages.setdefault(stage, []).append(ms)
        wrote = text != "sessions"
    into.seconds += time.perf_counter() - began
    into.calls += len(calls)
    after, now_missed = await probe()
    into.rss_growth += after - before
    if missed is not None and now_missed is not None:
        into.misses = (into.misses or 0) + now_missed - missed


def cache_misses(community: Any) -> int | None:
    """Misses so far of every bounded cache the community keeps (`Community.memos`, whose
    caches count what they had to make), or None where the program counts none."""
    kept = getattr(getattr(community, "memos", None), "_kept", None)
    if not isinstance(kept, dict):
        return None
    return sum(
        int(value.misses)
        for owner in kept.values()
        for value in vars(owner).values()
        if isinstance(getattr(value, "misses", None), int)
    )


def versus_floor(
    title: str, mine: WireRun, base: WireRun, ticks: list[float], *, apart: bool = False
) -> None:
    """Print both bots' figures, the ratio, the memory and the two targets; `apart` says
    each bot ran in a process of its own (the fake platform in a third)."""
    heading(title)
    for stage, values in mine.stages.items():
        timing(f"copbot {stage}", values)
    c50, c99 = timing("copbot answer", mine.answer, mine.seconds)
    timing("copbot answer right after a write (no cache can hit)", mine.after_write)
    reads = len(mine.answer)
    if mine.misses is None:
        print(f"  cache misses: not counted by this program ({reads:,} reads)", flush=True)
    else:
        print(
            f"  cache misses: {mine.misses:,} over {mine.calls:,} calls ({reads:,} reads,"
            f" {len(mine.after_write):,} right after a write)",
            flush=True,
        )
    for stage, values in base.stages.items():
        timing(f"floor {stage}", values)
    f50, f99 = timing("floor answer", base.answer, base.seconds)
    timing("scheduler ticks while copbot answered (call to return, any wait included)", ticks)
    r50, r99 = c50 / max(f50, 1e-9), c99 / max(f99, 1e-9)
    print(f"  ratio to the floor: p50 {r50:.2f}x, p99 {r99:.2f}x", flush=True)
    where = "in a process of its own" if apart else "in the same process"
    print(
        f"  rss: copbot {mine.rss_growth:+.1f} MiB over {mine.calls:,} calls"
        f" (the floor, {where}, {base.rss_growth:+.1f} MiB)",
        flush=True,
    )
    ok = r50 <= TARGET_RATIO and r99 <= TARGET_RATIO
    target(f"answer <= {TARGET_RATIO}x the floor at p50 and p99", ok, f"{r50:.2f}x, {r99:.2f}x")
    figure = f"{mine.rss_growth:+.1f} MiB over {mine.calls:,} calls"
    if mine.calls < RSS_CALLS:
        print(
            f"target: RSS growth < {TARGET_RSS_MIB:g} MiB over {RSS_CALLS:,} calls:"
            f" not measured by a short run ({figure})",
            flush=True,
        )
    else:
        target(
            f"RSS growth < {TARGET_RSS_MIB:g} MiB over {RSS_CALLS:,} calls",
            mine.rss_growth < TARGET_RSS_MIB,
            figure,
        )


def wire_arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The Slack and Discord benches' command line (the same sizes for both)."""
    made = parser(doc)
    made.add_argument("--calls", type=int, default=RSS_CALLS, help="per bot, over all rounds")
    # Turns of 1,000 calls: a slow patch of the machine (they last seconds) falls on both.
    made.add_argument("--rounds", type=int, default=20)
    made.add_argument("--warmup", type=int, default=USERS, help="uncounted calls per round")
    made.add_argument("--tick-seconds", type=int, default=1, help="wall seconds a tick")
    made.add_argument("--write-every", type=int, default=10)
    made.add_argument("--members", type=int, default=10_000)
    made.add_argument("--sessions", type=int, default=500)
    made.add_argument("--signups", type=int, default=20_000)
    args = made.parse_args(argv)
    if args.quick:
        args.calls, args.rounds, args.warmup = 60, 1, 10
        args.members, args.sessions, args.signups = 1_000, 100, 2_000
    return args


def community_for(app: App, platform: str, args: argparse.Namespace, speed: float) -> list[int]:
    """The wire benches' community (see `populate`), said in one line; the sessions ahead."""
    ahead = populate(
        app, platform=platform, members=args.members, sessions=args.sessions, signups=args.signups
    )
    print(
        f"{args.members:,} members, {args.sessions} sessions, {args.signups:,} signups;"
        f" community clock x{speed:g}, a tick every {args.tick_seconds} s",
        flush=True,
    )
    return ahead


async def against_floor(
    platform: str,
    args: argparse.Namespace,
    ahead: list[int],
    copbot: Callable[[], contextlib.AbstractAsyncContextManager[object]],
    floor: Callable[[Any], contextlib.AbstractAsyncContextManager[object]],
    warm: Callable[[int], Awaitable[Any]],
    ask: Ask,
    community: Any,
) -> tuple[WireRun, WireRun, list[float]]:
    """copbot and its floor in turns, the same calls for both in each round, so a busy patch
    of the machine falls on both. The floor answers what copbot answered in its warm-up (the
    same message: the same work on the wire). Returns both runs and copbot's ticks."""
    mine, base = WireRun(), WireRun()
    per_round = max(1, args.calls // args.rounds)
    answer: Any = None
    with ticks_counted() as ticks:
        for number in range(args.rounds):
            calls = command_plan(platform, per_round, args.write_every, ahead, number)
            async with copbot():
                answer = await warm(args.warmup) or answer
                await measured(ask, calls, mine, lambda: cache_misses(community))
            ticked = len(ticks.took_ms)
            async with floor(answer):
                await warm(args.warmup)
                await measured(ask, calls, base)
            del ticks.took_ms[ticked:]  # the floor runs no scheduler; none should be here
    return mine, base, ticks.took_ms
