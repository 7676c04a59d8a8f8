"""`/cop sessions` over Slack Socket Mode: copbot against bolt's own floor.

Starts FakeSlack on 127.0.0.1, builds the 10,000-member / 500-session / 20,000-signup
database of `bench/commands.py`, and runs a real `SlackAdapter` on Socket Mode against the
fake. Sends `/cop sessions` envelopes one after another and times, for each, the ack (from
sending the envelope to the ack reaching the fake) and the reply (to the body arriving at
the fake's response_url). Then does the same with a bare bolt `AsyncApp` whose `/cop`
listener acks and `respond()`s a constant: the framework's floor. A second floor responds
with copbot's own `/cop sessions` message as a constant, to tell copbot's work (finding and
rendering the sessions) from the cost of carrying a bigger message.

    .venv/bin/python bench/slack_latency.py [--calls 300] [--warmup 30] [--profile FILE]

Not part of the test suite: the figures depend on the machine. Target: copbot/floor <= 1.5
at p50 and p99.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler  # noqa: E402
from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_bolt.context.ack.async_ack import AsyncAck  # noqa: E402
from slack_bolt.context.respond.async_respond import AsyncRespond  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bench.commands import NOW, build  # noqa: E402
from bot.adapters.slack import SlackAdapter  # noqa: E402
from bot.adapters.slack.blocks import message  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from bot.context import Actor  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402

ROUNDS = 5
TARGET_RATIO = 1.5
USERS = 30  # members typing the command in turn; the warm-up introduces every one
SIGNING_SECRET = "bench-secret"
_ENV_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_BOT_TOKEN")

Timings = tuple[list[float], list[float]]  # (ack ms, reply ms)


class TimedSlack(FakeSlack):
    """FakeSlack noting when each ack and each response_url body reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.acked_at: dict[str, float] = {}
        self.replied_at: dict[str, float] = {}

    async def _on_client_message(self, sock: Any, data: str) -> None:
        now = time.perf_counter()
        envelope_id = _envelope_id(data)
        if envelope_id:
            self.acked_at.setdefault(envelope_id, now)
        await super()._on_client_message(sock, data)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        self.replied_at.setdefault(request.match_info["name"], time.perf_counter())
        return await super()._handle_response_url(request)


def _envelope_id(data: str) -> str:
    marker = '"envelope_id":'
    at = data.find(marker)
    if at < 0:
        return ""
    rest = data[at + len(marker) :].lstrip().lstrip('"')
    return rest[: rest.find('"')]


# --- the two bots ----------------------------------------------------------------------------


async def start_copbot(app: App) -> Callable[[], Awaitable[None]]:
    adapter = SlackAdapter(app, send_interval=0.0)
    await adapter.start()
    return adapter.stop


async def start_floor(slack: FakeSlack, body: dict[str, Any]) -> Callable[[], Awaitable[None]]:
    """bolt with nothing of copbot's: ack, then respond() the constant `body`."""
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    bolt = AsyncApp(client=client, signing_secret=SIGNING_SECRET)

    @bolt.command("/cop")
    async def cop(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(**body)

    handler = AsyncSocketModeHandler(bolt, "xapp-test", ping_interval=10.0)
    await handler.connect_async()

    async def stop() -> None:
        socket = handler.client
        await handler.close_async()
        tasks = (socket.message_processor, socket.current_session_monitor, socket.message_receiver)
        await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)

    return stop


# --- timing ----------------------------------------------------------------------------------


async def measure(slack: TimedSlack, tag: str, calls: int, warmup: int) -> Timings:
    await slack.wait_connected(min_connections=slack.connections)
    acks: list[float] = []
    replies: list[float] = []
    for n in range(warmup + calls):
        label = f"{tag}-{n}"
        user = f"U{n % USERS:04d}"
        payload = slack.slash_payload(
            "sessions", user_id=user, response_url=slack.response_url(label)
        )
        started = time.perf_counter()
        ack = await slack.send_envelope("slash_commands", payload)
        await slack.wait_for_response(label)
        if n >= warmup:
            acks.append((slack.acked_at[ack["envelope_id"]] - started) * 1000)
            replies.append((slack.replied_at[label] - started) * 1000)
    return acks, replies


def percentiles(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=100, method="inclusive")[98]


def report(copbot: Timings, floor: Timings, same: Timings) -> bool:
    """The target is against the constant floor; the same-message floor is for analysis."""
    met = True
    print(f"{'':22}{'p50 ms':>9}{'p99 ms':>9}")
    for i, what in enumerate(("ack", "reply")):
        (m50, m99), (b50, b99) = percentiles(copbot[i]), percentiles(floor[i])
        s50, s99 = percentiles(same[i])
        r50, r99 = m50 / b50, m99 / b99
        ok = r50 <= TARGET_RATIO and r99 <= TARGET_RATIO
        verdict = "ok" if ok else f"MISSES the {TARGET_RATIO} target"
        print(f"  {what:<6}copbot          {m50:9.2f}{m99:9.2f}")
        print(f"  {what:<6}floor           {b50:9.2f}{b99:9.2f}")
        print(f"  {what:<6}copbot/floor    {r50:9.2f}{r99:9.2f}  {verdict}")
        print(f"  {what:<6}floor, same msg {s50:9.2f}{s99:9.2f}")
        print(f"  {what:<6}copbot/same msg {m50 / s50:9.2f}{m99 / s99:9.2f}")
        met = met and ok
    return met


def sessions_message(app: App) -> dict[str, Any]:
    """What copbot answers `/cop sessions` with, as respond() keywords, built once."""
    reply = app.dispatcher.handle_line(Actor("slack", "UFLOOR", "floor"), "/cop sessions")
    return {
        **message(reply),
        "response_type": "ephemeral",
        "replace_original": False,
        "unfurl_links": False,
        "unfurl_media": False,
    }


# --- main ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, scratch: Path) -> bool:
    async with TimedSlack() as slack:
        config = Config(
            database=scratch / "bench.db",
            slack_api_url=slack.api_url,
            announce_channel="C1",
            planning_group=PlanningGroup(slack_users=("UPLAN",)),
            secrets=Secrets(
                slack_bot_token="xoxb-test",
                slack_app_token="xapp-test",
                slack_signing_secret=SIGNING_SECRET,
            ),
        )
        app = App.build(config, FakeClock(NOW))
        try:
            print("Building 10,000 members, 500 sessions, 20,000 signups:")
            build(app, 10_000, 500, 20_000, args.seed)
            print(
                f"/cop sessions over Socket Mode, {args.calls} calls each, in {ROUNDS} "
                f"interleaved rounds (so a slow patch of the machine hits all three alike):"
            )
            profiler = cProfile.Profile() if args.profile else None
            constant = {"text": "Upcoming sessions", "response_type": "ephemeral"}
            copbot: Timings = ([], [])
            floor: Timings = ([], [])
            same: Timings = ([], [])
            per_round = max(args.calls // ROUNDS, 1)
            for number in range(ROUNDS):
                starters = (
                    (copbot, lambda: start_copbot(app), "copbot", profiler),
                    (floor, lambda: start_floor(slack, constant), "floor", None),
                    (same, lambda: start_floor(slack, sessions_message(app)), "same", None),
                )
                for into, start, tag, prof in starters:
                    stop = await start()
                    try:
                        if prof is not None:
                            prof.enable()
                        got = await measure(slack, f"{tag}{number}", per_round, args.warmup)
                        if prof is not None:
                            prof.disable()
                    finally:
                        await stop()
                    into[0].extend(got[0])
                    into[1].extend(got[1])
            if profiler is not None:
                profiler.dump_stats(args.profile)
        finally:
            app.close()
    return report(copbot, floor, same)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", help="write cProfile stats of copbot's run to this file")
    args = parser.parse_args(argv)
    for var in _ENV_VARS:  # slack_sdk honours *_PROXY but not NO_PROXY
        os.environ.pop(var, None)
    # The fake grants few OAuth scopes, so the adapter's setup warnings are expected here.
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as scratch:
        met = asyncio.run(run(args, Path(scratch)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
