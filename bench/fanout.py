"""Reminder fan-out against a platform rate limit, with commands arriving all the while.

Builds a database with 1,000 members confirmed on one session, then lets one tick of the
runtime send the 1-day reminder to all of them through a simulated platform that allows 200
messages a second (and would refuse a faster send) and takes 2 ms a send. Meanwhile another
task types `/cop sessions` every 20 ms, as members would.

Prints the wave's duration against the rate-limit floor (target: within 10 %) and the
commands' latency, measured from when each command arrived to when it was answered
(target: p99 under 200 ms, well inside the platforms' 3-second acknowledgement).

    .venv/bin/python bench/fanout.py [--members 1000] [--rate 200] [--latency-ms 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.adapters.base import SendFailed  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.context import Actor, Reply  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.scheduling.runtime import Runtime  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402
from bot.storage.members import Member  # noqa: E402

# Monday 30 November 2026, 09:00 UTC (GMT): the session is on Thursday at 14:00.
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SESSION = "2026-12-03 14:00"
REMINDER_DUE = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
COMMAND_EVERY = 0.020
# A platform's limiter is not exact to the microsecond; 1 ms of slack in a second.
TOLERANCE = 0.001


class RateLimitedPlatform:
    """A platform that allows `rate` messages in any one second and takes `latency` a send.

    A send that would make `rate + 1` in a second is refused as a 429 would be, and counted.
    """

    platform = "bench"

    def __init__(self, rate: int, latency: float) -> None:
        self.rate = rate
        self.latency = latency
        # The courier's pace: one message a second to any one place (as Slack asks of a
        # channel; each member's DM is its own), and `rate` a second in all.
        self.send_interval = 1.0
        self.send_interval_overall = 1.0 / rate
        self.window: deque[float] = deque()
        self.times: list[float] = []
        self.refused = 0

    async def _send(self) -> None:
        now = time.perf_counter()
        while self.window and self.window[0] <= now - 1.0 + TOLERANCE:
            self.window.popleft()
        if len(self.window) >= self.rate:
            self.refused += 1
            raise SendFailed("rate limited", permanent=False, retry_after=1.0)
        self.window.append(now)
        self.times.append(now)
        await asyncio.sleep(self.latency)

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        await self._send()

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        await self._send()


def build(folder: Path, members: int) -> tuple[App, FakeClock]:
    """A community with `members` members, all confirmed on session 1 (bulk SQL, fast)."""
    clock = FakeClock(START)
    app = App.build(Config(database=folder / "bench.db"), clock)
    organiser = Actor("console", "organiser", "organiser")
    reply = app.dispatcher.handle_line(organiser, f'schedule "Circle" {SESSION} 90m CONNECT none')
    assert not reply.error, reply.text
    db, stamp = app.community.db, utc_iso(START)
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
            " VALUES ('console', ?, ?, 'Europe/London', ?)",
            [(f"m{i}", f"member {i}", stamp) for i in range(members)],
        )
        db.execute(
            "INSERT INTO signups (session_id, member_id, status, created, updated)"
            " SELECT 1, id, 'confirmed', ?, ? FROM members WHERE platform_user_id LIKE 'm%'",
            [stamp, stamp],
        )
    return app, clock


async def commands(app: App, stop: asyncio.Event) -> tuple[list[float], list[float]]:
    """Type `/cop sessions` every 20 ms until stopped: (latency from arrival, own run time)."""
    actor = Actor("console", "someone", "someone")
    latency: list[float] = []
    running: list[float] = []
    origin = time.perf_counter()
    n = 0
    while not stop.is_set():
        arrival = origin + n * COMMAND_EVERY
        n += 1
        await asyncio.sleep(max(0.0, arrival - time.perf_counter()))
        began = time.perf_counter()
        reply = app.dispatcher.handle_line(actor, "/cop sessions")
        done = time.perf_counter()
        assert not reply.error, reply.text
        latency.append(done - max(arrival, origin))
        running.append(done - began)
    return latency, running


def busiest_second(times: list[float]) -> int:
    """The most sends that fell in any one-second window."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main(members: int, rate: int, latency_ms: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        app, clock = build(Path(tmp), members)
        print(f"built {members} members on one session in {time.perf_counter() - began:.2f} s")
        platform = RateLimitedPlatform(rate, latency_ms / 1000)
        runtime = Runtime(app.community, platform)
        clock.set(REMINDER_DUE - timedelta(minutes=1))
        await runtime.tick()  # the announcement and the planner's starting mark
        platform.times.clear()
        clock.set(REMINDER_DUE)

        stop = asyncio.Event()
        typing = asyncio.create_task(commands(app, stop))
        await asyncio.sleep(0.1)  # commands are flowing before the wave starts
        wave_start = time.perf_counter()
        sent = await runtime.tick()
        wave = time.perf_counter() - wave_start
        await asyncio.sleep(0.1)
        stop.set()
        cmd_latency, cmd_running = await typing

        counts = app.community.deliveries.counts()
        floor = (sent - 1) / rate if sent else 0.0
        first_to_last = platform.times[-1] - platform.times[0] if platform.times else 0.0
        print(f"reminders sent: {sent} of {members}; ledger: {counts}")
        print(f"refused by the platform (rate limit exceeded): {platform.refused}")
        print(f"rate-limit floor: {sent / rate:.2f} s ({sent} at {rate}/s)")
        print(
            f"wave (whole tick: plan + claim + send): {wave:.2f} s"
            f" = {wave / (sent / rate):.3f} x floor (target <= 1.10)"
        )
        print(
            f"first send to last send: {first_to_last:.2f} s"
            f" = {first_to_last / floor:.3f} x ({sent - 1} gaps at {1000 / rate:.0f} ms)"
            if floor
            else ""
        )
        gaps = [b - a for a, b in zip(platform.times, platform.times[1:], strict=False)]
        if gaps:
            print(
                f"gap between sends: min {min(gaps) * 1000:.2f} ms,"
                f" median {statistics.median(gaps) * 1000:.2f} ms;"
                f" most sends in any one second: {busiest_second(platform.times)}"
            )
        print(
            f"commands during the wave: {len(cmd_latency)};"
            f" latency p50 {pct(cmd_latency, 50) * 1000:.1f} ms,"
            f" p99 {pct(cmd_latency, 99) * 1000:.1f} ms,"
            f" max {max(cmd_latency) * 1000:.1f} ms (target p99 < 200 ms);"
            f" own run time p50 {statistics.median(cmd_running) * 1000:.1f} ms"
        )
        ok = sent == members and platform.refused == 0
        ok = ok and wave <= 1.10 * sent / rate and pct(cmd_latency, 99) < 0.200
        print("targets met" if ok else "TARGETS MISSED")
        app.close()
        return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200, help="messages a second")
    parser.add_argument("--latency-ms", type=float, default=2.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.members, args.rate, args.latency_ms)))
