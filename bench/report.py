"""The planning group's report over a year of a busy community.

Builds a scratch database through the real stores: 1,000 members (most with a sector), three
sessions a week for a year (about 156, a few cancelled), about 25 places taken at each with a
waitlist at the full ones, attendance marked at most sessions (a few walk-ins), and answers to
the question after each session. Then times `/cop report 52` through the dispatcher, as a
planner would run it (the figures for the year and the year before, the chart drawn, the
reply built), and prints p50 and p99.

    .venv/bin/python bench/report.py [--quick] [--members N] [--weeks N] [--runs N]

Not part of the test suite: the figures depend on the machine. The target is p99 < 1 s.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.community import Community  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.domain.context import Actor  # noqa: E402
from bot.storage.db import immediate  # noqa: E402
from bot.storage.feedback import ANSWERS  # noqa: E402
from bot.storage.sessions import NewSession, Session  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TARGET_MS = 1000.0
PLANNER = Actor("console", "organiser", "organiser")
OBJECTIVES = ("DEVELOP", "CONNECT", "INFLUENCE")


def build(community: Community, members: int, weeks: int, seed: int) -> int:
    """Everything through the stores, in one transaction; returns the number of sessions."""
    rng = random.Random(seed)
    start = NOW - timedelta(weeks=weeks)
    sector_ids = [s.id for s in community.outcomes.sector_choices.choices]
    with immediate(community.db):
        ids = [
            community.members.register(
                "console", f"m{i:04d}", f"Member {i}", "Europe/London", start
            ).id
            for i in range(members)
        ]
        for member_id in ids:
            if rng.random() < 0.7:
                community.outcomes.sectors.set(member_id, rng.choice(sector_ids), start)
        sessions = 0
        for week in range(weeks):
            for day in (1, 2, 3):
                when = start + timedelta(weeks=week, days=day, hours=5)
                objective = OBJECTIVES[(week + day) % 3]
                capacity = rng.choice((20, 30, None))
                new = NewSession(f"Session {week}-{day}", "", objective, 90, "Room", capacity, None)
                [session] = community.sessions.create(new, [when], start)
                _fill(community, session, ids, rng, when)
                sessions += 1
    return sessions


def _fill(
    community: Community, session: Session, ids: list[int], rng: random.Random, when: datetime
) -> None:
    signups, outcomes = community.signups, community.outcomes
    booked = rng.sample(ids, rng.randint(15, 35))
    for member_id in booked:
        signups.signup(session, member_id, when - timedelta(days=3))
    if rng.random() < 0.05:
        community.sessions.cancel(session.id, "", when - timedelta(days=1))
        return
    if rng.random() < 0.2:
        return  # nobody took attendance at this one
    confirmed = [p.member_id for p in signups.attendees(session.id) if p.status == "confirmed"]
    for member_id in confirmed:
        if rng.random() < 0.8:
            outcomes.attendance.mark(session.id, member_id, "self", when)
            if rng.random() < 0.4:
                answer = rng.choice(ANSWERS)
                outcomes.feedback.answer(session.id, member_id, session.objective, answer)
    for member_id in rng.sample(ids, 2):
        outcomes.attendance.mark(session.id, member_id, "walk-in", when)


def main() -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if args.quick:
        args.members, args.weeks, args.runs = 200, 6, 5
    common.machine("start")
    with tempfile.TemporaryDirectory() as folder:
        app = App.build(Config(database=Path(folder) / "bench.db"), FakeClock(NOW))
        started = time.perf_counter()
        sessions = build(app.community, args.members, args.weeks, args.seed)
        rows = app.community.db.execute("SELECT count(*) FROM signups").fetchone()[0]
        print(
            f"built {args.members:,} members, {sessions} sessions, {rows:,} signups"
            f" in {time.perf_counter() - started:.1f}s"
        )
        timings = []
        before = common.settled_rss()
        for _ in range(args.runs):
            began = time.perf_counter()
            reply = app.dispatcher.handle_line(PLANNER, f"report {args.weeks}")
            timings.append((time.perf_counter() - began) * 1000)
            if reply.error or reply.attachment is None:
                print(f"  the report failed: {reply.text}")
        common.rss(before, common.settled_rss(), args.runs)
        app.close()
    _, p99 = common.timing(f"/cop report {args.weeks}", timings, sum(timings) / 1000)
    common.target(f"p99 < {TARGET_MS:.0f} ms", p99 < TARGET_MS, f"p99 {p99:.0f} ms")
    common.machine("end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
