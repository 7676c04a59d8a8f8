"""The Slack front end: bolt's AsyncApp on Socket Mode (or signed HTTP), and the sends.

One `AsyncWebClient` does every Web API call; bolt copies its base URL and retry handlers
into the clients it gives listeners, so pointing it at a fake Slack keeps every call local.
The SDK retries connection errors by default; a rate-limit handler is added so a 429 waits
for Retry-After and tries again before the courier ever hears of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import ClientConnectorError, web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.parts import Parts
from bot.adapters.slack import watch
from bot.adapters.slack.failures import SEND_ERRORS, send_failure
from bot.adapters.slack.http import events_route, share_auth_test
from bot.adapters.slack.listeners import Listeners
from bot.adapters.slack.logs import bolt_logger, socket_logger
from bot.adapters.slack.manifest import scopes_why
from bot.adapters.slack.people import People, PlanningGroupCache
from bot.adapters.slack.replies import RETRY_DELAYS, Replies
from bot.adapters.slack.sending import Sender
from bot.adapters.slack.setup import check_app_token, check_auth, check_channel, check_secrets
from bot.adapters.slack.watch import ChannelWatch
from bot.domain.context import Reply
from bot.frontend import AfterCommand, Capabilities, FrontEnd, Pacing, Reached, SendFailed
from bot.storage.members import Member

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def make_client(token: str, base_url: str, rate_limit_retries: int) -> AsyncWebClient:
    """The Web API client. The SDK's own retry after a connection error is kept only for a
    connection that never opened: its default also resends after a dropped connection or
    a reset, when Slack may already have posted the message (a duplicate no one could
    see). Those come back to the courier as unknown, and it looks before resending."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(error_types=[ClientConnectorError]),
            AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ],
    )


class SlackAdapter(FrontEnd):
    """The front end on Slack: bolt's listeners in, the Web API out.

    Its pace (`send_interval`) is per channel (a member's DM is a channel of its own):
    Slack allows about one message a second in a channel. `send_interval_overall` keeps a
    whole wave gentle on the workspace as well. It listens on Socket Mode, or with `http`
    on signed HTTP at `host:port`, with any other `routes` (the calendar pages) beside.
    """

    platform = "slack"
    capabilities = Capabilities(shares_conversations=True, finds_deliveries=True)

    def __init__(
        self,
        parts: Parts,
        *,
        base_url: str | None = None,
        send_interval: float = 1.0,
        send_interval_overall: float = 0.05,
        ping_interval: float = 10.0,
        rate_limit_retries: int = 2,
        reply_retry_delays: tuple[float, ...] = RETRY_DELAYS,
        channel_recheck: float = watch.EVERY,
        http: bool = False,
        port: int = 3000,
        host: str = "0.0.0.0",
        routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        config = parts.config
        self.parts = parts
        self.client = make_client(
            config.secrets.slack_bot_token, base_url or config.slack_api_url, rate_limit_retries
        )
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=config.secrets.slack_signing_secret,
            logger=bolt_logger(),
        )
        group = PlanningGroupCache(self.client, config.planning_group.slack_usergroup)
        self.people = People(self.client, group)
        self.sender = Sender(self.client)
        self.replies = Replies(reply_retry_delays)
        self.pacing = Pacing(send_interval, send_interval_overall)
        self.after_command = AfterCommand()
        self.watch = ChannelWatch(
            config.announce_channel,
            self.sender,
            parts.retry_announcements,
            self.after_command.ran,
            channel_recheck,
        )
        self.listeners = Listeners(
            parts,
            self.client,
            self.people,
            self.sender,
            self.replies,
            self.watch,
            self.after_command,
            answers_in_ack=http,
        )
        self.listeners.register(self.bolt)
        self.ping_interval = ping_interval
        self.http, self.port, self.host, self.routes = http, port, host, routes
        self.problems: list[str] = []
        self.http_port: int | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        """Check the setup, then listen: Socket Mode, or signed HTTP.

        Setup problems that leave commands working (a missing scope, the bot not in the
        announcement channel) are logged and kept in `problems`; the rest raise
        SlackSetupError, whose message says what to change.
        """
        config = self.parts.config
        check_secrets(config, self.http)
        why = scopes_why(config)
        bot, missing, auth = await check_auth(self.client, why)
        share_auth_test(self.bolt, auth)
        if not self.http:
            await check_app_token(self.client, config.secrets.slack_app_token)
        channel = await check_channel(self.sender, config.announce_channel, bot, why)
        self.problems = list(dict.fromkeys(missing + channel))
        if not channel:
            self.parts.retry_announcements()  # the runtime's first tick sends them
        if self.http:
            await self._serve(self.host, self.port, self.routes)
        else:
            await self._connect()
        self.watch.start(bot)

    async def wait_closed(self) -> None:
        """Slack's SDK reconnects Socket Mode by itself, so this waits until `stop`."""
        await self._stopped.wait()

    async def _connect(self) -> None:
        token = self.parts.config.secrets.slack_app_token
        self._socket = AsyncSocketModeHandler(
            self.bolt, token, logger=socket_logger(), ping_interval=self.ping_interval
        )
        await self._socket.connect_async()
        log.info("connected to Slack (Socket Mode)")

    async def _serve(
        self, host: str, port: int, routes: Callable[[web.Application], None] | None
    ) -> None:
        """Slack's requests handed to bolt (signature checks on), a health check beside them,
        and any other `routes` (the calendar pages) on the same port."""
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events_route(self.bolt))
        web_app.router.add_get("/healthz", _healthz)
        if routes is not None:
            routes(web_app)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.http_port = _bound_port(self._runner, port)
        log.info("listening for Slack on %s:%s%s", host, self.http_port, EVENTS_PATH)

    async def stop(self) -> None:
        self._stopped.set()
        await self.after_command.close()
        await self.watch.stop()
        if self._socket is not None:
            await _close_socket(self._socket)
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.replies.close()

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        if member.platform != self.platform:
            raise SendFailed(f"the member is on {member.platform}, not Slack", permanent=True)
        await self.sender.to_user(member.platform_user_id, reply)

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None:
        """One group direct message with the members and the bot. Where Slack will not
        open one (see `Sender.to_group`), or only one member is on Slack, a DM each."""
        elsewhere = [m for m in members if m.platform != self.platform]
        here = [m for m in members if m.platform == self.platform]
        if elsewhere:
            report(elsewhere, SendFailed("not on Slack", permanent=True), "")
        ids = [m.platform_user_id for m in here]
        if len(here) > 1 and await self.sender.to_group(ids, reply):
            report(here, None, "in a group direct message")
            return
        for member in here:
            try:
                await self.sender.to_user(member.platform_user_id, reply)
            except SendFailed as failure:
                report([member], failure, "")
                continue
            report([member], None, "" if len(here) == 1 else "by direct message")

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        """Post in `channel` (an id, or a name such as `cop-announcements`)."""
        await self.sender.to_channel(channel, reply)

    async def find_shared(self, conversation: str, members: list[Member]) -> set[int]:
        """Who already has the introduction labelled `conversation`: everyone, if it is in
        their group direct message; where Slack will not open one (see `Sender.to_group`),
        each member whose own DM has it, as `send_to_members` then sends a DM each."""
        here = [m for m in members if m.platform == self.platform]
        try:
            if len(here) > 1:
                group = await self.sender.group_channel([m.platform_user_id for m in here])
                if group is not None:
                    found = await self.sender.found_in(group, conversation)
                    return {m.id for m in here} if found else set()
            reached = set()
            for member in here:
                dm = await self.sender.dm_channel(member.platform_user_id)
                if await self.sender.found_in(dm, conversation):
                    reached.add(member.id)
            return reached
        except SEND_ERRORS as err:
            raise send_failure(err) from err

    async def find_delivery(self, key: str, member: Member | None, channel: str) -> bool:
        """Whether the message for ledger `key` already reached the member's DM (or
        `channel`): the courier asks before resending one whose outcome was unknown."""
        if member is None:
            return await self.sender.found_in(channel, key)
        try:
            dm = await self.sender.dm_channel(member.platform_user_id)
        except SEND_ERRORS as err:
            raise send_failure(err) from err
        return await self.sender.found_in(dm, key)


async def _healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def _bound_port(runner: web.AppRunner, asked: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return asked


async def _close_socket(handler: AsyncSocketModeHandler) -> None:
    """Close Socket Mode and reap the tasks the SDK cancels but never awaits."""
    client = handler.client
    await handler.close_async()
    tasks = [
        t
        for t in (client.message_processor, client.current_session_monitor, client.message_receiver)
        if t is not None
    ]
    await asyncio.gather(*tasks, return_exceptions=True)
