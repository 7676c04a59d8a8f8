"""Calendar feed requests per second for a member booked on 50 sessions, and the p99.

Builds a community of 300 members and 120 sessions, one member booked on 50 of them, and
serves the web pages on 127.0.0.1 from the same event loop as the calendar runtime, which
ticks every 50 ms on a simulated clock moving a minute a tick (reminders fall due and go to
a platform that accepts them at once). Several clients fetch the member's feed over HTTP,
each sending the ETag it last saw, as calendar apps do; between reads, other members sign
up and cancel, and the planning group edits a session, on the member's sessions, so the
feed really changes and the ETag cache is not flattered. Prints requests per second, p50
and p99 latency (target: p99 under 100 ms), and how many answers were full feeds and how
many 304s.

    .venv/bin/python bench/web_feed.py [--quick] [--seconds 5] [--clients 4] [--write-every 10]
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, WebConfig  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.domain.context import Actor  # noqa: E402
from bot.scheduling.runtime import Runtime  # noqa: E402
from bot.storage.db import immediate  # noqa: E402
from bot.storage.sessions import NewSession  # noqa: E402
from bot.web.limit import RateLimit  # noqa: E402
from bot.web.server import WebSite  # noqa: E402

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MEMBERS, SESSIONS, BOOKED = 300, 120, 50
TICK = 0.05
# A calendar app waits seconds without complaint; a person opening the link, far less.
TARGET_P99_MS = 100
LINK = re.compile(r"(/calendar/[A-Za-z0-9_-]{43}\.ics)")


def build(folder: Path) -> tuple[App, FakeClock, str, list[int]]:
    """The community, and the path of the booked member's calendar link."""
    clock = FakeClock(START)
    web = WebConfig(base_url="https://calendar.example.org", public=True)
    app = App.build(Config(database=folder / "bench.db", web=web), clock)
    community = app.community
    new = NewSession("Circle", "", "CONNECT", 90, "Civic Hall", 40, None)
    starts = [START + timedelta(days=1 + i // 2, hours=(i % 2) * 4) for i in range(SESSIONS)]
    with immediate(community.db):
        sessions = community.sessions.create(new, starts, START)
        people = [community.register(Actor("console", f"m{n}", f"M {n}")) for n in range(MEMBERS)]
        for n, person in enumerate(people[1:], start=1):
            for session in sessions[n % 7 :: 9][:6]:
                community.signups.signup(session, person.id, START)
        for session in sessions[:BOOKED]:
            community.signups.signup(session, people[0].id, START)
    reply = app.dispatcher.handle_line(Actor("console", "m0", "M 0"), "calendar link")
    found = LINK.search(reply.text)
    assert found, reply.text
    return app, clock, found[1], [s.id for s in sessions[:BOOKED]]


async def ticking(runtime: Runtime, clock: FakeClock, stop: asyncio.Event) -> int:
    ticks = 0
    while not stop.is_set():
        clock.advance(timedelta(minutes=1))
        await runtime.tick()
        ticks += 1
        await asyncio.sleep(TICK)
    return ticks


def write(app: App, n: int, booked: list[int]) -> None:
    """One signup, cancellation or edit on the member's sessions, as people do all day."""
    session = booked[n % len(booked)]
    who = Actor("console", f"w{n % 40}", f"W {n % 40}")
    kind = n % 3
    if kind == 0:
        app.dispatcher.handle_line(who, f"signup {session}")
    elif kind == 1:
        app.dispatcher.handle_line(who, f"cancel {session}")
    else:
        planner = Actor("console", "organiser", "Organiser")
        app.dispatcher.handle_line(planner, f'edit {session} where="Room {n % 5}"')


async def reader(
    http: aiohttp.ClientSession,
    url: str,
    app: App,
    booked: list[int],
    stop: asyncio.Event,
    write_every: int,
    counter: list[int],
    results: list[tuple[float, int]],
) -> None:
    etag = ""
    while not stop.is_set():
        counter[0] += 1
        if counter[0] % write_every == 0:
            write(app, counter[0] // write_every, booked)
        headers = {"If-None-Match": etag} if etag else {}
        began = time.perf_counter()
        async with http.get(url, headers=headers) as resp:
            await resp.read()
            etag = resp.headers.get("ETag", etag)
            results.append((time.perf_counter() - began, resp.status))


async def main(seconds: float, clients: int, write_every: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        app, clock, path, booked = build(Path(folder))
        site = WebSite(app.community, RateLimit(per_minute=10_000_000, burst=1_000_000))
        server = TestServer(site.application(), host="127.0.0.1")
        await server.start_server()
        runtime = Runtime(app.community, common.Instant())
        stop = asyncio.Event()
        results: list[tuple[float, int]] = []
        counter = [0]
        url = str(server.make_url(path))
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(url) as first:
                    body = await first.read()
                tick_task = asyncio.create_task(ticking(runtime, clock, stop))
                began = time.perf_counter()
                readers = [
                    asyncio.create_task(
                        reader(http, url, app, booked, stop, write_every, counter, results)
                    )
                    for _ in range(clients)
                ]
                before = common.settled_rss()
                await asyncio.sleep(seconds)
                stop.set()
                await asyncio.gather(*readers)
                elapsed = time.perf_counter() - began
                rss = (before, common.settled_rss())
                ticks = await tick_task
        finally:
            await server.close()
            app.close()
    times = [t * 1000 for t, _ in results]
    full = sum(1 for _, status in results if status == 200)
    not_modified = sum(1 for _, status in results if status == 304)
    print(f"feed: {BOOKED} sessions, {len(body):,} bytes; {clients} clients for {elapsed:.1f} s")
    print(f"scheduler ticks: {ticks}; writes: {counter[0] // write_every} (1 per {write_every})")
    print(f"answers: full {full:,}, 304 {not_modified:,}")
    _, p99 = common.timing("calendar feed", times, elapsed)
    common.rss(*rss, len(times))
    met = p99 < TARGET_P99_MS and len(results) == full + not_modified
    common.target(f"p99 < {TARGET_P99_MS} ms, every answer 200 or 304", met, f"p99 {p99:.1f} ms")
    return 0


if __name__ == "__main__":
    parser = common.parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--write-every", type=int, default=10)
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.clients = 1.5, 2
    common.no_proxy()
    common.machine("start")
    asyncio.run(main(args.seconds, args.clients, args.write_every))
    common.machine("end")
