"""Command latency at a realistic scale, and signup contention.

Builds a scratch database of 10,000 members, 500 sessions (a year of history and a year
ahead) and 20,000 signups, then times `sessions`, `signup`, `cancel` and `mine` through the
dispatcher (p50 and p99 over a few hundred calls each). Then presses "Sign up" 1,000 times at
once on a 40-place session, and times `signup` and `cancel` again on that long waitlist.

    .venv/bin/python bench/commands.py [--members N] [--sessions N] [--signups N] [--calls N]

Not part of the test suite: the figures depend on the machine. The target is p99 < 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.context import Actor  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TARGET_P99_MS = 10.0
PLANNER = Actor("console", "organiser", "organiser")


def member(i: int) -> Actor:
    return Actor("console", f"m{i:05d}", f"Member {i}")


def progress(text: str) -> None:
    """One line rewritten in place on a terminal; plain lines in a log."""
    if sys.stdout.isatty():
        print(f"\r  {text:<60}", end="", flush=True)
    else:
        print(f"  {text}", flush=True)


# --- building the database -------------------------------------------------------------------


def build(app: App, members: int, sessions: int, signups: int, seed: int) -> None:
    """Bulk rows in one transaction: the same shape the commands write, far faster."""
    rng = random.Random(seed)
    db, stamp = app.community.db, utc_iso(NOW)
    started = time.perf_counter()
    with immediate(db):
        progress(f"writing {members:,} members")
        db.conn.executemany(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
            " VALUES ('console', ?, ?, 'Europe/London', ?)",
            ((a.user_id, a.display_name, stamp) for a in map(member, range(members))),
        )
        progress(f"writing {sessions:,} sessions")
        db.conn.executemany(
            "INSERT INTO sessions (title, objective, start_utc, duration_minutes, capacity,"
            " created, updated) VALUES (?, ?, ?, 90, ?, ?, ?)",
            (_session_row(i, rng, stamp) for i in range(sessions)),
        )
        _bulk_signups(app, members, sessions, signups, rng, stamp)
    progress(f"built in {time.perf_counter() - started:.1f}s")
    if sys.stdout.isatty():
        print()


def _session_row(i: int, rng: random.Random, stamp: str) -> tuple[object, ...]:
    start = NOW + timedelta(days=i * 730 // 500 - 365, hours=rng.choice((1, 2, 6)))
    capacity = rng.choice((None, 20, 40, 60))
    objective = ("DEVELOP", "CONNECT", "INFLUENCE")[i % 3]
    return (f"Session {i + 1}", objective, utc_iso(start), capacity, stamp, stamp)


def _bulk_signups(
    app: App, members: int, sessions: int, signups: int, rng: random.Random, stamp: str
) -> None:
    db = app.community.db
    capacities = dict(db.execute("SELECT id, capacity FROM sessions").fetchall())
    per_session = _spread(signups, sessions, rng)
    written = 0
    for session_id, count in zip(sorted(capacities), per_session, strict=True):
        chosen = rng.sample(range(1, members + 1), count)
        rows = []
        for n, member_id in enumerate(chosen):
            capacity = capacities[session_id]
            waiting = capacity is not None and n >= capacity
            status, order = ("waitlisted", n - capacity + 1) if waiting else ("confirmed", None)
            rows.append((session_id, member_id, status, order, stamp, stamp))
        db.conn.executemany(
            "INSERT INTO signups (session_id, member_id, status, waitlist_order, created,"
            " updated) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        written += count
        if session_id % 100 == 0:
            progress(f"signups {written}/{signups}")


def _spread(total: int, buckets: int, rng: random.Random) -> list[int]:
    """`total` split over `buckets`, unevenly (some sessions are popular), summing exactly."""
    weights = [rng.uniform(0.2, 1.8) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % buckets] += 1
    return counts


# --- latency ---------------------------------------------------------------------------------


def timed(app: App, calls: list[tuple[Actor, str]]) -> tuple[list[float], int]:
    """Milliseconds per call, and how many calls were answered with an error."""
    handle = app.dispatcher.handle_line
    times, errors = [], 0
    for actor, line in calls:
        started = time.perf_counter()
        reply = handle(actor, line)
        times.append((time.perf_counter() - started) * 1000)
        errors += bool(reply.error)
    return times, errors


def report(name: str, times: list[float], errors: int) -> bool:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    p50, p99 = statistics.median(times), cuts[98]
    met = p99 < TARGET_P99_MS
    verdict = "ok" if met else f"MISSES the {TARGET_P99_MS:.0f} ms target"
    print(
        f"  {name:<9} n={len(times):<4} p50={p50:6.2f} ms  p99={p99:6.2f} ms"
        f"  max={max(times):6.2f} ms  errors={errors}  {verdict}"
    )
    return met


def latency(app: App, members: int, calls: int, rng: random.Random) -> bool:
    db = app.community.db
    open_ids = [
        r[0] for r in db.execute("SELECT id FROM sessions WHERE start_utc > ?", [utc_iso(NOW)])
    ]
    people = rng.sample(range(members), calls)
    fresh = [(member(i), rng.choice(open_ids)) for i in people]
    fresh = [(a, s) for a, s in fresh if not _signed_up(app, a, s)]
    plans: list[tuple[str, list[tuple[Actor, str]]]] = [
        ("sessions", [(member(rng.randrange(members)), "sessions") for _ in range(calls)]),
        ("mine", [(member(rng.randrange(members)), "mine") for _ in range(calls)]),
        ("signup", [(a, f"signup {s}") for a, s in fresh]),
        ("cancel", [(a, f"cancel {s}") for a, s in fresh]),
    ]
    timed(app, [(member(i), line) for i in range(20) for line in ("sessions", "mine")])  # warm-up
    print(f"Handler latency through dispatcher.handle_line ({calls} calls each):")
    results = [report(name, *timed(app, plan)) for name, plan in plans]
    return all(results)


def _signed_up(app: App, actor: Actor, session_id: int) -> bool:
    found = app.community.db.execute(
        "SELECT 1 FROM signups s JOIN members m ON m.id = s.member_id"
        " WHERE m.platform_user_id = ? AND s.session_id = ?",
        [actor.user_id, session_id],
    ).fetchone()
    return found is not None


# --- contention ------------------------------------------------------------------------------


async def contention(app: App, presses: int, capacity: int) -> bool:
    reply = app.dispatcher.handle_line(
        PLANNER, f'schedule "Contended circle" 2026-12-10 14:00 capacity={capacity}'
    )
    session = int(reply.items[0].key.removeprefix("session:"))
    handle = app.dispatcher.handle_line

    async def press(i: int) -> str:
        await asyncio.sleep(0)
        return handle(Actor("console", f"rush{i}", f"Rush {i}"), f"signup {session}").error

    started = time.perf_counter()
    errors = await asyncio.gather(*(press(i) for i in range(presses)))
    elapsed = time.perf_counter() - started
    counts = dict(
        app.community.db.execute(
            "SELECT status, count(*) FROM signups WHERE session_id = ? GROUP BY status",
            [session],
        ).fetchall()
    )
    exact = counts.get("confirmed") == capacity and counts.get("waitlisted") == presses - capacity
    print(f"Signup contention: {presses} concurrent signups on a {capacity}-place session:")
    print(
        f"  {presses / elapsed:,.0f} signups/s ({elapsed:.2f}s); confirmed="
        f"{counts.get('confirmed', 0)} waitlisted={counts.get('waitlisted', 0)}"
        f" errors={sum(bool(e) for e in errors)}  {'exact' if exact else 'WRONG'}"
    )
    return exact and long_waitlist(app, session, presses)


def long_waitlist(app: App, session: int, presses: int) -> bool:
    """Joining and leaving must stay cheap however many are already waiting."""
    joiners = [Actor("console", f"late{i}", f"Late {i}") for i in range(200)]
    leavers = [Actor("console", f"rush{i}", f"Rush {i}") for i in range(0, presses, 5)]
    print(f"  then on that session ({presses - 40} waiting):")
    joined = report("signup", *timed(app, [(a, f"signup {session}") for a in joiners]))
    left = report("cancel", *timed(app, [(a, f"cancel {session}") for a in leavers]))
    return joined and left


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--signups", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        app = App.build(Config(database=Path(scratch) / "bench.db"), FakeClock(NOW))
        try:
            return _run(app, args)
        finally:
            app.close()


def _run(app: App, args: argparse.Namespace) -> int:
    print(
        f"Building {args.members:,} members, {args.sessions:,} sessions, {args.signups:,} signups:"
    )
    build(app, args.members, args.sessions, args.signups, args.seed)
    checks: list[Callable[[], bool]] = [
        lambda: latency(app, args.members, args.calls, random.Random(args.seed)),
        lambda: asyncio.run(contention(app, 1000, 40)),
    ]
    results = [check() for check in checks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
