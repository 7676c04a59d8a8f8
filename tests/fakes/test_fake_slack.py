"""Prove FakeSlack is faithful enough for a real slack-bolt AsyncApp to run against it.

Why: the Slack adapter's tests will trust this fake. If bolt and slack_sdk (unmodified)
can connect, ack, respond, retry and reconnect against it, then adapter tests that
pass here exercise the same code paths that run in production.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.fake_slack import FakeSlack, http_body, sign_request

SIGNING_SECRET = "test-signing-secret"
# The SDK pings every ping_interval and declares the socket stale after 4x that with no
# pong; it also only notices an aborted TCP connection on that cycle. 0.3 s keeps
# reconnect tests fast without spurious "stale" reconnects on a loaded CI box.
PING_INTERVAL = 0.3


def make_app(slack: FakeSlack) -> AsyncApp:
    """Build the AsyncApp the way the adapter should: one client pointed at the fake.

    Only ``client`` is passed (bolt takes the token from it and warns if ``token`` is
    given too). bolt copies base_url and retry_handlers into its per-request clients,
    and the Socket Mode handler defaults its web_client to ``app.client``, so this one
    client is enough to keep every call on 127.0.0.1.
    """
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    # Append rather than replace: the default list holds the connection-error handler.
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return AsyncApp(client=client, signing_secret=SIGNING_SECRET)


@pytest.fixture
async def app(slack: FakeSlack) -> AsyncApp:
    return make_app(slack)


@pytest.fixture
async def handler(app: AsyncApp, slack: FakeSlack) -> AsyncIterator[AsyncSocketModeHandler]:
    # Must be built inside a running loop: the SDK client creates an aiohttp session and
    # starts its message-processing task in __init__.
    socket_handler = AsyncSocketModeHandler(app, app_token="xapp-test", ping_interval=PING_INTERVAL)
    await socket_handler.connect_async()
    await slack.wait_connected()
    yield socket_handler
    await close_handler(socket_handler)


async def close_handler(socket_handler: AsyncSocketModeHandler) -> None:
    """Close the handler and reap the tasks its client cancels but never awaits."""
    client = socket_handler.client
    await socket_handler.close_async()
    tasks = [
        t
        for t in (client.message_processor, client.current_session_monitor, client.message_receiver)
        if t is not None
    ]
    await asyncio.gather(*tasks, return_exceptions=True)


# ---------------------------------------------------------------------------- Socket Mode


async def test_hello_and_connection_bookkeeping(slack: FakeSlack, app: AsyncApp) -> None:
    socket_handler = AsyncSocketModeHandler(app, app_token="xapp-test", ping_interval=PING_INTERVAL)
    seen: list[dict[str, Any]] = []

    async def on_message(client: Any, message: dict[str, Any], raw: str | None) -> None:
        seen.append(message)

    socket_handler.client.message_listeners.append(on_message)
    await socket_handler.connect_async()
    try:
        await _eventually(lambda: any(m.get("type") == "hello" for m in seen))
        await slack.wait_connected()
        assert slack.connections == 1
        assert slack.live_connections == 1
        [open_call] = slack.calls_to("apps.connections.open")
        assert open_call.token == "xapp-test"
        assert await socket_handler.client.is_connected()
    finally:
        await close_handler(socket_handler)
    await _eventually(lambda: slack.live_connections == 0)


async def test_slash_command_is_acked_and_respond_lands_at_response_url(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    seen: list[dict[str, Any]] = []

    @app.command("/cop")
    async def cop(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        seen.append(command)
        await ack("On it")
        await respond(f"you said {command['text']}")

    url = slack.response_url("cop-1")
    ack = await slack.send_envelope(
        "slash_commands", slack.slash_payload("help me", response_url=url), True
    )

    assert ack["envelope_id"] == slack.envelopes[-1]["envelope_id"]
    assert ack["payload"] == {"text": "On it"}
    [body] = await slack.wait_for_response("cop-1")
    assert body["text"] == "you said help me"
    assert seen[0]["user_id"] == "U1" and seen[0]["channel_id"] == "C1"
    # bolt's single-team authorization asks auth.test once, with the bot token.
    [auth] = slack.calls_to("auth.test")
    assert auth.token == "xoxb-test"


async def test_block_action_ack_then_api_call(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    @app.action("join")
    async def join(ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"joined {action['value']}")

    ack = await slack.send_envelope("interactive", slack.block_action_payload("join", "cop-42"))

    assert "payload" not in ack
    [call] = await slack.wait_for_call("chat.postMessage")
    assert call.params["channel"] == "U1"
    assert call.params["text"] == "joined cop-42"
    assert call.token == "xoxb-test"


async def test_view_submission_ack_can_carry_errors(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    @app.view("propose")
    async def propose(ack: Any, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["title"]["title_input"]["value"]
        if not title.strip():
            await ack(response_action="errors", errors={"title": "Give it a title"})
            return
        await ack()

    state = {"title": {"title_input": {"type": "plain_text_input", "value": "  "}}}
    ack = await slack.send_envelope(
        "interactive", slack.view_submission_payload("propose", state, private_metadata="m"), True
    )

    assert ack["payload"] == {"response_action": "errors", "errors": {"title": "Give it a title"}}


async def test_app_home_opened_publishes_home(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    published: list[str] = []

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: Any) -> None:
        resp = await client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": []}
        )
        published.append(resp["view"]["id"])

    ack = await slack.send_envelope("events_api", slack.app_home_opened_event("U7"))

    assert "payload" not in ack
    [call] = await slack.wait_for_call("views.publish")
    assert call.params["user_id"] == "U7"
    assert call.params["view"]["type"] == "home"
    await _eventually(lambda: len(published) == 1)


async def test_dropped_socket_reconnects_and_next_envelope_is_acked(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    @app.event("app_home_opened")
    async def home() -> None:
        return None

    await slack.drop_socket()
    await slack.wait_connected(min_connections=2)

    assert len(slack.calls_to("apps.connections.open")) == 2
    ack = await slack.send_envelope("events_api", slack.app_home_opened_event("U2"))
    assert ack["envelope_id"] == slack.envelopes[-1]["envelope_id"]


async def test_graceful_close_and_disconnect_message_both_reconnect(
    slack: FakeSlack, app: AsyncApp, handler: AsyncSocketModeHandler
) -> None:
    @app.event("app_home_opened")
    async def home() -> None:
        return None

    await slack.drop_socket(graceful=True)
    await slack.wait_connected(min_connections=2)
    await slack.send_disconnect("refresh_requested")
    await slack.wait_connected(min_connections=3)

    await slack.send_envelope("events_api", slack.app_home_opened_event("U3"))
    assert len(slack.calls_to("apps.connections.open")) == 3
    # After a disconnect message the SDK closes the old socket itself.
    await _eventually(lambda: slack.live_connections == 1)


async def test_unhandled_envelope_gets_no_ack(
    slack: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    # bolt answers unmatched requests with 404, and the Socket Mode adapter sends no ack
    # for non-200 results, so Slack would retry. The fake surfaces that as a timeout.
    with pytest.raises(TimeoutError):
        await slack.send_envelope(
            "interactive", slack.block_action_payload("nobody", "x"), timeout=0.5
        )


# ---------------------------------------------------------------------------- Web API


async def test_rate_limit_is_retried_after_retry_after(slack: FakeSlack, app: AsyncApp) -> None:
    slack.script(
        "chat.postMessage",
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": "1"},
    )

    resp = await app.client.chat_postMessage(channel="C1", text="hello")

    assert resp["ok"] and resp["channel"] == "C1"
    first, second = slack.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0  # Retry-After honoured (plus up to 1 s of jitter)


async def test_scripted_error_and_defaults(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    slack.script("chat.postMessage", {"ok": False, "error": "not_in_channel"})

    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C9", text="hi")
    assert err.value.response["error"] == "not_in_channel"

    first = await client.chat_postMessage(channel="C9", text="hi")
    second = await client.chat_postMessage(channel="U5", text="dm")
    assert float(second["ts"]) > float(first["ts"])
    assert second["channel"] == "DU5"

    user = await client.users_info(user="U5")
    assert user["user"]["tz"] == "Europe/London"
    info = await client.conversations_info(channel="C9")
    assert info["channel"]["is_member"] is True
    opened = await client.conversations_open(users="U5")
    assert opened["channel"]["id"] == "DU5"
    members = await client.usergroups_users_list(usergroup="S1")
    assert members["users"] == []
    view = await client.views_open(trigger_id="t", view={"type": "modal", "callback_id": "x"})
    assert view["view"]["id"]

    with pytest.raises(SlackApiError) as err:
        await client.api_call("no.such.method")
    assert err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as err:
        await AsyncWebClient(base_url=slack.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"


# ---------------------------------------------------------------------------- HTTP mode


async def test_http_mode_signature_checks(slack: FakeSlack) -> None:
    app = make_app(slack)

    @app.command("/cop")
    async def cop(ack: Any, respond: Any) -> None:
        await ack("pong")
        await respond("later")

    @app.action("join")
    async def join(ack: Any) -> None:
        await ack()

    url = slack.response_url("http-cop")
    body, content_type = http_body("slash_commands", slack.slash_payload("ping", response_url=url))
    now = int(time.time())

    async with TestClient(TestServer(app.web_app(), host="127.0.0.1")) as http:

        async def post(body: str, headers: dict[str, str]) -> tuple[int, str]:
            resp = await http.post(
                "/slack/events", data=body, headers={"Content-Type": content_type, **headers}
            )
            return resp.status, await resp.text()

        status, text = await post(body, sign_request(body, SIGNING_SECRET))
        assert (status, text) == (200, "pong")  # ack(text) is a text/plain body in HTTP mode

        bad = {**sign_request(body, SIGNING_SECRET), "X-Slack-Signature": "v0=" + "0" * 64}
        assert (await post(body, bad))[0] == 401
        assert (await post(body, sign_request(body, "wrong-secret")))[0] == 401
        stale = sign_request(body, SIGNING_SECRET, timestamp=now - 6 * 60)
        assert (await post(body, stale))[0] == 401

        click, content_type = http_body("interactive", slack.block_action_payload("join", "1"))
        assert (await post(click, sign_request(click, SIGNING_SECRET)))[0] == 200

    [later] = await slack.wait_for_response("http-cop")
    assert later["text"] == "later"


async def _eventually(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    """Poll for side effects of listener code that bolt runs after the ack."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
