"""`/cop sessions` over Slack Socket Mode, with the scheduler ticking, against a fair floor.

Starts FakeSlack on 127.0.0.1 and copbot as `copbot run` starts it (the Slack adapter, its
after-command hook, the runtime and APScheduler) on a clock that moves 1 / `--tick-seconds`
times as fast as the wall clock, the scheduler ticking every second of that community time. A busy
community (10,000 members, 500 sessions, 20,000 signups, a reminder falling due every 15
community minutes) answers `/cop sessions` from 200 members in turn; every `--write-every`
call is instead a signup or a cancellation, so the listing changes under the reads (the reads
right after a write are counted and timed apart: no cache can answer them).

The floor does the same work without copbot: a bare bolt app that acks and POSTs copbot's own
`/cop sessions` answer (captured from copbot) to the response_url over one kept HTTP
connection, as copbot does. copbot and the floor take turns in rounds, so a busy patch of the
machine falls on both. Prints p50/p99 of envelope-to-ack and envelope-to-answer, throughput,
the ratio to the floor, RSS before and after copbot's calls, and each target.

    .venv/bin/python bench/slack_latency.py [--quick] [--calls 20000] [--rounds 20]
        [--tick-seconds 1] [--write-every 10]

Targets: the answer at p50 and p99 <= 1.5x the floor; RSS growth < 5 MiB over 20,000 calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler  # noqa: E402
from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_bolt.context.ack.async_ack import AsyncAck  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bench import _common as common  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Config, PlanningGroup, Secrets  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402

SECRET = "bench-secret"


class TimedSlack(FakeSlack):
    """FakeSlack noting when each ack and each response_url body reaches it, and keeping no
    record of old calls (over 20,000 calls the record would be the fake's memory growth)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.acked_at: dict[str, float] = {}
        self.answers: dict[str, asyncio.Future[tuple[float, Any]]] = {}

    async def _on_client_message(self, sock: Any, data: str) -> None:
        now = time.perf_counter()
        marker = data.find('"envelope_id"')
        if marker >= 0:
            rest = data[marker + 14 :].lstrip(" :").lstrip('"')
            self.acked_at.setdefault(rest[: rest.find('"')], now)
        await super()._on_client_message(sock, data)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        answer = await super()._handle_response_url(request)
        name = request.match_info["name"]
        waiter = self.answers.get(name)
        if waiter is not None and not waiter.done() and self.responses:
            waiter.set_result((arrived, self.responses[-1]))
        return answer

    def forget(self) -> None:
        common.forget(self.calls, self.responses, self._response_names, self.acks)
        common.forget(self.envelopes, self.response_attempts, self.acked_at)

    async def ask(self, user: str, text: str) -> tuple[float, float, Any]:
        """Send `/cop text` as `user`; (ms to ack, ms to the answer, the answer's body)."""
        self.asked += 1
        label = f"ask-{self.asked}"
        waiter = self.answers[label] = asyncio.get_running_loop().create_future()
        payload = self.slash_payload(text, user_id=user, response_url=self.response_url(label))
        started = time.perf_counter()
        ack = await self.send_envelope("slash_commands", payload, timeout=30)
        arrived, body = await asyncio.wait_for(waiter, 30)
        del self.answers[label]
        acked = self.acked_at.pop(ack["envelope_id"], started)
        return (acked - started) * 1000, (arrived - started) * 1000, body


# --- the two bots ----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def copbot(app: App, slack: TimedSlack) -> AsyncIterator[None]:
    before = slack.connections
    async with common.front_end(app, "slack"):
        await slack.wait_connected(timeout=30, min_connections=before + 1)
        yield


@contextlib.asynccontextmanager
async def floor(slack: TimedSlack, answer: dict[str, Any]) -> AsyncIterator[None]:
    """bolt with nothing of copbot's: ack, then POST `answer` on one kept connection."""
    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-test", base_url=slack.api_url), signing_secret=SECRET
    )
    before = slack.connections
    async with aiohttp.ClientSession() as http:

        @bolt.command("/cop")
        async def cop(ack: AsyncAck, command: dict[str, Any]) -> None:
            await ack()
            async with http.post(command["response_url"], json=answer) as posted:
                await posted.read()

        handler = AsyncSocketModeHandler(bolt, "xapp-test", ping_interval=10.0)
        await handler.connect_async()
        try:
            await slack.wait_connected(timeout=30, min_connections=before + 1)
            yield
        finally:
            socket = handler.client
            await handler.close_async()
            tasks = (
                socket.message_processor,
                socket.current_session_monitor,
                socket.message_receiver,
            )
            await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)


# --- the calls -------------------------------------------------------------------------------


def asker(slack: TimedSlack) -> common.Ask:
    async def ask(user: str, text: str, n: int) -> tuple[float, dict[str, float]]:
        ack, answer, _ = await slack.ask(user, text)
        if n % 200 == 0:
            slack.forget()
        return answer, {"ack": ack}

    return ask


def warmer(slack: TimedSlack) -> Callable[[int], Awaitable[Any]]:
    async def warm(count: int) -> Any:
        """Uncounted calls (each member introduced once); the last `sessions` answer."""
        body: Any = None
        for n in range(count):
            _, _, body = await slack.ask(common.user_id("slack", n % common.USERS), "sessions")
        slack.forget()
        return body

    return warm


# --- main ------------------------------------------------------------------------------------


def configure(slack: TimedSlack, folder: Path) -> Config:
    return Config(
        database=folder / "bench.db",
        slack_api_url=slack.api_url,
        announce_channel="C1",
        planning_group=PlanningGroup(slack_users=("UPLAN",)),
        secrets=Secrets(
            slack_bot_token="xoxb-test", slack_app_token="xapp-test", slack_signing_secret=SECRET
        ),
    )


async def run(args: argparse.Namespace, folder: Path) -> None:
    speed = common.tick_every(args.tick_seconds)
    async with TimedSlack() as slack:
        app = App.build(configure(slack, folder), common.MovingClock(common.NOW, speed))
        try:
            ahead = common.community_for(app, "slack", args, speed)
            mine, base, ticks = await common.against_floor(
                "slack",
                args,
                ahead,
                lambda: copbot(app, slack),
                lambda answer: floor(slack, answer),
                warmer(slack),
                asker(slack),
                app.community,
            )
        finally:
            app.close()
    title = f"/cop sessions over Socket Mode, {args.rounds} round(s) each:"
    common.versus_floor(title, mine, base, ticks)


def main(argv: list[str] | None = None) -> int:
    args = common.wire_arguments(__doc__, argv)
    return common.run_bench(lambda folder: run(args, folder))


if __name__ == "__main__":
    sys.exit(main())
