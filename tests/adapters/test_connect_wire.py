"""CONNECT introductions on the wire: each member's introduction in their own direct message,
with its buttons, and each button answered, on Slack (Socket Mode) and Discord (gateway)."""

# The Discord fixtures are imported by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

from typing import Any

from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.context import Actor
from bot.scheduling.courier import Courier
from tests.adapters.conftest import buttons, click, cop, plan, texts
from tests.adapters.conftest_discord import adapter as discord_adapter
from tests.adapters.conftest_discord import app as discord_app
from tests.adapters.conftest_discord import dc, planner
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_slack import FakeSlack

INTRO = "invited to a CONNECT conversation"
CHOICES = ("connect met", "connect cant", "connect not-again", "connect skip", "connect off")


async def test_slack_introductions_arrive_by_dm_and_every_button_answers(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    for user in ("U1", "U2"):
        await cop(slack, "sector health" if user == "U1" else "sector education", user=user)
        await cop(slack, "connect on", user=user)
    assert "1 introduction(s)" in plan(app, "/cop post-now connect").text

    await Courier(app.community, adapter).flush()

    posts = [c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]
    assert sorted(c.params["channel"] for c in posts) == ["DU1", "DU2"]
    first = next(c for c in posts if c.params["channel"] == "DU1")
    assert "Health, Education" in texts(first.params["blocks"])
    values = [b["value"] for b in buttons(first.params["blocks"])]
    assert [v.rsplit(" ", 1)[0] if v[-1].isdigit() else v for v in values[:5]] == list(CHOICES)

    answers = [texts(await click(slack, value, user="U1")) for value in values[:3]]
    assert "Lovely, thank you" in answers[0]
    assert "another round" in answers[1]
    assert "won't be introduced to them again" in answers[2]
    u1 = app.community.members.by_platform_id("slack", "U1")
    assert u1 is not None and app.community.connect.not_again() != []
    stopped = texts(await click(slack, "connect off", user="U1"))
    assert "CONNECT conversations are off" in stopped
    assert not app.community.connect.is_in(u1.id)


async def test_discord_introductions_arrive_by_dm_and_every_button_answers(
    dc: FakeDiscord, discord_app: App, discord_adapter: DiscordAdapter
) -> None:
    app = discord_app
    users = [dc.add_user(name) for name in ("ana", "ben")]
    for user in users:
        await dc.invoke(dc.slash("cop", "connect", {"choose": "on"}, user_id=user))
    reply = app.dispatcher.handle_line(planner(dc), "post-now connect")
    assert "1 introduction(s)" in reply.text, reply.text

    await Courier(app.community, discord_adapter).flush()

    intros = [m for m in dc.messages if INTRO in m.content]
    assert sorted(m.channel_id for m in intros) == sorted(dc.dm_channel_id(u) for u in users)
    assert all(m.allowed_mentions == {"parse": []} for m in intros)
    ids = [c["custom_id"] for row in intros[0].components for c in row.get("components") or []]
    assert [i.removeprefix("cop:").rsplit(" ", 1)[0] for i in ids[:3]] == list(CHOICES[:3])
    reader = next(u for u in users if intros[0].channel_id == dc.dm_channel_id(u))

    met = await dc.invoke(dc.button(ids[0], user_id=reader, guild=False))
    skip = await dc.invoke(dc.button(ids[3], user_id=reader, guild=False))

    assert "Lovely, thank you" in _content(met.data)
    assert "No introduction for you in the round" in _content(skip.data)


def _content(data: Any) -> str:
    parts = [str((data or {}).get("content") or "")]
    parts += [str(e.get("description") or "") for e in (data or {}).get("embeds") or []]
    return "\n".join(parts)
