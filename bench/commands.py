"""1,000 members pressing "Sign up" at once, from 8 OS processes, on a session of 40 places.

Starts FakeSlack on 127.0.0.1 (the Web API and the response_urls) and copbot as
`copbot run --http` starts it: the Slack adapter receiving signed HTTP requests on a port of
its own, the runtime and APScheduler ticking on a clock that moves. `--processes` worker
processes (8 by default) each hold their share of 1,000 signed `/cop signup` requests, from
1,000 different members, signed before the clock starts (as Slack signs them before they
leave), and their kept-alive connections open; on one signal they POST them all at once, as
Slack would deliver a rush. An answer comes back in the acknowledgement, as copbot sends it
over HTTP, or at its response_url on the fake if copbot had to acknowledge first; both count.

Prints the time from the first request sent to the last answer received, signups a second
(presses / that time), p50/p99 of the HTTP acknowledgement (as each worker saw it) and of
the answer (from the first request sent), RSS before and after, and the places taken, read
from the database afterwards: exactly 40 confirmed and 960 waiting, or it is wrong.

    .venv/bin/python bench/commands.py [--quick] [--presses 1000] [--places 40]
        [--processes 8] [--tick-seconds 1]

Targets: exactly `--places` taken; >= 1,000 signups a second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from bot.storage.db import immediate, utc_iso  # noqa: E402
from tests.fakes.fake_slack import FakeSlack, http_body, sign_request  # noqa: E402

SECRET = "bench-secret"
EVENTS_PATH = "/slack/events"  # where `copbot run --http` listens (the Slack adapter's)
TARGET_RATE = 1_000


class CountingSlack(FakeSlack):
    """FakeSlack noting when each answer reaches a response_url."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: list[float] = []

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        self.answered.append(time.monotonic())
        return await super()._handle_response_url(request)


# --- the worker processes --------------------------------------------------------------------


async def workers(
    url: str, payloads: list[dict[str, Any]], count: int
) -> list[asyncio.subprocess.Process]:
    """`count` processes (bench/_press.py), each holding its share of the signed requests,
    started and ready to send."""
    started = []
    for n in range(count):
        signed = []
        for payload in payloads[n::count]:
            body, kind = http_body("slash_commands", payload)
            signed.append((body, {"Content-Type": kind, **sign_request(body, SECRET)}))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).with_name("_press.py")),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None
        process.stdin.write(json.dumps({"url": url, "requests": signed}).encode() + b"\n")
        await process.stdin.drain()
        started.append(process)
    for process in started:
        assert process.stdout is not None
        await process.stdout.readline()  # "ready"
    return started


# --- the community ---------------------------------------------------------------------------


def contended(app: App, places: int) -> int:
    """A session two days ahead with `places` places; returns its id."""
    now = common.NOW
    stamp = utc_iso(now)
    with immediate(app.community.db):
        cursor = app.community.db.execute(
            "INSERT INTO sessions (title, objective, start_utc, duration_minutes, capacity,"
            " created, updated) VALUES ('Contended circle', 'CONNECT', ?, 90, ?, ?, ?)",
            [utc_iso(now + timedelta(days=2)), places, stamp, stamp],
        )
    return int(cursor.lastrowid or 0)


def taken(app: App, session: int) -> dict[str, int]:
    rows = app.community.db.execute(
        "SELECT status, count(*) FROM signups WHERE session_id = ? GROUP BY status", [session]
    ).fetchall()
    return {status: count for status, count in rows}


# --- main ------------------------------------------------------------------------------------


async def rush(args: argparse.Namespace, folder: Path) -> None:
    speed = common.tick_every(args.tick_seconds)
    async with CountingSlack() as slack:
        config = Config(
            database=folder / "bench.db",
            slack_api_url=slack.api_url,
            announce_channel="C1",
            planning_group=PlanningGroup(slack_users=("UPLAN",)),
            secrets=Secrets(slack_bot_token="xoxb-test", slack_signing_secret=SECRET),
        )
        clock = common.MovingClock(common.NOW, speed)
        app = App.build(config, clock)
        try:
            common.populate(
                app, platform="slack", members=args.presses, sessions=50, signups=args.presses
            )
            session = contended(app, args.places)
            payloads = [
                slack.slash_payload(
                    f"signup {session}",
                    user_id=common.user_id("slack", i),
                    response_url=slack.response_url(f"rush-{i}"),
                )
                for i in range(args.presses)
            ]
            port = common.free_port()
            clock.restart()
            async with common.front_end(app, "slack", http=True, port=port):
                url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
                await _listening(url)
                await _measure(args, app, slack, session, url, payloads)
        finally:
            app.close()


async def _listening(url: str) -> None:
    """Until the adapter answers on its port (an unsigned request is refused: it is up)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.post(url, data="") as answer:
                    await answer.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise SystemExit(f"copbot did not start listening on {url}")


async def _measure(
    args: argparse.Namespace,
    app: App,
    slack: CountingSlack,
    session: int,
    url: str,
    payloads: list[dict[str, Any]],
) -> None:
    pressing = await workers(url, payloads, args.processes)
    before = common.settled_rss()
    slack.answered.clear()
    for process in pressing:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
    for process in pressing:
        assert process.stdin is not None
        await process.stdin.drain()
    sent: list[Press] = []
    for process in pressing:
        out, _ = await process.communicate()
        sent += [Press(int(s), float(a), float(b), bool(c)) for s, a, b, c in json.loads(out)]
    deadline = time.monotonic() + 60
    through_url = args.presses - sum(press.answered for press in sent)
    while len(slack.answered) < through_url and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    began = min(press.sent for press in sent)
    answers = [p.received for p in sent if p.answered] + slack.answered
    last = max(answers, default=began)
    report(args, sent, [(t - began) * 1000 for t in answers], last - began)
    common.rss(before, common.settled_rss(), args.presses)
    counts = taken(app, session)
    confirmed, waiting = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    print(f"  places: {confirmed} confirmed, {waiting} waiting", flush=True)
    common.target(
        f"exactly {args.places} places taken, the rest waiting",
        confirmed == args.places and waiting == args.presses - args.places,
        f"{confirmed} confirmed, {waiting} waiting",
    )
    rate = len(answers) / (last - began) if last > began else 0.0
    common.target(f">= {TARGET_RATE:,} signups a second", rate >= TARGET_RATE, f"{rate:,.0f}/s")


class Press(NamedTuple):
    """One request as its worker saw it: status, sent and answered (time.monotonic), and
    whether the answer was in the acknowledgement."""

    status: int
    sent: float
    received: float
    answered: bool


def report(args: argparse.Namespace, sent: list[Press], answers: list[float], took: float) -> None:
    refused = sum(press.status != 200 for press in sent)
    in_ack = sum(press.answered for press in sent)
    common.heading(
        f"{args.presses:,} signups from {args.processes} processes on {args.places} places:"
    )
    print(
        f"  {len(answers):,} answered in {took:.2f} s from the first request sent"
        f" ({in_ack:,} in the acknowledgement, {len(answers) - in_ack:,} at the response_url);"
        f" {refused} HTTP requests refused",
        flush=True,
    )
    acks = [(press.received - press.sent) * 1000 for press in sent]
    common.timing("HTTP acknowledgement, as each worker saw it", acks)
    common.timing("answer, from the first request sent", answers, took)


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--presses", type=int, default=1_000)
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument(
        "--tick-seconds", type=int, default=1, help="wall seconds per production tick"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.presses = 200
    return common.run_bench(lambda folder: rush(args, folder))


if __name__ == "__main__":
    sys.exit(main())
