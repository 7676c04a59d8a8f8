"""`/cop calendar link` on Slack and Discord, and the pages sharing Slack's HTTP port.

Slack in HTTP mode serves the calendar pages on its own port (one port to open and proxy);
on Discord the link's option exists in the synced command tree with its choices.
"""

# The Discord fixtures are imported from conftest_discord by name (ruff sees redefinitions).
# ruff: noqa: F401, F811

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.config import WebConfig
from bot.domain.clock import FakeClock
from bot.web.server import WebSite
from tests.adapters.conftest import NOW, SIGNING_SECRET, make_adapter, make_config
from tests.adapters.conftest_discord import adapter, dc
from tests.adapters.conftest_discord import build_app as build_discord_app
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_slack import FakeSlack, http_body, sign_request

WEB = WebConfig(base_url="https://calendar.example.org", public=True)
LINK = re.compile(r"https://calendar\.example\.org(/calendar/[A-Za-z0-9_-]{43}\.ics)")
EPHEMERAL = 64


async def test_slack_http_mode_serves_the_calendar_on_its_own_port(
    tmp_path: Path, slack: FakeSlack
) -> None:
    app = App.build(make_config(tmp_path, slack, web=WEB), FakeClock(NOW))
    site = WebSite(app.community)
    adapter = make_adapter(app, http=True, port=0, host="127.0.0.1", routes=site.shared_routes)
    await adapter.start()
    base = f"http://127.0.0.1:{adapter.http_port}"
    body, content_type = http_body(
        "slash_commands",
        slack.slash_payload("calendar link", user_id="U1", response_url=slack.response_url("c")),
    )
    try:
        async with aiohttp.ClientSession() as http:
            headers = {"Content-Type": content_type, **sign_request(body, SIGNING_SECRET)}
            async with http.post(f"{base}/slack/events", data=body, headers=headers) as resp:
                assert resp.status == 200
                answer = await resp.json()  # the answer rides on the acknowledgement
            assert answer.get("response_type", "ephemeral") == "ephemeral"
            found = LINK.search(answer["text"])
            assert found, answer["text"]
            async with http.get(base + found[1]) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
                assert b"BEGIN:VCALENDAR" in await resp.read()
            async with http.get(f"{base}/") as resp:
                assert resp.status == 200 and "What&#x27;s on" in await resp.text()
            async with http.get(f"{base}/healthz") as resp:
                assert resp.status == 200
            async with http.get(f"{base}/calendar/nothing.ics") as resp:
                assert (resp.status, await resp.text()) == (404, "Not found")
    finally:
        await adapter.stop()
        app.close()


@pytest.fixture
def app(dc: FakeDiscord, tmp_path: Path) -> Iterator[App]:
    built = build_discord_app(tmp_path, dc, web=WEB)
    yield built
    built.close()


async def test_discord_offers_the_link_option_and_answers_privately(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    cop = dc.synced_commands[dc.guild_id][0]
    calendar = next(o for o in cop["options"] if o["name"] == "calendar")
    options = {o["name"]: [c["value"] for c in o.get("choices", [])] for o in calendar["options"]}
    assert options == {"which": ["all", "mine", "link"], "change": ["reset", "mine", "all"]}
    member = dc.add_user("member")
    first = await dc.invoke(dc.slash("cop", "calendar", {"which": "link"}, user_id=member))
    assert first.flags & EPHEMERAL
    old = LINK.search(first.content or "")
    assert old, first.content
    reset = {"which": "link", "change": "reset"}
    again = await dc.invoke(dc.slash("cop", "calendar", reset, user_id=member))
    new = LINK.search(again.content or "")
    assert again.flags & EPHEMERAL and new and new[1] != old[1]
