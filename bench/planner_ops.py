"""The three big one-off commands: `upcoming-posts`, `forget-me` and `cancel-session
scope=rest`, on a community the size the targets name.

Builds one scratch database in a few set-based statements: `--members` members (100,000)
with the choices real members make (a third take the weekly prompt by direct message, some
the pick, some turned reminders off, a few without quiet hours, several time zones), a
calendar from a year back to a year ahead with two places a member, and a delivery ledger of
`--ledger` rows (1,250,000) spread over `--ledger-members` members (20,000) and the 180 days
the ledger keeps by default: reminders, prompts, picks, follow-ups and notices, mostly sent,
some failed, skipped or missed, a few still waiting out quiet hours. Then it runs each
command through the dispatcher, as a planner or member types it on `copbot run`, while the
runtime's tick (the job APScheduler runs) moves the clock on between runs, as it would:

- `upcoming-posts` as a planner, `--runs` times;
- `forget-me confirm=yes` as a member who has a share of the ledger, places ahead (some
  full, so someone is promoted), attendance, reflections and a calendar link: each run
  erases a different member, so every run meets data nobody has touched. The answer time
  includes the checkpoint that leaves the erased bytes nowhere but overwritten pages;
- `cancel-session <first> scope=rest confirm=yes` on a weekly series made afresh for each
  run (untimed) whose remaining `--series-sessions` sessions hold `--holders` (12,500)
  places; the run checks every holder got exactly one notice in the ledger.

Prints p50/p99/max for each, RSS before and after, the machine's load, and each target.

    .venv/bin/python bench/planner_ops.py [--quick] [--members N] [--ledger N] [--runs N]

Targets: `upcoming-posts` < 50 ms at 100,000 members; forget-me < 20 ms with a 1,250,000-row
ledger; `cancel-session scope=rest` with 12,500 holders < 300 ms (each at p50 and p99).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.domain.context import Actor, Reply  # noqa: E402
from bot.scheduling.runtime import TICK_SECONDS, Runtime  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402

PLANNER = Actor("console", "organiser", "organiser")
TICK = timedelta(seconds=TICK_SECONDS)
TARGETS_MS = {"upcoming-posts": 50.0, "forget-me": 20.0, "cancel-session scope=rest": 300.0}
ZONES = ("Europe/London",) * 8 + ("Europe/Dublin", "Europe/Paris")
# What members chose, as JSON on their row, by `id % len(CHOICES)`: most keep the defaults.
CHOICES = (
    "{}",
    '{"prompts": true}',
    '{"prompts": true, "picks": true}',
    "{}",
    '{"reminders": false}',
    '{"prompts": true, "quiet_hours": false}',
    '{"welcomed": true}',
    '{"picks": true}',
    '{"prompts": true, "via": "dm"}',
    "{}",
)
# The ledger's kinds and how often each comes, and what became of them.
KINDS = ("reminder",) * 6 + ("prompt-dm",) * 3 + ("pick-dm", "followup", "changed", "promoted")
STATUSES = ("sent",) * 90 + ("late",) * 4 + ("failed",) * 2 + ("skipped", "missed")


def build(app: App, args: argparse.Namespace) -> list[int]:
    """The community, its choices, its ledger and what a member leaves behind; returns the
    ids of the members the forget-me runs erase (each has a share of the ledger)."""
    db = app.community.db
    common.populate(
        app,
        platform="console",
        members=args.members,
        sessions=args.sessions,
        signups=2 * args.members,
    )
    with immediate(db):
        db.execute(
            "UPDATE members SET timezone = json_extract(?, '$[' || (id % ?) || ']'),"
            " preferences = json_extract(?, '$[' || (id % ?) || ']')",
            [_json(ZONES), len(ZONES), _json(CHOICES), len(CHOICES)],
        )
        _ledger(app, args)
    erased = random.Random(3).sample(range(1, args.ledger_members + 1), args.runs)
    with immediate(db):
        _traces(app, erased)
    db.execute("ANALYZE")
    return erased


def _json(values: tuple[str, ...]) -> str:

    return json.dumps([json.loads(v) if v.startswith("{") else v for v in values])


def _ledger(app: App, args: argparse.Namespace) -> None:
    """`--ledger` rows in one INSERT ... SELECT over a counter: each row a delivery to one of
    the first `--ledger-members` members, due at a moment in the last 180 days, the last
    few hundred still waiting (held for quiet hours) in the next days."""
    now, span = common.NOW, 180 * 86_400
    waiting = min(500, args.ledger // 100)
    app.community.db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)"
        " INSERT INTO deliveries (key, kind, member_id, session_id, channel, due_utc,"
        " first_due_utc, status, attempts, done_utc, reason, payload)"
        " SELECT 'old:' || printf('%08d', i), kind, member, NULL, '', due, due,"
        " CASE WHEN i >= ? - ? THEN 'pending' ELSE status END, 1, due,"
        " CASE status WHEN 'failed' THEN 'the platform refused it' ELSE '' END, '{}'"
        " FROM (SELECT i,"
        "  json_extract(?, '$[' || (i * 7 % ?) || ']') AS kind,"
        "  json_extract(?, '$[' || (i * 13 % ?) || ']') AS status,"
        "  1 + (i * 7919) % ? AS member,"
        "  CASE WHEN i >= ? - ? THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, '+' ||"
        "   (3600 + i % (3 * 86400)) || ' seconds')"
        "  ELSE strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, '-' || (? - i * ? / ?) || ' seconds')"
        "  END AS due FROM n)",
        [
            args.ledger,
            args.ledger,
            waiting,
            _json(KINDS),
            len(KINDS),
            _json(STATUSES),
            len(STATUSES),
            args.ledger_members,
            args.ledger,
            waiting,
            utc_iso(now),
            utc_iso(now),
            span,
            span,
            args.ledger,
        ],
    )


def _traces(app: App, members: list[int]) -> None:
    """What else an erased member leaves: places ahead (at full sessions too, so a
    promotion follows), attendance, words they wrote, a calendar link, a sector."""
    db, stamp, rng = app.community.db, utc_iso(common.NOW), random.Random(5)
    ahead = [r[0] for r in db.execute("SELECT id FROM sessions WHERE start_utc > ?", [stamp])]
    past = [r[0] for r in db.execute("SELECT id FROM sessions WHERE start_utc <= ?", [stamp])]
    for member in members:
        for session in rng.sample(ahead, min(3, len(ahead))):
            db.execute(
                "INSERT OR IGNORE INTO signups (session_id, member_id, status, created,"
                " updated) VALUES (?, ?, 'confirmed', ?, ?)",
                [session, member, stamp, stamp],
            )
        for session in rng.sample(past, min(4, len(past))):
            db.execute(
                "INSERT OR IGNORE INTO attendance (session_id, member_id, source, updated)"
                " VALUES (?, ?, 'self', ?)",
                [session, member, stamp],
            )
        db.execute(
            "INSERT INTO reflections (member_id, prompt_id, text, created) VALUES (?, ?, ?, ?)",
            [member, "p1", f"What I learned this week, member {member}", stamp],
        )
        db.execute(
            "INSERT INTO calendar_links (member_id, token_hash, scope, created, updated)"
            " VALUES (?, ?, 'mine', ?, ?)",
            [member, f"hash-{member}", stamp, stamp],
        )


def series_for_a_run(app: App, args: argparse.Namespace, run: int, erased: list[int]) -> int:
    """A weekly series scheduled as a planner would (preview, then "Schedule it"), its
    sessions ahead holding `--holders` places between them; returns its first session."""
    handle = app.dispatcher.handle_line
    start = (common.NOW + timedelta(days=3 + run % 5)).strftime("%Y-%m-%d")
    line = f'schedule "Circle {run}" {start} 10:00 repeat="weekly x{args.series_sessions}"'
    preview = _ok(handle(PLANNER, line))
    [confirm] = [a.command for a in preview.actions if a.command.startswith("schedule-confirm")]
    made = _ok(handle(PLANNER, confirm))
    first = int(made.items[0].key.removeprefix("session:"))
    db, stamp = app.community.db, utc_iso(common.NOW)
    sessions = [
        r[0]
        for r in db.execute(
            "SELECT id FROM sessions WHERE series_id = (SELECT series_id FROM sessions"
            " WHERE id = ?) ORDER BY start_utc",
            [first],
        )
    ]
    rng = random.Random(run)
    gone = set(erased)
    others = [m for m in range(1, args.members + 1) if m not in gone]
    each = args.holders // len(sessions)
    with immediate(db):
        for n, session in enumerate(sessions):
            count = each + (1 if n < args.holders % len(sessions) else 0)
            db.conn.executemany(
                "INSERT INTO signups (session_id, member_id, status, created, updated)"
                " VALUES (?, ?, 'confirmed', ?, ?)",
                ((session, m, stamp, stamp) for m in rng.sample(others, count)),
            )
    return first


def _ok(reply: Reply) -> Reply:
    if reply.error:
        raise SystemExit(f"the bench's command failed: {reply.text}")
    return reply


@contextlib.contextmanager
def checkpoints_timed(into: list[float]) -> Iterator[None]:
    """Time the checkpoint forget-me ends with (`settle_to_file`: the write-ahead log's
    copy of the erased rows goes), without changing what it does: the answer's time is
    the erasure and this cleanup, and each is shown."""
    import commands.members as erasing

    original = erasing.settle_to_file

    def timed(db: Database) -> None:
        began = time.perf_counter()
        try:
            original(db)
        finally:
            into.append((time.perf_counter() - began) * 1000)

    erasing.settle_to_file = timed
    try:
        yield
    finally:
        erasing.settle_to_file = original


def told_once(app: App, first: int) -> tuple[int, int]:
    """(holders, notices) for the series cancelled from `first`: each holder of a place
    told exactly once about each session means the two are equal."""
    db = app.community.db
    series = (
        "SELECT id FROM sessions WHERE series_id = (SELECT series_id FROM sessions WHERE id = ?)"
    )
    holders = db.execute(
        f"SELECT count(*) FROM signups WHERE session_id IN ({series}) AND status = 'cancelled'",
        [first],
    ).fetchone()[0]
    notices = db.execute(
        "SELECT count(DISTINCT session_id || ':' || member_id), count(*) FROM deliveries"
        f" WHERE kind = 'cancelled' AND session_id IN ({series})",
        [first],
    ).fetchone()
    return int(holders), int(notices[0]) if notices[0] == notices[1] else -1


async def measure(app: App, args: argparse.Namespace, erased: list[int]) -> None:
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    runtime = Runtime(app.community, common.Instant())
    await runtime.tick()  # the planner's starting mark, as at start-up
    handle = app.dispatcher.handle_line

    async def between() -> None:
        """The scheduler's tick, as it runs between commands in production (untimed)."""
        clock.advance(TICK)
        await runtime.tick()

    took: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
    cpu: dict[str, list[float]] = {name: [] for name in TARGETS_MS}

    def timed(name: str, actor: Actor, line: str) -> None:
        """Run `line` as `actor` through the dispatcher; note its wall time and this
        process's CPU time (on a busy machine the first waits for the cores too)."""
        began, used = time.perf_counter(), time.process_time()
        _ok(handle(actor, line))
        took[name].append((time.perf_counter() - began) * 1000)
        cpu[name].append((time.process_time() - used) * 1000)

    before = common.settled_rss()
    _ok(handle(PLANNER, "upcoming-posts"))  # first contact and warm caches, uncounted
    for _ in range(args.runs):
        await between()
        timed("upcoming-posts", PLANNER, "upcoming-posts")
    settling: list[float] = []
    with checkpoints_timed(settling):
        for member_id in erased:
            await between()
            who = app.community.db.execute(
                "SELECT platform_user_id FROM members WHERE id = ?", [member_id]
            ).fetchone()[0]
            actor = Actor("console", who, who)
            timed("forget-me", actor, "forget-me confirm=yes")
            if app.community.members.get(member_id) is not None:
                raise SystemExit(f"member {member_id} is still there after forget-me")
    erasing = [whole - settle for whole, settle in zip(took["forget-me"], settling, strict=True)]
    wrong = 0
    for run in range(args.runs):
        first = series_for_a_run(app, args, run, erased)
        await between()
        line = f"cancel-session {first} scope=rest confirm=yes Unwell"
        timed("cancel-session scope=rest", PLANNER, line)
        holders, notices = told_once(app, first)
        wrong += holders != args.holders or notices != holders
        with immediate(app.community.db):  # the courier would have sent them by the next run
            app.community.db.execute(
                "UPDATE deliveries SET status = 'sent', done_utc = due_utc"
                " WHERE kind = 'cancelled' AND status = 'pending'"
            )
    runtime.stop()
    common.heading("each command, through the dispatcher, ticks between:")
    figures = {name: common.timing(name, values) for name, values in took.items()}
    common.timing("forget-me: the erasure, in one transaction", erasing)
    common.timing("forget-me: then the WAL checkpoint (erased bytes left nowhere)", settling)
    for name, values in cpu.items():
        common.timing(
            f"{name}: this process's CPU time (no wait for the cores or the disk)", values
        )
    common.rss(before, common.settled_rss(), 3 * args.runs)
    print(f"  cancellations where a holder was not told exactly once: {wrong}", flush=True)
    sizes = {
        "upcoming-posts": f"{args.members:,} members",
        "forget-me": f"a {args.ledger:,}-row ledger",
        "cancel-session scope=rest": f"{args.holders:,} holders",
    }
    for name, (p50, p99) in figures.items():
        limit = TARGETS_MS[name]
        common.target(
            f"{name} < {limit:g} ms with {sizes[name]} (p50 and p99)",
            p99 < limit,
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms",
        )


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--ledger", type=int, default=1_250_000)
    parser.add_argument("--ledger-members", type=int, default=20_000)
    parser.add_argument("--holders", type=int, default=12_500)
    parser.add_argument("--series-sessions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.sessions, args.ledger, args.ledger_members = 2_000, 60, 20_000, 1_000
        args.holders, args.series_sessions, args.runs = 500, 5, 4
    args.ledger_members = min(args.ledger_members, args.members)
    common.machine("start")
    with tempfile.TemporaryDirectory() as folder:
        config, clock = Config(database=Path(folder) / "ops.db"), FakeClock(common.NOW)
        app = App.build(config, clock)
        try:
            started = time.perf_counter()
            erased = build(app, args)
            print(
                f"built {args.members:,} members, {args.sessions} sessions,"
                f" {2 * args.members:,} signups, a {args.ledger:,}-row ledger over"
                f" {args.ledger_members:,} members in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        finally:
            app.close()
        # The bot meets a year's database when it starts, not straight after writing it:
        # closing leaves the build's write-ahead log in the file, as a restart would.
        app = App.build(config, clock)
        try:
            with common.as_served(app):  # the collector and checkpoints as `copbot run` has them
                asyncio.run(measure(app, args, erased))
        finally:
            app.close()
    common.machine("end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
