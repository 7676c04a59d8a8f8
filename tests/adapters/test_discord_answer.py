"""An interaction's answer, built by copbot from cached parts, is what discord.py would send,
and reaches Discord without asking for the message back."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

from typing import Any

import discord
from discord.webhook.async_ import interaction_message_response_params

from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.discord_.answer import answer_payload
from bot.adapters.discord_.render import message_kwargs
from bot.app import App
from bot.domain.context import Action, Item, Reply
from tests.adapters.conftest_discord import adapter, app, dc, schedule
from tests.fakes.fake_discord import FakeDiscord


def discord_py_payload(reply: Reply, *, ephemeral: bool) -> dict[str, Any]:
    """What discord.py's send_message would post for the same reply."""
    kwargs = message_kwargs(reply)
    params = interaction_message_response_params(
        type=discord.InteractionResponseType.channel_message.value,
        previous_allowed_mentions=None,
        flags=discord.MessageFlags(ephemeral=ephemeral) if ephemeral else discord.utils.MISSING,
        **kwargs,
    )
    payload = dict(params.payload or {})
    payload["data"] = {k: v for k, v in payload["data"].items() if k != "tts"}
    return payload


def cards(count: int, buttons_each: int) -> tuple[Item, ...]:
    return tuple(
        Item(
            title=f"#{n} Circle @everyone *{n}*",
            lines=("Thu 3 Dec 14:00", "<@123> said [this](https://example.org)"),
            actions=tuple(
                Action(f"Go {n}.{b}", f"signup {n}", "primary") for b in range(buttons_each)
            ),
        )
        for n in range(count)
    )


def test_a_full_list_matches_discord_py_byte_for_byte() -> None:
    reply = Reply(
        "Upcoming @here", items=cards(12, 2), actions=(Action("More", "sessions page=2"),)
    )
    assert answer_payload(reply, ephemeral=True) == discord_py_payload(reply, ephemeral=True)
    rows = answer_payload(reply, ephemeral=True)["data"]["components"]
    assert [len(r["components"]) for r in rows] == [5, 5, 5, 5, 5]  # 25 buttons at most


def test_plain_text_public_answer_matches_discord_py() -> None:
    reply = Reply("Thanks, noted.", private=False, footer="A note", mentions=("42",))
    ours = answer_payload(reply, ephemeral=False)
    assert ours == discord_py_payload(reply, ephemeral=False)
    assert "flags" not in ours["data"] and ours["data"]["allowed_mentions"]["users"] == [42]


def test_too_long_button_ids_are_left_out_as_discord_py_rendering_does() -> None:
    reply = Reply("x", actions=(Action("Long", "reflect " + "a" * 200), Action("Ok", "prompt")))
    data = answer_payload(reply, ephemeral=True)["data"]
    assert [b["custom_id"] for b in data["components"][0]["components"]] == ["cop:prompt"]
    assert data == discord_py_payload(reply, ephemeral=True)["data"]


async def test_callback_does_not_ask_for_the_message_back(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc)
    cb = await dc.invoke(dc.slash("cop", "sessions"))
    sent = next(r for r in dc.requests if r.path.endswith("/callback"))
    assert sent.status == 204 and "with_response" not in sent.query
    assert cb.data is not None and "Circle" in cb.data["content"]
