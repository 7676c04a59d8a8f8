"""Starting, setup checks, reconnecting, HTTP mode and the run loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.slack import SlackAdapter, SlackSetupError
from bot.app import App
from bot.config import Secrets
from bot.scheduling.runtime import Runtime
from bot.serve import serve
from tests.adapters.conftest import SIGNING_SECRET, add_session, cop, make_adapter, make_config
from tests.fakes.fake_slack import FakeSlack, http_body, sign_request


async def test_a_dropped_socket_reconnects_and_the_next_command_is_answered(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    opened = len(slack.calls_to("apps.connections.open"))  # the start's check, and the socket
    await slack.drop_socket()
    await slack.wait_connected(min_connections=2)

    body = await cop(slack, "help")

    assert "/cop sessions" in body["text"]
    assert len(slack.calls_to("apps.connections.open")) == opened + 1


async def test_start_names_a_channel_the_bot_is_not_in(slack: FakeSlack, app: App) -> None:
    slack.set_default(
        "conversations.info", {"ok": True, "channel": {"id": "C1", "is_member": False}}
    )
    adapter = make_adapter(app)
    await adapter.start()
    await adapter.stop()

    assert any("/invite @copbot" in p and "C1" in p for p in adapter.problems)


async def test_start_names_scopes_the_token_was_not_granted(
    slack: FakeSlack, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = make_adapter(app)  # the fake's auth.test grants only four scopes
    with caplog.at_level(logging.WARNING):
        await adapter.start()
    await adapter.stop()

    missing = ("mpim:write", "files:write", "channels:read", "groups:read")
    # to look before resending
    history = ("im:history", "mpim:history", "channels:history", "groups:history")
    assert len(adapter.problems) == len(missing + history)
    for scope in missing + history:
        assert f"lacks the {scope} scope" in caplog.text
    assert all("reinstall the app" in p for p in adapter.problems)


async def test_start_names_the_scope_a_call_needed(slack: FakeSlack, app: App) -> None:
    slack.set_default("auth.test", {"ok": True, "user": "copbot", "user_id": "UBOT"})
    slack.set_default(
        "conversations.info", {"ok": False, "error": "missing_scope", "needed": "channels:read"}
    )
    adapter = make_adapter(app)
    await adapter.start()
    await adapter.stop()

    [problem] = adapter.problems
    assert "lacks the channels:read scope" in problem and "announcement channel" in problem


async def test_a_bad_token_stops_the_start(slack: FakeSlack, app: App) -> None:
    slack.set_default("auth.test", {"ok": False, "error": "invalid_auth"})

    with pytest.raises(SlackSetupError, match="invalid_auth"):
        await make_adapter(app).start()


async def test_missing_secrets_are_named(tmp_path: Path, slack: FakeSlack) -> None:
    no_app_token = Secrets(slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET)
    app = App.build(make_config(tmp_path, slack, secrets=no_app_token))
    try:
        with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN"):
            await make_adapter(app).start()
        bare = Secrets(slack_bot_token="xoxb-test", slack_app_token="xapp-test")
        http_app = App.build(make_config(tmp_path, slack, secrets=bare))
        with pytest.raises(SlackSetupError, match="SLACK_SIGNING_SECRET"):
            await make_adapter(http_app, http=True).start()
        http_app.close()
    finally:
        app.close()


# ----------------------------------------------------------------------------- HTTP mode


async def test_http_mode_checks_signatures_and_answers(slack: FakeSlack, app: App) -> None:
    adapter = make_adapter(app, http=True, port=0, host="127.0.0.1")
    await adapter.start()
    base = f"http://127.0.0.1:{adapter.http_port}"
    body, content_type = http_body(
        "slash_commands", slack.slash_payload("help", response_url=slack.response_url("h"))
    )
    headers = {"Content-Type": content_type}
    try:
        async with aiohttp.ClientSession() as http:

            async def post(signature: dict[str, str]) -> tuple[int, str]:
                url = f"{base}/slack/events"
                async with http.post(url, data=body, headers={**headers, **signature}) as resp:
                    return resp.status, await resp.text()

            status, acknowledged = await post(sign_request(body, SIGNING_SECRET))
            assert status == 200
            assert (await post(sign_request(body, "wrong-secret")))[0] == 401
            stale = sign_request(body, SIGNING_SECRET, timestamp=int(time.time()) - 6 * 60)
            assert (await post(stale))[0] == 401
            async with http.get(f"{base}/healthz") as resp:
                assert resp.status == 200
    finally:
        await adapter.stop()

    answer = json.loads(acknowledged)  # the answer rides on the acknowledgement
    assert "/cop sessions" in answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert slack.responses_to("h") == []  # nothing else was sent, refused requests ran nothing


# ----------------------------------------------------------------------------- serve


async def test_serve_sends_what_a_command_queued(slack: FakeSlack, app: App) -> None:
    adapter = make_adapter(app)
    running = asyncio.create_task(serve(adapter, Runtime(app.community, adapter)))
    try:
        await slack.wait_connected()
        add_session(app)  # queues the announcement
        await cop(slack, "sessions")
        [posted] = await slack.wait_for_call("chat.postMessage")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert posted.params["channel"] == "C1"
    assert json.loads(json.dumps(posted.params["blocks"]))
    assert app.community.deliveries.get("announce:1").status == "sent"  # type: ignore[union-attr]
    await asyncio.wait_for(_closed(slack), 3)


async def test_a_stop_during_the_first_tick_lets_its_send_finish(
    slack: FakeSlack, app: App
) -> None:
    """On a simulated clock (a rehearsal) the first tick runs as the bot starts; a stop
    then must wait for its sends as for any other tick's, not cut one off half-sent."""
    add_session(app)  # queues the announcement: the first tick sends it
    slack.delay("chat.postMessage", 0.3)
    adapter = make_adapter(app)
    running = asyncio.create_task(serve(adapter, Runtime(app.community, adapter)))
    await slack.wait_for_call("chat.postMessage")  # on its way, not yet answered
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert app.community.deliveries.get("announce:1").status == "sent"  # type: ignore[union-attr]
    assert len(slack.calls_to("chat.postMessage")) == 1


async def _closed(slack: FakeSlack) -> None:
    while slack.live_connections:
        await asyncio.sleep(0.01)
