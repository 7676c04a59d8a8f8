"""How long one big group reminder holds the event loop while the courier works through it.

Books 5,000 Discord members on one session, queues their reminder, and flushes it through
the courier to a front end that only reports each post of 100 as reached. A ticker asks
the loop for a turn every millisecond and records the longest wait: that is how long a
member's command could be kept waiting by the wave.

    .venv/bin/python bench/group_wave.py [--members N]

Not part of the test suite: the figures depend on the machine (and on what else it runs).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup  # noqa: E402
from bot.context import Actor, Reply  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.scheduling.courier import Courier  # noqa: E402
from bot.storage.members import Member  # noqa: E402


class Reporting:
    """A Discord-like front end that sends nothing and reports posts of 100 as reached."""

    platform, default_via = "discord", "thread"
    send_interval = send_interval_overall = 0.0

    async def send_together(
        self, members: list[Member], reply: Reply, sid: int, report: Any
    ) -> None:
        for start in range(0, len(members), 100):
            await asyncio.sleep(0)
            report(members[start : start + 100], None, "")

    async def send_to_member(self, member: Member, reply: Reply) -> None: ...

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None: ...


def booked_wave(folder: Path, count: int) -> App:
    config = Config(database=folder / "b.db", planning_group=PlanningGroup(console_users=("p",)))
    app = App.build(config, FakeClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))
    community, planner = app.community, Actor("console", "p", "p")
    app.dispatcher.handle_line(
        planner, f'/cop schedule "Big" 2026-12-03 14:00 90m CONNECT {count} Hall'
    )
    session, now = community.sessions.get(1), community.clock.now()
    assert session is not None
    for n in range(count):
        member = community.register(Actor("discord", str(10**17 + n), f"M{n}"))
        community.signups.signup(session, member.id, now)
        key = f"reminder:1:{member.id}:1d:bench"
        community.deliveries.enqueue(key, "reminder", now, member_id=member.id, session_id=1)
    return app


async def measure(app: App) -> tuple[int, float, float]:
    courier, waits, done = Courier(app.community, Reporting()), [0.0], asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            waits.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    sent = await courier.flush()
    took = time.perf_counter() - started
    done.set()
    await ticking
    return sent, took, max(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = booked_wave(Path(folder), args.members)
        try:
            sent, took, held = asyncio.run(measure(app))
        finally:
            app.close()
    print(f"{sent} reminded in {took:.2f} s; the loop was held at most {held * 1000:.0f} ms")


if __name__ == "__main__":
    main()
