"""A small fake Discord (REST API + gateway) on 127.0.0.1 for driving a real discord.py client.

Why this exists: copbot's Discord front end is built on discord.py, and the interesting bugs live
in the seams (what the library sends for an ephemeral reply, how a persistent view is found, what a
429 does, whether a dropped gateway resumes).  Mocking discord.py's objects would test our idea of
the library rather than the library, so instead we let an unmodified ``discord.Client`` talk HTTP
and WebSocket to this server, which answers the way Discord does and records everything.

Typical use::

    async with FakeDiscord() as dc, dc.run(client) as client:
        cb = await dc.invoke(dc.slash("cop", "sessions"))
        assert cb.type == 4 and cb.flags & 64

Nothing here touches the internet; any token is accepted unless ``token=`` is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    import discord

__all__ = [
    "Callback",
    "FakeDiscord",
    "PostedMessage",
    "Request",
    "ScriptedResponse",
]

DISCORD_EPOCH_MS = 1420070400000

# Gateway intent bits the fake honours when deciding which dispatches a session receives.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16

# Permission masks (decimal strings on the wire, as Discord sends them).
PERM_EVERYONE = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 6) | (1 << 31) | (1 << 38)
PERM_PLANNING = PERM_EVERYONE | (1 << 14) | (1 << 33) | (1 << 35) | (1 << 34)
# What `copbot discord-invite` asks for: view, send, embed links, attach files, read history,
# manage events, create public and private threads, manage threads, send in threads.
PERM_CREATE_PUBLIC_THREADS = 1 << 35
PERM_CREATE_PRIVATE_THREADS = 1 << 36
PERM_MANAGE_THREADS = 1 << 34
PERM_SEND_IN_THREADS = 1 << 38
PERM_INVITED = (
    (1 << 10)
    | (1 << 11)
    | (1 << 14)
    | (1 << 15)
    | (1 << 16)
    | (1 << 33)
    | PERM_CREATE_PUBLIC_THREADS
    | PERM_CREATE_PRIVATE_THREADS
    | PERM_MANAGE_THREADS
    | PERM_SEND_IN_THREADS
)
# Discord's documented limits on one message and one thread.
MAX_CONTENT = 2000
# Discord checks an enforced nonce "for uniqueness in the past few minutes"; the fake keeps 5.
NONCE_WINDOW = 300.0
MAX_MENTIONED_USERS = 100
MAX_CUSTOM_ID = 100
MAX_THREAD_MEMBERS = 1000
PERM_BOT = 8866461766385663  # everything; the bot is assumed to be well configured

INTERACTION_PING = 1
INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

OPTION_SUBCOMMAND = 1
OPTION_SUBCOMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_NUMBER = 10

OptionValue = str | int | float | bool | tuple[int, Any]
RequestMatch = str | re.Pattern[str] | Callable[["Request"], bool]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


@dataclass
class Request:
    """One REST call the client made, as the fake saw it (path is relative to ``/api/v10``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[str] = field(default_factory=list)
    status: int = 0
    response: Any = None


@dataclass
class Callback:
    """An interaction response (``POST /interactions/{id}/{token}/callback``).

    ``type`` is the InteractionResponseType: 4 message, 5 deferred message, 6 deferred update,
    7 update message, 8 autocomplete result, 9 modal.
    """

    interaction_id: int
    token: str
    type: int
    data: dict[str, Any] | None
    interaction: dict[str, Any]

    @property
    def flags(self) -> int:
        """Message flags of the response (64 = ephemeral); 0 when absent."""
        return int((self.data or {}).get("flags") or 0)

    @property
    def content(self) -> str | None:
        """Text content of a message response, if any."""
        return (self.data or {}).get("content")

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (type 8)."""
        return list((self.data or {}).get("choices") or [])


@dataclass
class PostedMessage:
    """A message the bot created or edited, with the fields tests usually assert on.

    ``kind`` is ``"channel"`` (POST /channels/{id}/messages), ``"channel_edit"``,
    ``"followup"`` (POST /webhooks/{app}/{token}) or ``"webhook_edit"`` (PATCH of a webhook or
    ``@original`` message).  ``message`` is the object the fake answered with.
    """

    id: int
    channel_id: int
    content: str | None
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    allowed_mentions: dict[str, Any] | None
    flags: int
    kind: str
    payload: dict[str, Any]
    message: dict[str, Any]
    files: list[str] = field(default_factory=list)
    # Who can read it: the members of a private thread when it was posted; None for everyone
    # who can see the channel.
    visible_to: frozenset[int] | None = None


@dataclass
class ScriptedResponse:
    """A canned answer that pre-empts the fake's normal handler for matching requests.

    ``times=None`` means forever; ``hits`` counts how often it fired.
    """

    method: str
    pattern: re.Pattern[str]
    status: int
    json: Any
    headers: dict[str, str]
    times: int | None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this script applies (exhausted scripts never match)."""
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method not in ("*", method):
            return False
        return self.pattern.fullmatch(path) is not None


@dataclass
class _Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    compress: bool
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    compressor: Any = None
    session: _Session | None = None
    closed: bool = False

    async def send(self, frame: dict[str, Any]) -> None:
        raw = json.dumps(frame)
        async with self.lock:
            if self.closed or self.ws.closed:
                return
            try:
                if self.compress:
                    if self.compressor is None:
                        self.compressor = zlib.compressobj()
                    chunk = self.compressor.compress(raw.encode())
                    chunk += self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(chunk)
                else:
                    await self.ws.send_str(raw)
            except (ConnectionError, RuntimeError):
                self.closed = True


_Handler = Callable[["Request", re.Match[str]], Any]


class FakeDiscord:
    """In-process Discord stand-in: REST under ``/api/v10`` and a JSON gateway at ``/``.

    It seeds one guild with an ``@everyone`` role, a "planning group" role, a text channel
    "cop", a voice channel and a stage channel, plus a human member (``user_id``) who holds the
    planning role.  All ids are real-looking snowflakes so discord.py's ``created_at`` works.
    """

    def __init__(
        self,
        *,
        guild_name: str = "Community of Practice",
        channel_name: str = "cop",
        role_name: str = "planning group",
        bot_name: str = "copbot",
        token: str | None = None,
        compression: bool = False,
        heartbeat_interval_ms: int = 45000,
    ) -> None:
        self._id_counter = itertools.count()
        self._last_id = 0
        self.token = token
        self.compression = compression
        self.heartbeat_interval_ms = heartbeat_interval_ms

        self.app_id = self._snowflake()
        self.bot_user_id = self.app_id  # Discord gives a bot user the application's id
        self.owner_id = self._snowflake()
        self.user_id = self._snowflake()
        self.guild_id = self._snowflake()
        self.everyone_role_id = self.guild_id
        self.role_id = self._snowflake()
        self.category_id = self._snowflake()
        self.channel_id = self._snowflake()
        self.voice_channel_id = self._snowflake()
        self.stage_channel_id = self._snowflake()
        # The role Discord creates for a bot when it is invited, holding the invite's
        # permissions; tests take some away to see the bot notice.
        self.bot_role_id = self._snowflake()

        self.users: dict[int, dict[str, Any]] = {}
        self.member_roles: dict[int, list[int]] = {}
        self._add_user(self.bot_user_id, bot_name, bot=True)
        self._add_user(self.owner_id, "owner")
        self._add_user(self.user_id, "alice")
        self.member_roles[self.user_id] = [self.role_id]
        self.member_roles[self.owner_id] = []
        self.member_roles[self.bot_user_id] = [self.bot_role_id]

        self.guild_name = guild_name
        self.roles: dict[int, dict[str, Any]] = {
            self.everyone_role_id: self._role(self.everyone_role_id, "@everyone", 0, PERM_EVERYONE),
            self.role_id: self._role(self.role_id, role_name, 1, PERM_PLANNING),
            self.bot_role_id: self._role(self.bot_role_id, bot_name, 2, PERM_INVITED)
            | {"managed": True, "tags": {"bot_id": str(self.bot_user_id)}},
        }
        self.channels: dict[int, dict[str, Any]] = {}
        for cid, ctype, name, position in (
            (self.category_id, 4, "Community", 0),
            (self.channel_id, 0, channel_name, 0),
            (self.voice_channel_id, 2, "cop-voice", 1),
            (self.stage_channel_id, 13, "cop-stage", 2),
        ):
            self.channels[cid] = self._guild_channel(cid, ctype, name, position)

        # Recordings, in arrival order.
        self.requests: list[Request] = []
        self.callbacks: list[Callback] = []
        self.messages: list[PostedMessage] = []
        self.followups: list[PostedMessage] = []
        self.synced_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.events: dict[int, dict[str, Any]] = {}
        self.event_actions: list[tuple[str, int, dict[str, Any]]] = []
        self.threads: dict[int, dict[str, Any]] = {}
        # Who is in each thread (the bot joins those it creates); private threads show their
        # messages to these members only.
        self.thread_members: dict[int, set[int]] = {}
        self.max_thread_members = MAX_THREAD_MEMBERS
        self.dm_channels: dict[int, int] = {}
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.gateway_connects: list[dict[str, Any]] = []

        self._scripts: list[ScriptedResponse] = []
        # enforce_nonce: (channel, nonce) -> (when, the message it made)
        self._nonces: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}
        self.post_delay = 0.0  # seconds before answering a channel message that was posted
        # While set and not open, an interaction's answer is recorded but not acknowledged
        # (as over a slow round trip): the client waits for the acknowledgement.
        self.callback_gate: asyncio.Event | None = None
        self._interactions: dict[int, dict[str, Any]] = {}
        self._acked: set[int] = set()
        self._originals: dict[str, dict[str, Any]] = {}
        self._stored_messages: dict[int, dict[str, Any]] = {}
        self._sessions: dict[str, _Session] = {}
        self._conns: list[_Conn] = []
        self._current: _Conn | None = None
        self._live = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application()
        app.router.add_route("*", "/api/v{version:\\d+}/{tail:.*}", self._rest)
        app.router.add_get("/", self._gateway)
        app.router.add_get("/resume/", self._gateway)
        app.on_shutdown.append(self._on_shutdown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close gateway sockets and the HTTP server; safe to call twice."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _on_shutdown(self, _app: web.Application) -> None:
        for conn in list(self._conns):
            conn.closed = True
            if not conn.ws.closed:
                await conn.ws.close(code=1001)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The ``ws://`` gateway URL (discord.py appends ``?v=10&encoding=json&compress=...``)."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; a distinct path so tests can tell a RESUME connection apart."""
        return f"ws://127.0.0.1:{self.port}/resume/"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[FakeDiscord]:
        """Point discord.py at this fake for the duration of the ``with`` block.

        Two class attributes are swapped: ``discord.http.Route.BASE`` (every REST call,
        including interaction callbacks and webhooks, is built from it) and
        ``DiscordWebSocket.DEFAULT_GATEWAY`` (``Client.connect`` in 2.x never asks
        ``/gateway/bot``; it dials this URL directly).  Patch *before* ``client.login``.
        """
        import yarl
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            Route.BASE = old_base
            DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    @contextlib.asynccontextmanager
    async def run(
        self,
        client: discord.Client,
        *,
        token: str = "fake-token",
        wait_ready: bool = True,
        timeout: float = 5.0,
    ) -> AsyncIterator[discord.Client]:
        """Patch discord.py, log ``client`` in, connect it, and close it cleanly on exit.

        With ``wait_ready`` it waits for ``on_ready``, which discord.py delays by the client's
        ``guild_ready_timeout`` (2 s by default) after the last GUILD_CREATE; construct test
        clients with ``guild_ready_timeout=0.05`` to keep this fast.  Without it, it waits only
        until the fake has sent READY and GUILD_CREATE.
        """
        with self.patch_discord():
            await client.login(token)
            task = asyncio.create_task(client.connect(reconnect=True), name="fake-discord-client")
            try:
                waiter = client.wait_until_ready() if wait_ready else self.wait_ready(timeout)
                ready = asyncio.ensure_future(waiter)
                done, _ = await asyncio.wait(
                    {ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if ready not in done:
                    ready.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ready
                    if task in done:
                        task.result()  # surfaces the connect error
                    raise TimeoutError("discord.py client did not become ready against FakeDiscord")
                ready.result()
                yield client
            finally:
                await client.close()
                # connect() returns once it sees the client is closed; a connect failure was
                # already surfaced above, so it is not re-raised here.
                done, _ = await asyncio.wait({task}, timeout=timeout)
                if not done:
                    task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    # ------------------------------------------------------------------ ids and objects

    def _snowflake(self) -> int:
        """A snowflake whose timestamp is now, strictly increasing within this fake."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._id_counter) & 0xFFF)
        value = max(value, self._last_id + 1)
        self._last_id = value
        return value

    def _add_user(self, user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(user_id),
            "username": username,
            "global_name": None if bot else username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
        }
        self.users[user_id] = user
        return user

    def add_user(self, username: str, *, roles: Sequence[int] = (), member: bool = True) -> int:
        """Create another user (a guild member with ``roles`` unless ``member=False``)."""
        uid = self._snowflake()
        self._add_user(uid, username)
        if member:
            self.member_roles[uid] = list(roles)
        return uid

    def user(self, user_id: int) -> dict[str, Any]:
        """The user object for ``user_id``, inventing one for ids the fake has not seen."""
        found = self.users.get(user_id)
        if found is None:
            found = self._add_user(user_id, f"user{user_id % 10000}")
        return dict(found)

    def member(
        self, user_id: int, roles: Sequence[int] | None = None, permissions: int | None = None
    ) -> dict[str, Any]:
        """A guild member object as carried by interactions (roles as string ids)."""
        role_ids = list(self.member_roles.get(user_id, []) if roles is None else roles)
        if permissions is None:
            permissions = int(self.roles[self.everyone_role_id]["permissions"])
            for rid in role_ids:
                permissions |= int(self.roles.get(rid, {}).get("permissions", 0))
            if user_id == self.owner_id:
                permissions = PERM_BOT
        return {
            "user": self.user(user_id),
            "roles": [str(r) for r in role_ids],
            "permissions": str(permissions),
            "joined_at": _now_iso(),
            "premium_since": None,
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    @staticmethod
    def _role(role_id: int, name: str, position: int, permissions: int) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": True,
            "flags": 0,
        }

    def _guild_channel(
        self, channel_id: int, ctype: int, name: str, position: int = 0
    ) -> dict[str, Any]:
        channel: dict[str, Any] = {
            "id": str(channel_id),
            "type": ctype,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "parent_id": None if ctype == 4 else str(self.category_id),
            "nsfw": False,
            "flags": 0,
        }
        if ctype == 0:
            channel.update(topic=None, last_message_id=None, rate_limit_per_user=0)
        if ctype in (2, 13):
            channel.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
        return channel

    def guild_payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE ``d``: enough for discord.py to build a cached ``Guild``."""
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "joined_at": _now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.member_roles),
            "members": [self.member(self.bot_user_id)],
            "channels": [
                dict(c) for c in self.channels.values() if c.get("guild_id") and c["type"] != 11
            ],
            "threads": [dict(t) for t in self.threads.values()],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": list(self.events.values()),
            "soundboard_sounds": [],
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.app_id),
            "name": self.users[self.bot_user_id]["username"],
            "icon": None,
            "description": "copbot under test",
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.user(self.owner_id),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 1 << 19 | 1 << 23,  # gateway message content + guild members (limited)
            "bot": self.user(self.bot_user_id),
            "summary": "",
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
        }

    def _message_obj(
        self,
        channel_id: int,
        payload: Mapping[str, Any],
        *,
        message_id: int | None = None,
        webhook: bool = False,
        files: Sequence[str] = (),
    ) -> dict[str, Any]:
        embeds = [{"type": "rich", **e} for e in payload.get("embeds") or []]
        attachments = [
            {
                "id": str(self._snowflake()),
                "filename": name,
                "size": 0,
                "url": f"{self.base_url}/attachments/{name}",
                "proxy_url": f"{self.base_url}/attachments/{name}",
            }
            for name in files
        ]
        msg: dict[str, Any] = {
            "id": str(message_id or self._snowflake()),
            "channel_id": str(channel_id),
            "type": 0,
            "author": self.user(self.bot_user_id),
            "content": payload.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "pinned": False,
            "flags": int(payload.get("flags") or 0),
            "components": list(payload.get("components") or []),
        }
        if webhook:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
        if payload.get("message_reference"):
            msg["message_reference"] = payload["message_reference"]
        return msg

    def _record_message(
        self, req: Request, kind: str, channel_id: int, message: dict[str, Any]
    ) -> PostedMessage:
        body = req.json if isinstance(req.json, dict) else {}
        posted = PostedMessage(
            id=int(message["id"]),
            channel_id=channel_id,
            content=body.get("content"),
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0),
            kind=kind,
            payload=body,
            message=message,
            files=list(req.files),
        )
        (self.messages if kind.startswith("channel") else self.followups).append(posted)
        self._stored_messages[posted.id] = message
        return posted

    # ------------------------------------------------------------------ scripting

    def script(
        self,
        method: str,
        path_regex: str,
        status: int,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> ScriptedResponse:
        """Answer the next ``times`` matching requests with a canned response.

        ``path_regex`` must *fully* match the path relative to ``/api/v10`` (e.g.
        ``r"/channels/\\d+/messages"``); ``method="*"`` matches any method.  For a 429 the fake
        adds a ``Via`` header if missing, because discord.py treats a 429 without ``Via`` as a
        Cloudflare ban and raises instead of retrying.
        """
        hdrs = dict(headers or {})
        if status == 429:
            hdrs.setdefault("Via", "1.1 google")
            if json is None:
                json = {
                    "message": "You are being rate limited.",
                    "retry_after": 0.1,
                    "global": False,
                }
        scripted = ScriptedResponse(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            json=json,
            headers=hdrs,
            times=times,
        )
        self._scripts.append(scripted)
        return scripted

    def rate_limit(
        self, method: str, path_regex: str, retry_after: float = 0.1, *, times: int = 1
    ) -> ScriptedResponse:
        """Script a realistic per-route 429 (body, ``Retry-After`` and ``X-RateLimit-*``)."""
        return self.script(
            method,
            path_regex,
            429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            headers={
                "Retry-After": str(retry_after),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": "fakebucket",
                "X-RateLimit-Scope": "user",
            },
            times=times,
        )

    def dm_channel_id(self, user_id: int) -> int:
        """The id the DM channel with ``user_id`` has (or will have once the bot opens it)."""
        if user_id not in self.dm_channels:
            cid = self._snowflake()
            self.dm_channels[user_id] = cid
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.user(user_id)],
            }
        return self.dm_channels[user_id]

    def refuse_dms(self, user_id: int, *, times: int | None = None) -> ScriptedResponse:
        """Make messages to ``user_id``'s DM channel fail as when they have DMs closed."""
        cid = self.dm_channel_id(user_id)
        return self.script(
            "POST",
            rf"/channels/{cid}/messages",
            403,
            _error(50007, "Cannot send messages to this user"),
            times=times,
        )

    # ------------------------------------------------------------------ waiting

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the fake records something)."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_for(
        self,
        match: RequestMatch,
        *,
        method: str | None = None,
        timeout: float = 5.0,
        start: int = 0,
    ) -> Request:
        """The first recorded request from index ``start`` on that matches, waiting if needed.

        ``match`` is a path regex (``re.search`` against the relative path) or a predicate on
        :class:`Request`.  Pass ``start=len(dc.requests)`` to wait for a *new* request.
        """
        if callable(match):
            pred = match
        else:
            pattern = re.compile(match)

            def pred(r: Request) -> bool:
                return pattern.search(r.path) is not None

        def find() -> Request | None:
            for r in self.requests[start:]:
                if (method is None or r.method == method.upper()) and r.status and pred(r):
                    return r
            return None

        return await self.wait_until(find, timeout)

    async def wait_for_callback(
        self, interaction: Mapping[str, Any] | int, timeout: float = 5.0
    ) -> Callback:
        """The callback the client sent for ``interaction`` (payload or id)."""
        iid = int(interaction if isinstance(interaction, int) else interaction["id"])

        def find() -> Callback | None:
            # newest first: an interaction has one callback, and it is usually the latest
            return next((c for c in reversed(self.callbacks) if c.interaction_id == iid), None)

        return await self.wait_until(find, timeout)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a gateway session is live (READY + GUILD_CREATE sent, or RESUMED)."""
        await asyncio.wait_for(self._live.wait(), timeout)

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = self.compression and request.query.get("compress") == "zlib-stream"
        conn = _Conn(ws=ws, request=request, compress=compress)
        self._conns.append(conn)
        self.gateway_connects.append({"path": request.path, "query": dict(request.query)})
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]}
            await conn.send({"op": 10, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            conn.closed = True
            self._conns.remove(conn)
            if self._current is conn:
                self._current = None
                self._live.clear()
            await self._notify()
        return ws

    async def _on_gateway_frame(self, conn: _Conn, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        self.gateway_received.append(frame)
        if op == 1:
            self.heartbeats += 1
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        await self._notify()

    def _token_ok(self, token: str | None) -> bool:
        if self.token is None:
            return True
        return token in (self.token, f"Bot {self.token}")

    async def _identify(self, conn: _Conn, d: dict[str, Any]) -> None:
        if not self._token_ok(d.get("token")):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identifies += 1
        self.identify_payloads.append(d)
        session = _Session(
            id=f"fake-session-{self._snowflake()}",
            intents=int(d.get("intents") or 0),
            shard=d.get("shard"),
        )
        self._sessions[session.id] = session
        conn.session = session
        self._current = conn
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.user(self.bot_user_id) | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.app_id), "flags": self._application()["flags"]},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-gateway"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await self._send_dispatch(session, "READY", ready)
        if session.intents & INTENT_GUILDS:
            await self._send_dispatch(session, "GUILD_CREATE", self.guild_payload())
        self._live.set()

    async def _resume(self, conn: _Conn, d: dict[str, Any]) -> None:
        session = self._sessions.get(str(d.get("session_id")))
        if session is None or not self._token_ok(d.get("token")):
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        self.resumes += 1
        conn.session = session
        self._current = conn
        seq = int(d.get("seq") or 0)
        for missed in [f for f in session.log if f["s"] > seq]:
            await conn.send(missed)
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fake-gateway"]})
        self._live.set()

    async def _send_dispatch(self, session: _Session, event: str, data: Any) -> int:
        session.seq += 1
        frame = {"op": 0, "s": session.seq, "t": event, "d": data}
        session.log.append(frame)
        conn = self._current
        if conn is not None and conn.session is session:
            await conn.send(frame)
        return session.seq

    async def dispatch(self, event: str, data: Any, *, timeout: float = 5.0) -> int:
        """Send a DISPATCH (op 0) to the connected client, waiting for a live session first.

        Returns the sequence number used.
        """
        await self.wait_ready(timeout)
        conn = self._current
        assert conn is not None and conn.session is not None
        return await self._send_dispatch(conn.session, event, data)

    async def _emit(self, event: str, data: Any, intent: int | None) -> None:
        """Dispatch a side effect of a REST call if the session subscribed; never blocks."""
        conn = self._current
        session = conn.session if conn is not None else None
        if session is None:
            return
        if intent is not None and not session.intents & intent:
            return
        await self._send_dispatch(session, event, data)

    async def send_interaction(self, payload: dict[str, Any], *, timeout: float = 5.0) -> int:
        """Deliver an INTERACTION_CREATE and remember it so its callback/webhook token work.

        Returns the interaction id.
        """
        iid = int(payload["id"])
        self._interactions[iid] = payload
        await self.dispatch("INTERACTION_CREATE", payload, timeout=timeout)
        return iid

    async def invoke(self, payload: dict[str, Any], *, timeout: float = 5.0) -> Callback:
        """``send_interaction`` then wait for the client's callback to it."""
        await self.send_interaction(payload, timeout=timeout)
        return await self.wait_for_callback(payload, timeout)

    async def drop_gateway(self, *, code: int | None = None, invalidate: bool = False) -> None:
        """Kill the current gateway socket so discord.py must reconnect.

        ``code=None`` aborts the TCP connection without a close frame (what a network blip
        looks like); otherwise a close frame with ``code`` is sent.  ``invalidate=True`` forgets
        the session so the client's RESUME is answered with op 9 and it must IDENTIFY again.
        """
        conn = self._current
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        self._current = None
        self._live.clear()
        if invalidate and conn.session is not None:
            self._sessions.pop(conn.session.id, None)
        conn.closed = True
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            await conn.ws.close(code=code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, which makes discord.py close and RESUME."""
        conn = self._current
        if conn is None:
            raise RuntimeError("no live gateway connection")
        await conn.send({"op": 7, "d": None, "s": None, "t": None})

    # ------------------------------------------------------------------ interaction payloads

    def _synced(self, name: str) -> tuple[dict[str, Any] | None, int | None]:
        for guild_id in (self.guild_id, None):
            for cmd in self.synced_commands.get(guild_id, []):
                if cmd["name"] == name:
                    return cmd, guild_id
        return None, None

    @staticmethod
    def _declared_type(
        command: dict[str, Any] | None, path: Sequence[str], option: str
    ) -> int | None:
        opts = (command or {}).get("options") or []
        for step in path:
            opts = next((o.get("options") or [] for o in opts if o["name"] == step), [])
        return next((int(o["type"]) for o in opts if o["name"] == option), None)

    def _build_options(
        self,
        command: dict[str, Any] | None,
        path: Sequence[str],
        options: Mapping[str, OptionValue] | None,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for name, value in (options or {}).items():
            if isinstance(value, tuple):
                otype, value = value
            elif isinstance(value, bool):
                otype = OPTION_BOOLEAN
            elif isinstance(value, int):
                otype = OPTION_INTEGER
            elif isinstance(value, float):
                otype = OPTION_NUMBER
            else:
                otype = OPTION_STRING
            declared = self._declared_type(command, path, name)
            if declared is not None:
                otype = declared
            opt: dict[str, Any] = {"type": otype, "name": name, "value": value}
            if name == focused:
                opt["focused"] = True
                opt["value"] = str(value)  # Discord sends what the user has typed so far
            out.append(opt)
        return out

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any] | None,
        *,
        user_id: int | None,
        roles: Sequence[int] | None,
        permissions: int | None,
        guild: bool,
        channel_id: int | None,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        uid = self.user_id if user_id is None else user_id
        iid = self._snowflake()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "token": f"fake-interaction-token-{iid}",
            "version": 1,
            "locale": locale,
            "app_permissions": str(PERM_BOT),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if data is not None:
            payload["data"] = data
        if guild:
            cid = self.channel_id if channel_id is None else channel_id
            channel = dict(self.channels.get(cid) or self._guild_channel(cid, 0, "unknown"))
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(cid),
                channel=channel,
                member=self.member(uid, roles, permissions),
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            cid = self.dm_channel_id(uid) if channel_id is None else channel_id
            payload.update(
                channel_id=str(cid),
                channel={"id": str(cid), "type": 1, "flags": 0, "last_message_id": None},
                user=self.user(uid),
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        return payload

    def _command_data(
        self,
        name: str,
        subcommand: str | None,
        options: Mapping[str, OptionValue] | None,
        group: str | None,
        focused: str | None,
    ) -> dict[str, Any]:
        """``data`` of a command interaction: subcommand (group) nesting, ids from the sync."""
        command, cmd_guild = self._synced(name)
        path = [p for p in (group, subcommand) if p]
        leaf = self._build_options(command, path, options, focused)
        top: list[dict[str, Any]] = leaf
        if subcommand:
            top = [{"type": OPTION_SUBCOMMAND, "name": subcommand, "options": leaf}]
            if group:
                top = [{"type": OPTION_SUBCOMMAND_GROUP, "name": group, "options": top}]
        data: dict[str, Any] = {
            "id": str(command["id"]) if command else str(self._snowflake()),
            "name": name,
            "type": 1,
        }
        if top:
            data["options"] = top
        if cmd_guild is not None:
            data["guild_id"] = str(cmd_guild)
        return data

    def slash(
        self,
        name: str = "cop",
        subcommand: str | None = None,
        options: Mapping[str, OptionValue] | None = None,
        *,
        group: str | None = None,
        user_id: int | None = None,
        roles: Sequence[int] | None = None,
        permissions: int | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction (type 2) for ``/name [group] [subcommand] opts``.

        Option types are taken from the synced command when the tree was synced to the fake,
        otherwise inferred (bool 5, int 4, float 10, str 3); pass ``(type, value)`` to force one.
        ``data.guild_id`` is set when the command was synced as a guild command, as Discord does.
        ``roles=None`` uses the user's guild roles; ``guild=False`` makes it a DM interaction.
        """
        return self._interaction(
            INTERACTION_COMMAND,
            self._command_data(name, subcommand, options, group, None),
            user_id=user_id,
            roles=roles,
            permissions=permissions,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
        )

    def autocomplete(
        self,
        name: str,
        subcommand: str | None,
        options: Mapping[str, OptionValue],
        focused: str,
        *,
        group: str | None = None,
        user_id: int | None = None,
        roles: Sequence[int] | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4).

        ``focused`` names the option being typed; its value is sent as the raw string typed so
        far (Discord does this even for integer options), the others as in :meth:`slash`.
        """
        if focused not in options:
            raise ValueError(f"focused option {focused!r} must be among options")
        return self._interaction(
            INTERACTION_AUTOCOMPLETE,
            self._command_data(name, subcommand, options, group, focused),
            user_id=user_id,
            roles=roles,
            permissions=None,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
        )

    def bot_message(
        self, components: Sequence[dict[str, Any]] = (), *, channel_id: int | None = None
    ) -> dict[str, Any]:
        """A message authored by the bot (e.g. the one a clicked button lives on)."""
        cid = self.channel_id if channel_id is None else channel_id
        msg = self._message_obj(cid, {"content": "", "components": list(components)})
        self._stored_messages[int(msg["id"])] = msg
        return msg

    def _component_message(
        self, message: Mapping[str, Any] | int | None, component: dict[str, Any], cid: int | None
    ) -> dict[str, Any]:
        if isinstance(message, int):
            return dict(self._stored_messages[message])
        if message is not None:
            return dict(message)
        return self.bot_message([{"type": 1, "components": [component]}], channel_id=cid)

    def button(
        self,
        custom_id: str,
        *,
        message: Mapping[str, Any] | int | None = None,
        user_id: int | None = None,
        roles: Sequence[int] | None = None,
        permissions: int | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A MESSAGE_COMPONENT interaction (type 3) for a button click (component_type 2).

        ``message`` is the message the button is on (a payload, or the id of a message the bot
        posted through the fake); by default a bot message holding just that button.
        """
        button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
        return self._interaction(
            INTERACTION_COMPONENT,
            {"custom_id": custom_id, "component_type": 2},
            user_id=user_id,
            roles=roles,
            permissions=permissions,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
            message=self._component_message(message, button, channel_id),
        )

    def select(
        self,
        custom_id: str,
        values: Sequence[str],
        *,
        component_type: int = 3,
        message: Mapping[str, Any] | int | None = None,
        user_id: int | None = None,
        roles: Sequence[int] | None = None,
        guild: bool = True,
        channel_id: int | None = None,
    ) -> dict[str, Any]:
        """A select-menu MESSAGE_COMPONENT interaction (string select by default)."""
        menu = {
            "type": component_type,
            "custom_id": custom_id,
            "options": [{"label": v, "value": v} for v in values],
        }
        return self._interaction(
            INTERACTION_COMPONENT,
            {"custom_id": custom_id, "component_type": component_type, "values": list(values)},
            user_id=user_id,
            roles=roles,
            permissions=None,
            guild=guild,
            channel_id=channel_id,
            locale="en-US",
            message=self._component_message(message, menu, channel_id),
        )

    def modal_submit(
        self,
        custom_id: str,
        fields: Mapping[str, str],
        *,
        labels: bool = False,
        message: Mapping[str, Any] | None = None,
        user_id: int | None = None,
        roles: Sequence[int] | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A MODAL_SUBMIT interaction (type 5): one text input (type 4) per field.

        Inputs are wrapped in action rows (type 1), or in Label components (type 18) with
        ``labels=True`` as Discord does for modals built from ``ui.Label``.  ``fields`` keys are
        the *text inputs'* custom_ids, which must match the modal's items.
        """
        components: list[dict[str, Any]] = []
        for n, (input_id, value) in enumerate(fields.items(), start=1):
            text = {"type": 4, "id": n * 2, "custom_id": input_id, "value": value}
            if labels:
                components.append({"type": 18, "id": n * 2 - 1, "component": text})
            else:
                components.append({"type": 1, "id": n * 2 - 1, "components": [text]})
        return self._interaction(
            INTERACTION_MODAL_SUBMIT,
            {"custom_id": custom_id, "components": components},
            user_id=user_id,
            roles=roles,
            permissions=None,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
            message=dict(message) if message is not None else None,
        )

    # ------------------------------------------------------------------ REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler]]:
        snow = r"(?P<{}>\d+)"
        app, gid, cid = snow.format("app"), snow.format("gid"), snow.format("cid")
        mid, uid, eid = snow.format("mid"), snow.format("uid"), snow.format("eid")
        tok = r"(?P<token>[^/]+)"
        table: list[tuple[str, str, _Handler]] = [
            ("GET", r"/gateway", self._h_gateway),
            ("GET", r"/gateway/bot", self._h_gateway),
            ("GET", r"/users/@me", lambda r, m: (200, self.user(self.bot_user_id))),
            ("GET", rf"/users/{uid}", self._h_get_user),
            ("POST", r"/users/@me/channels", self._h_create_dm),
            ("GET", r"/oauth2/applications/@me", lambda r, m: (200, self._application())),
            ("GET", r"/applications/@me", lambda r, m: (200, self._application())),
            ("PUT", rf"/applications/{app}/commands", self._h_put_commands),
            ("GET", rf"/applications/{app}/commands", self._h_get_commands),
            ("PUT", rf"/applications/{app}/guilds/{gid}/commands", self._h_put_commands),
            ("GET", rf"/applications/{app}/guilds/{gid}/commands", self._h_get_commands),
            ("POST", rf"/interactions/{snow.format('iid')}/{tok}/callback", self._h_callback),
            ("POST", rf"/webhooks/{app}/{tok}", self._h_followup),
            ("GET", rf"/webhooks/{app}/{tok}/messages/(?P<wmid>@original|\d+)", self._h_wh_get),
            ("PATCH", rf"/webhooks/{app}/{tok}/messages/(?P<wmid>@original|\d+)", self._h_wh_edit),
            ("DELETE", rf"/webhooks/{app}/{tok}/messages/(?P<wmid>@original|\d+)", self._h_wh_del),
            ("POST", rf"/channels/{cid}/messages", self._h_post_message),
            ("GET", rf"/channels/{cid}/messages/{mid}", self._h_get_message),
            ("PATCH", rf"/channels/{cid}/messages/{mid}", self._h_edit_message),
            ("DELETE", rf"/channels/{cid}/messages/{mid}", self._h_delete_message),
            ("POST", rf"/channels/{cid}/messages/{mid}/threads", self._h_thread_from_message),
            ("POST", rf"/channels/{cid}/threads", self._h_thread),
            ("POST", rf"/channels/{cid}/typing", lambda r, m: (204, None)),
            ("PUT", rf"/channels/{cid}/thread-members/(?P<who>@me|\d+)", self._h_thread_member),
            (
                "DELETE",
                rf"/channels/{cid}/thread-members/(?P<who>\d+)",
                self._h_remove_thread_member,
            ),
            ("GET", rf"/channels/{cid}", self._h_get_channel),
            ("PATCH", rf"/channels/{cid}", self._h_edit_channel),
            ("GET", rf"/guilds/{gid}", self._h_get_guild),
            ("GET", rf"/guilds/{gid}/channels", self._h_guild_channels),
            ("GET", rf"/guilds/{gid}/roles", self._h_guild_roles),
            ("GET", rf"/guilds/{gid}/members/{uid}", self._h_guild_member),
            ("GET", rf"/guilds/{gid}/scheduled-events", self._h_list_events),
            ("POST", rf"/guilds/{gid}/scheduled-events", self._h_create_event),
            ("GET", rf"/guilds/{gid}/scheduled-events/{eid}", self._h_get_event),
            ("PATCH", rf"/guilds/{gid}/scheduled-events/{eid}", self._h_edit_event),
            ("DELETE", rf"/guilds/{gid}/scheduled-events/{eid}", self._h_delete_event),
        ]
        return [(meth, re.compile(pat), handler) for meth, pat, handler in table]

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str], bool]:
        """(json, file names, ok) — multipart bodies carry JSON in ``payload_json``."""
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [f.filename for f in form.values() if isinstance(f, web.FileField)]
            raw = form.get("payload_json")
            try:
                body = json.loads(str(raw)) if raw is not None else None
            except ValueError:
                return None, files, False
            return body, files, True
        text = await request.text()
        if not text:
            return None, [], True
        try:
            return json.loads(text), [], True
        except ValueError:
            return None, [], False

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files, ok = await self._read_body(request)
        req = Request(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
        )
        self.requests.append(req)
        status, payload, headers = await self._answer(req, request, ok)
        req.status, req.response = status, payload
        await self._notify()
        if status == 204 or payload is None:
            return web.Response(status=status, headers=headers)
        # Exactly "application/json": discord.py compares the header verbatim, and aiohttp's
        # json_response would append "; charset=utf-8", making every body parse as text.
        headers = {**headers, "Content-Type": "application/json"}
        return web.Response(body=json.dumps(payload).encode(), status=status, headers=headers)

    async def _answer(
        self, req: Request, request: web.Request, body_ok: bool
    ) -> tuple[int, Any, dict[str, str]]:
        for scripted in self._scripts:
            if scripted.matches(req.method, req.path):
                scripted.hits += 1
                return scripted.status, scripted.json, dict(scripted.headers)
        if not body_ok:
            return 400, _error(50109, "The request body contains invalid JSON."), {}
        open_paths = ("/interactions/", "/webhooks/", "/gateway")
        if not req.path.startswith(open_paths):
            auth = request.headers.get("Authorization")
            if self.token is not None and auth != f"Bot {self.token}":
                return 401, _error(0, "401: Unauthorized"), {}
        for method, pattern, handler in self._routes:
            if method != req.method:
                continue
            m = pattern.fullmatch(req.path)
            if m is None:
                continue
            result = handler(req, m)
            if asyncio.iscoroutine(result):
                result = await result
            status, payload = result
            return status, payload, {}
        return 404, _error(0, "404: Not Found"), {}

    # ------------------------------------------------------------------ REST handlers

    def _h_gateway(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        out: dict[str, Any] = {"url": self.gateway_url.rstrip("/")}
        if req.path.endswith("/bot"):
            out["shards"] = 1
            out["session_start_limit"] = {
                "total": 1000,
                "remaining": 1000 - self.identifies,
                "reset_after": 0,
                "max_concurrency": 1,
            }
        return 200, out

    def _h_get_user(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        uid = int(m["uid"])
        if uid not in self.users:
            return 404, _error(10013, "Unknown User")
        return 200, self.user(uid)

    def _h_create_dm(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        recipient = int((req.json or {}).get("recipient_id") or 0)
        if not recipient:
            return 400, _error(50035, "Invalid Form Body")
        return 200, dict(self.channels[self.dm_channel_id(recipient)])

    def _check_app(self, m: re.Match[str]) -> bool:
        return int(m["app"]) == self.app_id

    def _h_put_commands(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        if not self._check_app(m):
            return 403, _error(50001, "Missing Access")
        guild_id = int(m["gid"]) if "gid" in m.groupdict() else None
        if guild_id is not None and guild_id != self.guild_id:
            return 403, _error(50001, "Missing Access")
        previous = {c["name"]: c["id"] for c in self.synced_commands.get(guild_id, [])}
        out = []
        for cmd in req.json or []:
            full = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": previous.get(cmd["name"]) or str(self._snowflake()),
                "application_id": str(self.app_id),
                "version": str(self._snowflake()),
            }
            if guild_id is not None:
                full["guild_id"] = str(guild_id)
            out.append(full)
        self.synced_commands[guild_id] = out
        return 200, out

    def _h_get_commands(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        guild_id = int(m["gid"]) if "gid" in m.groupdict() else None
        return 200, list(self.synced_commands.get(guild_id, []))

    async def _h_callback(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        iid, token = int(m["iid"]), m["token"]
        interaction = self._interactions.get(iid)
        if interaction is None or interaction["token"] != token:
            return 404, _error(10062, "Unknown interaction")
        if iid in self._acked:
            return 400, _error(40060, "Interaction has already been acknowledged.")
        body = req.json or {}
        ctype, data = int(body.get("type", 0)), body.get("data")
        invalid = self._invalid_message(data or {}) if ctype in (4, 7) else ""
        if invalid:
            return 400, _error(50035, f"Invalid Form Body: {invalid}")
        self._acked.add(iid)
        self.callbacks.append(Callback(iid, token, ctype, data, interaction))
        if self.callback_gate is not None:
            await self.callback_gate.wait()
        cid = int(interaction["channel_id"])
        message: dict[str, Any] | None = None
        flags = int((data or {}).get("flags") or 0)
        if ctype == 4:
            message = self._message_obj(cid, data or {}, webhook=True)
        elif ctype == 5:
            message = self._message_obj(cid, {"flags": flags | 128}, webhook=True)
        elif ctype == 7 and interaction.get("message"):
            message = {**interaction["message"], **(data or {}), "edited_timestamp": _now_iso()}
        if message is not None:
            self._originals[token] = message
            self._stored_messages[int(message["id"])] = message
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        info: dict[str, Any] = {
            "id": str(iid),
            "type": interaction["type"],
            "response_message_loading": ctype == 5,
            "response_message_ephemeral": bool(flags & 64),
        }
        out: dict[str, Any] = {"interaction": info}
        if message is not None:
            info["response_message_id"] = message["id"]
            out["resource"] = {"type": ctype, "message": message}
        return 200, out

    def _interaction_for_token(self, m: re.Match[str]) -> dict[str, Any] | None:
        if not self._check_app(m):
            return None
        return next((i for i in self._interactions.values() if i["token"] == m["token"]), None)

    def _h_followup(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        interaction = self._interaction_for_token(m)
        if interaction is None:
            return 404, _error(10015, "Unknown Webhook")
        if int(interaction["id"]) not in self._acked:
            return 404, _error(10015, "Unknown Webhook")
        cid = int(interaction["channel_id"])
        message = self._message_obj(cid, req.json or {}, webhook=True, files=req.files)
        self._record_message(req, "followup", cid, message)
        return 200, message

    def _wh_target(self, m: re.Match[str]) -> dict[str, Any] | None:
        if self._interaction_for_token(m) is None:
            return None
        if m["wmid"] == "@original":
            return self._originals.get(m["token"])
        return self._stored_messages.get(int(m["wmid"]))

    def _h_wh_get(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        target = self._wh_target(m)
        return (200, target) if target else (404, _error(10008, "Unknown Message"))

    def _h_wh_edit(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        target = self._wh_target(m)
        if target is None:
            return 404, _error(10008, "Unknown Message")
        self._apply_edit(target, req.json or {})
        self._record_message(req, "webhook_edit", int(target["channel_id"]), target)
        return 200, target

    def _h_wh_del(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        target = self._wh_target(m)
        if target is None:
            return 404, _error(10008, "Unknown Message")
        self._stored_messages.pop(int(target["id"]), None)
        if m["wmid"] == "@original":
            self._originals.pop(m["token"], None)
        return 204, None

    @staticmethod
    def _apply_edit(target: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in ("content", "components", "flags"):
            if key in body:
                target[key] = body[key] if body[key] is not None else target.get(key)
        if "embeds" in body:
            target["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        target["edited_timestamp"] = _now_iso()

    async def _h_post_message(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        channel = self.channels.get(cid) or self.threads.get(cid)
        if channel is None:
            return 404, _error(10003, "Unknown Channel")
        body = req.json or {}
        if not (body.get("content") or body.get("embeds") or body.get("components") or req.files):
            return 400, _error(50006, "Cannot send an empty message")
        invalid = self._invalid_message(body)
        if invalid:
            return 400, _error(50035, f"Invalid Form Body: {invalid}")
        if cid in self.threads:
            refused = self._thread_refuses_post(cid)
            if refused:
                return refused
        nonce = str(body.get("nonce") or "")
        earlier = self._nonces.get((cid, nonce)) if body.get("enforce_nonce") else None
        if earlier is not None and time.monotonic() - earlier[0] < NONCE_WINDOW:
            return 200, earlier[1]  # the message the same nonce made: nothing new is posted
        message = self._message_obj(cid, body, files=req.files)
        if nonce:
            message["nonce"] = nonce
            self._nonces[(cid, nonce)] = (time.monotonic(), message)
        posted = self._record_message(req, "channel", cid, message)
        if cid in self.threads and self.threads[cid]["type"] == 12:
            posted.visible_to = frozenset(self.thread_members.get(cid, set()))
        channel["last_message_id"] = message["id"]
        if channel["type"] == 1:
            await self._emit("MESSAGE_CREATE", message, INTENT_DIRECT_MESSAGES)
        else:
            gw = {
                **message,
                "guild_id": str(self.guild_id),
                "member": self.member(self.bot_user_id),
            }
            gw["member"].pop("user")
            await self._emit("MESSAGE_CREATE", gw, INTENT_GUILD_MESSAGES)
        if self.post_delay:  # the message is there; only the answer is slow
            await asyncio.sleep(self.post_delay)
        return 200, message

    @staticmethod
    def _invalid_message(body: Mapping[str, Any]) -> str:
        """What Discord's form validation would refuse in a message body, if anything."""
        if len(body.get("content") or "") > MAX_CONTENT:
            return f"content: Must be {MAX_CONTENT} or fewer in length."
        users = (body.get("allowed_mentions") or {}).get("users") or []
        if len(users) > MAX_MENTIONED_USERS:
            return f"allowed_mentions.users: Must be {MAX_MENTIONED_USERS} or fewer in length."
        for row in body.get("components") or []:
            for part in row.get("components") or []:
                if len(str(part.get("custom_id", ""))) > MAX_CUSTOM_ID:
                    return f"custom_id: Must be {MAX_CUSTOM_ID} or fewer in length."
        return ""

    def _thread_refuses_post(self, cid: int) -> tuple[int, Any] | None:
        """A locked thread takes no posts (from a bot without Manage Threads, as Discord asks
        of anyone unarchiving a locked thread); an archived one is unarchived by a post."""
        meta = self.threads[cid]["thread_metadata"]
        if meta["locked"] and meta["archived"]:
            return 400, _error(50083, "Thread is archived")
        meta["archived"] = False
        outside = self.bot_user_id not in self.thread_members.get(cid, set())
        private = self.threads[cid]["type"] == 12
        if outside and private and not self._bot_can(PERM_MANAGE_THREADS):
            return 403, _error(50001, "Missing Access")
        return None

    def _bot_can(self, permission: int) -> bool:
        return bool(int(self.member(self.bot_user_id)["permissions"]) & permission)

    def lock_thread(self, thread_id: int) -> None:
        """A moderator locks (and so archives) a thread."""
        meta = self.threads[thread_id]["thread_metadata"]
        meta["locked"] = meta["archived"] = True

    def archive_thread(self, thread_id: int) -> None:
        """Discord archives a thread after its inactivity window."""
        self.threads[thread_id]["thread_metadata"]["archived"] = True

    def delete_thread(self, thread_id: int) -> None:
        """Someone deletes the thread."""
        del self.threads[thread_id]
        self.thread_members.pop(thread_id, None)

    def _h_get_message(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        msg = self._stored_messages.get(int(m["mid"]))
        if msg is None or int(msg["channel_id"]) != int(m["cid"]):
            return 404, _error(10008, "Unknown Message")
        return 200, msg

    def _h_edit_message(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        status, msg = self._h_get_message(req, m)
        if status != 200:
            return status, msg
        self._apply_edit(msg, req.json or {})
        self._record_message(req, "channel_edit", int(m["cid"]), msg)
        return 200, msg

    def _h_delete_message(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        status, msg = self._h_get_message(req, m)
        if status != 200:
            return status, msg
        self._stored_messages.pop(int(m["mid"]))
        return 204, None

    async def _make_thread(
        self, parent_id: int, thread_id: int, body: Mapping[str, Any], ttype: int
    ) -> dict[str, Any]:
        now = _now_iso()
        thread = {
            "id": str(thread_id),
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(self.bot_user_id),
            "type": ttype,
            "name": body.get("name", "thread"),
            "last_message_id": None,
            "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": now,
                "locked": False,
                "invitable": bool(body.get("invitable", True)),
                "create_timestamp": now,
            },
        }
        self.threads[thread_id] = thread
        self.thread_members[thread_id] = {self.bot_user_id}
        await self._emit("THREAD_CREATE", {**thread, "newly_created": True}, INTENT_GUILDS)
        return thread

    async def _h_thread_from_message(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        cid, mid = int(m["cid"]), int(m["mid"])
        if cid not in self.channels:
            return 404, _error(10003, "Unknown Channel")
        if mid in self.threads:
            return 400, _error(160004, "A thread has already been created for this message")
        msg = self._stored_messages.get(mid)
        if msg is not None:
            msg["thread"] = {"id": str(mid)}
        return 201, await self._make_thread(cid, mid, req.json or {}, 11)

    async def _h_thread(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        if cid not in self.channels:
            return 404, _error(10003, "Unknown Channel")
        body = req.json or {}
        ttype = int(body.get("type") or 12)  # Discord's default, in API v9 and v10
        needed = PERM_CREATE_PRIVATE_THREADS if ttype == 12 else PERM_CREATE_PUBLIC_THREADS
        if not self._bot_can(needed):
            return 403, _error(50013, "Missing Permissions")
        return 201, await self._make_thread(cid, self._snowflake(), body, ttype)

    def _h_thread_member(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        """Add Thread Member (or Join Thread, for @me): the thread must not be archived; the
        adder must be able to send in it; adding others to a private thread whose members
        may not invite needs Manage Threads; a thread holds at most 1,000 members."""
        cid = int(m["cid"])
        if cid not in self.threads:
            return 404, _error(10003, "Unknown Channel")
        thread = self.threads[cid]
        if thread["thread_metadata"]["archived"]:
            return 400, _error(50083, "Thread is archived")
        uid = self.bot_user_id if m["who"] == "@me" else int(m["who"])
        if uid not in self.member_roles:
            return 404, _error(10007, "Unknown Member")
        members = self.thread_members.setdefault(cid, set())
        if uid != self.bot_user_id and thread["type"] == 12:
            invitable = thread["thread_metadata"]["invitable"]
            if not invitable and not self._bot_can(PERM_MANAGE_THREADS):
                return 403, _error(50013, "Missing Permissions")
        if uid not in members and len(members) >= self.max_thread_members:
            return 400, _error(30033, "Maximum number of thread participants reached")
        members.add(uid)
        return 204, None

    def _h_remove_thread_member(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        """Remove Thread Member: not on an archived thread; needs Manage Threads unless the
        bot created the private thread."""
        cid = int(m["cid"])
        if cid not in self.threads:
            return 404, _error(10003, "Unknown Channel")
        thread = self.threads[cid]
        if thread["thread_metadata"]["archived"]:
            return 400, _error(50083, "Thread is archived")
        own_private = thread["type"] == 12 and int(thread["owner_id"]) == self.bot_user_id
        if not own_private and not self._bot_can(PERM_MANAGE_THREADS):
            return 403, _error(50013, "Missing Permissions")
        self.thread_members.get(cid, set()).discard(int(m["who"]))
        return 204, None

    def _h_get_channel(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        channel = self.channels.get(cid) or self.threads.get(cid)
        if channel is None:
            return 404, _error(10003, "Unknown Channel")
        return 200, dict(channel)

    def _h_edit_channel(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        cid = int(m["cid"])
        channel = self.channels.get(cid) or self.threads.get(cid)
        if channel is None:
            return 404, _error(10003, "Unknown Channel")
        body = dict(req.json or {})
        meta = channel.get("thread_metadata")
        if meta is not None:
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body.pop(key)
        channel.update(body)
        return 200, dict(channel)

    def _guild_or_404(self, m: re.Match[str]) -> tuple[int, Any] | None:
        if int(m["gid"]) != self.guild_id:
            return 404, _error(10004, "Unknown Guild")
        return None

    def _h_get_guild(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        missing = self._guild_or_404(m)
        if missing:
            return missing
        guild = self.guild_payload()
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            guild.pop(key, None)
        return 200, guild

    def _h_guild_channels(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        return self._guild_or_404(m) or (200, self.guild_payload()["channels"])

    def _h_guild_roles(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        return self._guild_or_404(m) or (200, list(self.roles.values()))

    def _h_guild_member(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        missing = self._guild_or_404(m)
        if missing:
            return missing
        uid = int(m["uid"])
        if uid not in self.member_roles:
            return 404, _error(10007, "Unknown Member")
        member = self.member(uid)
        member.pop("permissions")
        return 200, member

    def _event_or_404(self, m: re.Match[str]) -> tuple[dict[str, Any] | None, tuple[int, Any]]:
        missing = self._guild_or_404(m)
        if missing:
            return None, missing
        event = self.events.get(int(m["eid"]))
        if event is None:
            return None, (404, _error(10070, "Unknown Guild Scheduled Event"))
        return event, (200, event)

    def _h_list_events(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        return self._guild_or_404(m) or (200, list(self.events.values()))

    def _h_get_event(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        return self._event_or_404(m)[1]

    async def _h_create_event(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        missing = self._guild_or_404(m)
        if missing:
            return missing
        body = dict(req.json or {})
        for key in ("name", "privacy_level", "scheduled_start_time", "entity_type"):
            if key not in body:
                return 400, _error(50035, f"Invalid Form Body: {key} is required")
        if body["entity_type"] == 3 and not (body.get("entity_metadata") or {}).get("location"):
            return 400, _error(50035, "Invalid Form Body: entity_metadata.location is required")
        eid = self._snowflake()
        event = {
            "id": str(eid),
            "guild_id": str(self.guild_id),
            "channel_id": None,
            "creator_id": str(self.bot_user_id),
            "creator": self.user(self.bot_user_id),
            "description": None,
            "scheduled_end_time": None,
            "entity_id": None,
            "entity_metadata": None,
            "image": None,
            "recurrence_rule": None,
            "user_count": 0,
            **body,
            "status": 1,
        }
        self.events[eid] = event
        self.event_actions.append(("create", eid, body))
        await self._emit("GUILD_SCHEDULED_EVENT_CREATE", event, INTENT_GUILD_SCHEDULED_EVENTS)
        return 200, event

    async def _h_edit_event(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        event, answer = self._event_or_404(m)
        if event is None:
            return answer
        body = dict(req.json or {})
        event.update(body)
        self.event_actions.append(("edit", int(event["id"]), body))
        await self._emit("GUILD_SCHEDULED_EVENT_UPDATE", event, INTENT_GUILD_SCHEDULED_EVENTS)
        return 200, event

    async def _h_delete_event(self, req: Request, m: re.Match[str]) -> tuple[int, Any]:
        event, answer = self._event_or_404(m)
        if event is None:
            return answer
        eid = int(event["id"])
        del self.events[eid]
        self.event_actions.append(("delete", eid, {}))
        await self._emit("GUILD_SCHEDULED_EVENT_DELETE", event, INTENT_GUILD_SCHEDULED_EVENTS)
        return 204, None
