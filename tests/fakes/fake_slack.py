"""An in-process fake of the parts of Slack that copbot talks to.

Why: the Slack adapter is built on slack-bolt's ``AsyncApp`` and the SDK's Socket Mode
client, and most of its bugs live in the wiring (acks, ``respond()``, retries,
reconnects), not in our own code. Mocking bolt would test our assumptions about bolt;
this fake instead lets the *real* bolt and slack_sdk code run against a server on
127.0.0.1, so tests exercise the same protocol paths as production without a network,
tokens, or a Slack workspace.

It speaks three things:

* the Web API (``POST``/``GET`` ``/api/<method>``), with plausible default answers and
  scriptable overrides (rate limits, errors);
* ``response_url`` endpoints (``/response/<name>``) that record what ``respond()`` sends;
* a Socket Mode websocket (``/link/``) that says ``hello``, delivers envelopes and
  collects the client's acks.

Plus builders for the payloads Slack sends and ``sign_request`` for HTTP mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import socket
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

from aiohttp import ClientSession, WSCloseCode, WSMsgType, web

TEAM_ID = "T1"
TEAM_DOMAIN = "copbot-test"
TEAM_NAME = "Copbot Test"
BOT_USER_ID = "UBOT"
BOT_ID = "B1"
APP_ID = "A1"
VERIFICATION_TOKEN = "fake-verification-token"

Json = dict[str, Any]
DefaultResponder = Json | Callable[["Call"], Json]

# Envelope kinds Slack uses over Socket Mode; anything else is almost certainly a typo.
ENVELOPE_KINDS = frozenset({"slash_commands", "interactive", "events_api"})


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received it.

    ``params`` merges the query string with the form or JSON body, because slack_sdk
    sends some methods' arguments in the query string (``params=``) even on POST.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    http_method: str = "POST"
    at: float = 0.0  # time.monotonic() on arrival, so tests can check retry spacing

    @property
    def token(self) -> str | None:
        """The token the caller authenticated with (Bearer header, else ``token`` param)."""
        auth = self.headers.get("Authorization") or self.headers.get("authorization") or ""
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        token = self.params.get("token")
        return token if isinstance(token, str) else None


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: Json
    headers: dict[str, str]


@dataclass
class _Socket:
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    ticket: str
    # False once we sent a "disconnect" or dropped it: new envelopes must wait for the
    # reconnection, as they would on real Slack.
    usable: bool = True


def sign_request(body: str, signing_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Return the headers Slack adds to an HTTP-mode request, signed the v0 way.

    Why: bolt's ``RequestVerification`` rejects anything unsigned, so HTTP-mode tests
    need real signatures; a fixed ``timestamp`` lets tests build stale requests.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def http_body(kind: str, payload: Json) -> tuple[str, str]:
    """Encode ``payload`` the way Slack POSTs it in HTTP mode; returns (body, content type).

    Why: Socket Mode hands bolt a parsed dict, but over HTTP slash commands are
    form-encoded, interactivity is a form field ``payload`` holding JSON, and events
    are JSON. Signing must cover exactly these bytes.
    """
    if kind == "slash_commands":
        return urlencode(payload), "application/x-www-form-urlencoded"
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    if kind == "events_api":
        return json.dumps(payload), "application/json"
    raise ValueError(f"unknown payload kind {kind!r}; expected one of {sorted(ENVELOPE_KINDS)}")


def _channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else f"chan-{channel_id}"


class FakeSlack:
    """A fake Slack on 127.0.0.1; use as ``async with FakeSlack() as slack:``.

    Everything it receives is recorded (``calls``, ``responses``, ``acks``) so tests
    assert on what the bot actually sent over the wire.
    """

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.calls: list[Call] = []
        self.responses: list[Json] = []
        self.acks: list[Json] = []
        self.envelopes: list[Json] = []
        self.connections = 0
        self._response_names: list[str] = []
        self._scripts: dict[str, deque[_Scripted]] = defaultdict(deque)
        self._defaults: dict[str, DefaultResponder] = {}
        self._sockets: list[_Socket] = []
        self._pending_acks: dict[str, asyncio.Future[Json]] = {}
        self._changed = asyncio.Condition()
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None
        self._refused: dict[str, str] = {}
        self._delays: dict[str, float] = {}
        self.refused_channels: dict[str, str] = {}
        # What chat.postMessage left in each conversation (for conversations.history).
        self.history: dict[str, list[Json]] = {}
        self._response_failures: dict[str, deque[int]] = defaultdict(deque)
        self.response_attempts: list[str] = []

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind a free port on ``host`` and start serving.

        Binding port 0 ourselves (rather than picking a number) avoids races between
        parallel test runs.
        """
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_get("/link/", self._handle_socket)
        # A short shutdown_timeout: open websockets would otherwise hold cleanup for 60 s.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close sockets, fail outstanding ack waits, and stop the server."""
        for sock in list(self._sockets):
            sock.usable = False
            try:
                await asyncio.wait_for(sock.ws.close(code=WSCloseCode.GOING_AWAY), 1.0)
            except (TimeoutError, ConnectionError):
                if sock.transport is not None:
                    sock.transport.abort()
        for fut in self._pending_acks.values():
            if not fut.done():
                fut.set_exception(ConnectionError("FakeSlack stopped before the ack arrived"))
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ URLs

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` with no trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Web API base URL for ``AsyncWebClient(base_url=...)``; ends in ``/api/``."""
        return f"{self.base_url}/api/"

    @property
    def socket_url(self) -> str:
        """Socket Mode URL without a ticket (``apps.connections.open`` adds one)."""
        return f"ws://{self.host}:{self.port}/link/"

    def response_url(self, name: str) -> str:
        """A ``response_url`` on the fake; what is POSTed there lands in ``responses``."""
        return f"{self.base_url}/response/{name}"

    # ------------------------------------------------------------------ scripting

    def script(
        self,
        method: str,
        response: Json,
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``response`` (FIFO).

        Why: failure paths (429 + ``Retry-After``, ``not_in_channel``...) are what the
        adapter must get right, and they are impossible to trigger on demand against
        real Slack.
        """
        for _ in range(times):
            self._scripts[method].append(_Scripted(status, dict(response), dict(headers or {})))

    def set_default(self, method: str, response: DefaultResponder) -> None:
        """Replace the default answer for ``method`` (a dict, or a function of the Call).

        Use this rather than ``script`` when every call should get the same answer,
        e.g. ``conversations.info`` with ``is_member: false``.
        """
        self._defaults[method] = response

    def refuse_channel(self, channel: str, error: str = "not_in_channel") -> None:
        """Answer posts to ``channel`` with ``error`` until ``allow_channel`` (posts elsewhere,
        such as DMs, still work), as when the bot is not in it or it was deleted."""
        self.refused_channels[channel] = error

    def allow_channel(self, channel: str) -> None:
        self.refused_channels.pop(channel, None)

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` only after ``seconds``, as a slow Slack would."""
        self._delays[method] = seconds

    def refuse_token(self, token: str, error: str = "invalid_auth") -> None:
        """Answer every call made with ``token`` with ``error``, as for a revoked token."""
        self._refused[token] = error

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method``, oldest first."""
        return [c for c in self.calls if c.method == method]

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; return those calls.

        Why: listeners keep running after ``ack()``, so their API calls arrive after the
        envelope ack; tests must wait rather than sleep.
        """
        await self._wait_until(
            lambda: len(self.calls_to(method)) >= count,
            timeout,
            f"{count} call(s) to {method} (saw {len(self.calls_to(method))})",
        )
        return self.calls_to(method)

    def fail_response_url(self, name: str, status: int = 500, times: int = 1) -> None:
        """Answer the next ``times`` POSTs to ``response_url(name)`` with ``status``.

        Why: Slack's response_url endpoints do fail (5xx), and expire (404 after 30
        minutes or five uses); the member's answer must still reach them.
        """
        self._response_failures[name].extend([status] * times)

    def responses_to(self, name: str) -> list[Json]:
        """Bodies POSTed to ``response_url(name)``, oldest first."""
        return [b for n, b in zip(self._response_names, self.responses, strict=True) if n == name]

    async def wait_for_response(
        self, name: str | None = None, count: int = 1, timeout: float = 5
    ) -> list[Json]:
        """Wait for ``count`` bodies at ``response_url(name)`` (any name if None)."""

        def bodies() -> list[Json]:
            return list(self.responses) if name is None else self.responses_to(name)

        await self._wait_until(
            lambda: len(bodies()) >= count, timeout, f"{count} response(s) at {name or 'any'}"
        )
        return bodies()

    # ------------------------------------------------------------------ Socket Mode

    @property
    def live_connections(self) -> int:
        """Websockets currently open (including ones told to disconnect)."""
        return len(self._sockets)

    async def wait_connected(self, timeout: float = 5, *, min_connections: int = 1) -> None:
        """Wait for a usable websocket and at least ``min_connections`` accepted in total.

        ``min_connections=2`` is how a test waits for a reconnect.
        """
        await self._wait_until(
            lambda: self._usable_socket() is not None and self.connections >= min_connections,
            timeout,
            f"a usable socket after {min_connections} connection(s) (saw {self.connections})",
        )

    async def send_envelope(
        self,
        kind: str,
        payload: Json,
        accepts_response_payload: bool = False,
        *,
        timeout: float = 5,
    ) -> Json:
        """Deliver an envelope over the newest usable socket and return the client's ack.

        Waits for a connection first (so it works right after a drop or disconnect),
        and raises ``TimeoutError`` if no ack with our ``envelope_id`` arrives in time,
        which is what Slack would treat as a failed delivery.
        """
        if kind not in ENVELOPE_KINDS:
            raise ValueError(f"unknown envelope kind {kind!r}; expected {sorted(ENVELOPE_KINDS)}")
        envelope_id = str(uuid.uuid4())
        envelope: Json = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        fut: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending_acks[envelope_id] = fut
        try:
            async with asyncio.timeout(timeout):
                await self.wait_connected(timeout)
                sock = self._usable_socket()
                assert sock is not None
                await sock.ws.send_json(envelope)
                self.envelopes.append(envelope)
                return await fut
        except TimeoutError as exc:
            raise TimeoutError(
                f"FakeSlack: no socket or no ack for the {kind} envelope within {timeout}s"
            ) from exc
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def send_http(
        self, url: str, kind: str, payload: Json, signing_secret: str
    ) -> tuple[int, str]:
        """POST ``payload`` to an HTTP-mode app at ``url``, encoded and signed as Slack does.

        Returns the status and body of the app's answer (the ack). One kept-alive session
        serves every call, as Slack's own delivery would reuse connections.
        """
        body, content_type = http_body(kind, payload)
        return await self.send_http_raw(url, body, content_type, signing_secret)

    async def send_http_raw(
        self, url: str, body: str, content_type: str, signing_secret: str
    ) -> tuple[int, str]:
        """POST exactly ``body`` (signed), for requests no real Slack would send."""
        headers = {"Content-Type": content_type, **sign_request(body, signing_secret)}
        if self._http is None:
            self._http = ClientSession()
        async with self._http.post(url, data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def drop_socket(self, graceful: bool = False) -> None:
        """Kill the newest usable websocket, as a network blip or Slack restart would.

        By default the TCP connection is aborted with no close frame: the SDK only
        notices on its next ping cycle (``ping_interval``). ``graceful=True`` sends a
        close frame instead, which the SDK answers by reconnecting at once.
        """
        sock = self._usable_socket()
        if sock is None:
            raise RuntimeError("no websocket to drop")
        sock.usable = False
        if graceful:
            await sock.ws.close(code=WSCloseCode.GOING_AWAY)
        elif sock.transport is not None:
            sock.transport.abort()
        async with self._changed:
            self._changed.notify_all()

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``{"type": "disconnect"}`` on the newest usable socket.

        The socket stays open (the client closes it after reconnecting), but new
        envelopes go to the next connection, mirroring Slack's connection refresh.
        """
        sock = self._usable_socket()
        if sock is None:
            raise RuntimeError("no websocket to send a disconnect on")
        sock.usable = False
        await sock.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        )
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ payload builders

    def slash_payload(
        self,
        text: str,
        user_id: str = "U1",
        channel_id: str = "C1",
        response_url: str | None = None,
        *,
        command: str = "/cop",
        user_name: str | None = None,
        channel_name: str | None = None,
    ) -> Json:
        """A slash-command payload as Slack sends it (all values are strings).

        ``response_url`` defaults to a fresh one on this fake, so ``respond()`` never
        leaves the machine.
        """
        n = next(self._counter)
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name or _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name or f"user-{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url or self.response_url(f"slash-{n}"),
            "trigger_id": self._trigger_id(n),
        }

    def block_action_payload(
        self,
        action_id: str,
        value: str,
        user_id: str = "U1",
        channel_id: str | None = "C1",
        *,
        block_id: str = "actions",
        response_url: str | None = None,
        message_ts: str = "1700000000.000100",
        view_id: str = "VHOME",
    ) -> Json:
        """A ``block_actions`` payload for a button click.

        With ``channel_id`` it comes from a message (and carries a ``response_url``);
        with ``channel_id=None`` it comes from the App Home view, which has neither a
        channel nor a ``response_url``, so ``respond()`` is unavailable there.
        """
        n = next(self._counter)
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "text": {"type": "plain_text", "text": value, "emoji": True},
            "action_ts": f"{1700000000 + n}.000{n:03d}",
        }
        payload: Json = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(n),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [action],
        }
        if channel_id is not None:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": f"chan-{channel_id}"}
            payload["message"] = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "ts": message_ts,
                "text": "",
                "blocks": [],
            }
            payload["response_url"] = response_url or self.response_url(f"action-{n}")
        else:
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = self._view(view_id, "home", callback_id="", state_values={})
        return payload

    def view_submission_payload(
        self,
        callback_id: str,
        state_values: dict[str, Any],
        user_id: str = "U1",
        private_metadata: str = "",
    ) -> Json:
        """A modal ``view_submission`` payload.

        ``state_values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}``,
        the shape listeners read from ``view["state"]["values"]``.
        """
        n = next(self._counter)
        view = self._view(f"V{n}", "modal", callback_id=callback_id, state_values=state_values)
        view["private_metadata"] = private_metadata
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(n),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def event_payload(self, event: Json) -> Json:
        """Wrap an inner event in the ``event_callback`` body of the Events API."""
        n = next(self._counter)
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{n}",
        }

    def app_home_opened_event(self, user_id: str, tab: str = "home") -> Json:
        """An ``app_home_opened`` event_callback body for ``user_id``."""
        return self.event_payload(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": f"D{user_id}",
                "tab": tab,
                "event_ts": f"{time.time():.6f}",
            }
        )

    # ------------------------------------------------------------------ internals

    def _trigger_id(self, n: int) -> str:
        return f"{n}.{1000 + n}.{uuid.uuid4().hex[:32]}"

    @staticmethod
    def _user(user_id: str) -> Json:
        name = f"user-{user_id.lower()}"
        return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}

    @staticmethod
    def _view(view_id: str, kind: str, *, callback_id: str, state_values: dict[str, Any]) -> Json:
        return {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": kind,
            "blocks": [],
            "private_metadata": "",
            "callback_id": callback_id,
            "state": {"values": state_values},
            "hash": f"{int(time.time())}.fakehash",
            "title": {"type": "plain_text", "text": "copbot"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }

    def _usable_socket(self) -> _Socket | None:
        for sock in reversed(self._sockets):
            if sock.usable and not sock.ws.closed:
                return sock
        return None

    async def _wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError as exc:
            raise TimeoutError(f"FakeSlack: timed out after {timeout}s waiting for {what}") from exc

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else getattr(value, "filename", "")
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(
            method=method,
            params=await self._read_params(request),
            headers=dict(request.headers),
            http_method=request.method,
            at=time.monotonic(),
        )
        self.calls.append(call)
        if method == "chat.postMessage":
            self._land(call)
        await self._notify()

        if method in self._delays:
            await asyncio.sleep(self._delays[method])
        queue = self._scripts.get(method)
        if queue:
            scripted = queue.popleft()
            return web.json_response(
                scripted.body, status=scripted.status, headers=scripted.headers
            )

        token = call.token
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        if token in self._refused:
            return web.json_response({"ok": False, "error": self._refused[token]})
        wants_app_token = method == "apps.connections.open"
        if wants_app_token != token.startswith("xapp-"):
            return web.json_response({"ok": False, "error": "not_allowed_token_type"})

        refused = self.refused_channels.get(str(call.params.get("channel", "")))
        if refused and method in ("chat.postMessage", "chat.postEphemeral"):
            return web.json_response({"ok": False, "error": refused})
        headers: dict[str, str] = {}
        responder = self._defaults.get(method)
        if responder is not None:
            body = responder(call) if callable(responder) else dict(responder)
        else:
            body = self._default_answer(call)
            if method == "auth.test":
                headers["x-oauth-scopes"] = "commands,chat:write,im:write,users:read"
        return web.json_response(body, headers=headers)

    def _land(self, call: Call) -> None:
        """A post lands in its conversation as it arrives, before any delay in the answer
        (as on Slack, where a slow answer does not mean the message is not there), unless
        it is to be refused or answered by a script."""
        channel = str(call.params.get("channel", ""))
        if self._scripts.get(call.method) or channel in self.refused_channels:
            return
        label = call.params.get("metadata")
        if isinstance(label, str):
            label = json.loads(label)
        message: Json = {"type": "message", "bot_id": BOT_ID, "text": call.params.get("text", "")}
        message["ts"] = f"1700000000.{next(self._counter):06d}"
        if label:
            message["metadata"] = label
        self.history.setdefault(channel, []).append(message)

    def _history(self, params: Json) -> Json:
        """conversations.history: newest first; metadata only when asked for, as on Slack."""
        every = list(reversed(self.history.get(str(params.get("channel", "")), [])))
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in every[:limit]
        ]
        return {"ok": True, "messages": shown, "has_more": len(every) > limit}

    def _default_answer(self, call: Call) -> Json:
        """Plausible success bodies, shaped like Slack's documented responses."""
        p = call.params
        n = next(self._counter)
        ts = f"1700000000.{n:06d}"
        match call.method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": f"https://{TEAM_DOMAIN}.slack.com/",
                    "team": TEAM_NAME,
                    "user": "copbot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            case "chat.postMessage":
                channel = str(p.get("channel", ""))
                if channel[:1] in ("U", "W"):  # posting to a user id lands in their DM
                    channel = f"D{channel}"
                message = {
                    "type": "message",
                    "user": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "text": p.get("text", ""),
                    "ts": ts,
                }
                if "blocks" in p:
                    message["blocks"] = p["blocks"]
                if "thread_ts" in p:
                    message["thread_ts"] = p["thread_ts"]
                return {"ok": True, "channel": channel, "ts": ts, "message": message}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            case "chat.update":
                return {
                    "ok": True,
                    "channel": p.get("channel"),
                    "ts": p.get("ts"),
                    "text": p.get("text", ""),
                    "message": {"type": "message", "text": p.get("text", ""), "user": BOT_USER_ID},
                }
            case "views.open" | "views.publish" | "views.update" | "views.push":
                view = p.get("view")
                if isinstance(view, str):
                    view = json.loads(view)
                view = view if isinstance(view, dict) else {}
                view_id = p.get("view_id") or f"V{n:06d}"
                return {
                    "ok": True,
                    "view": {
                        "id": view_id,
                        "type": view.get("type", "modal"),
                        "callback_id": view.get("callback_id", ""),
                        "private_metadata": view.get("private_metadata", ""),
                        "blocks": view.get("blocks", []),
                        "team_id": TEAM_ID,
                        "app_id": APP_ID,
                        "bot_id": BOT_ID,
                    },
                }
            case "conversations.history":
                return self._history(p)
            case "conversations.open":
                users = str(p.get("users", "")).split(",")
                if len(users) > 8:
                    return {"ok": False, "error": "too_many_users"}
                if len(users) > 1:  # a group DM (mpim) with them all and the bot: the same
                    # one for the same people, in whatever order they are named
                    mpim = "G" + "".join(sorted(users))
                    return {"ok": True, "channel": {"id": mpim, "is_mpim": True}}
                return {"ok": True, "channel": {"id": f"D{users[0]}"}}
            case "conversations.info":
                channel_id = str(p.get("channel", ""))
                return {
                    "ok": True,
                    "channel": {
                        "id": channel_id,
                        "name": f"chan-{channel_id}",
                        "is_channel": channel_id.startswith("C"),
                        "is_im": channel_id.startswith("D"),
                        "is_member": True,
                    },
                }
            case "usergroups.users.list":
                return {"ok": True, "users": []}
            case "users.info":
                user_id = str(p.get("user", ""))
                return {
                    "ok": True,
                    "user": {
                        "id": user_id,
                        "team_id": TEAM_ID,
                        "name": f"user-{user_id.lower()}",
                        "real_name": f"User {user_id}",
                        "tz": "Europe/London",
                        "tz_label": "Greenwich Mean Time",
                        "tz_offset": 0,
                        "is_bot": False,
                        "profile": {"real_name": f"User {user_id}", "display_name": ""},
                    },
                }
            case "apps.connections.open":
                ticket = uuid.uuid4()
                return {"ok": True, "url": f"{self.socket_url}?ticket={ticket}&app_id={APP_ID}"}
            case _:
                return {"ok": False, "error": "unknown_method"}

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.response_attempts.append(name)
        failures = self._response_failures.get(name)
        if failures:
            await self._notify()
            return web.Response(status=failures.popleft(), text="internal_error")
        if request.content_type == "application/json":
            body = await request.json()
        else:  # legacy form style: payload=<json>
            form = await request.post()
            raw = form.get("payload")
            body = json.loads(raw) if isinstance(raw, str) else dict(form)
        self._response_names.append(name)
        self.responses.append(body)
        await self._notify()
        return web.json_response({"ok": True})

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # autoping answers the SDK's ping-pong health checks
        await ws.prepare(request)
        sock = _Socket(ws=ws, transport=request.transport, ticket=request.query.get("ticket", ""))
        self._sockets.append(sock)
        self.connections += 1
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {
                        "host": "applink-fake",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": APP_ID},
                }
            )
            await self._notify()
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_client_message(sock, msg.data)
        except ConnectionError:
            pass  # dropped on purpose, or the client went away
        finally:
            sock.usable = False
            with contextlib.suppress(ValueError):
                self._sockets.remove(sock)
            await self._notify()
        return ws

    async def _on_client_message(self, sock: _Socket, data: str) -> None:
        try:
            message = json.loads(data)
        except json.JSONDecodeError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        self.acks.append(message)
        fut = self._pending_acks.get(message["envelope_id"])
        if fut is not None and not fut.done():
            fut.set_result(message)
        await self._notify()
