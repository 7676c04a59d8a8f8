"""An interaction's answer posted as the JSON Discord reads, built from parts made once.

discord.py's `send_message` builds a View for the buttons (and keeps it, with a 15-minute
timer, for every ephemeral answer), turns each embed into a dict again, asks Discord to echo
the new message back (`with_response`) and parses the echo into a Message. A `/cop` answer
needs none of that: its buttons are `CopButton`s, which discord.py finds by custom id
whether or not a view was kept (as after a restart), and nothing reads the echo. So each
card's embed and each button are made into dicts once, and the answer is posted as it is,
with Discord's plain 204 in return. Answers that carry a file still go through discord.py,
which knows how to build the multipart body.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

import discord
from discord.http import Route
from discord.webhook.async_ import async_context

from bot.adapters.discord_.render import (
    allowed_mentions,
    body,
    buttons,
    card_embed,
    cop_button,
    message_kwargs,
    reply_actions,
)
from bot.domain.context import Action, Item, Reply

CHANNEL_MESSAGE = discord.InteractionResponseType.channel_message
EPHEMERAL = 64  # the message flag: only the member who asked sees it
BUTTONS_PER_ROW = 5
# Named as discord.py names them, so the rate-limit lock is the interaction's own.
CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"


@lru_cache(maxsize=4096)
def embed_dict(item: Item) -> dict[str, Any]:
    """A card's embed as Discord's JSON; only ever serialised, never changed."""
    return card_embed(item).to_dict()  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def button_dict(action: Action) -> dict[str, Any]:
    """A button as Discord's JSON, exactly as discord.py would write it."""
    return cop_button(action).item.to_component_dict()  # type: ignore[return-value]


def components(actions: list[Action]) -> list[dict[str, Any]]:
    """The buttons in rows of five, as discord.py lays out a View's buttons."""
    parts = [button_dict(a) for a in buttons(actions)]
    return [
        {"type": 1, "components": parts[i : i + BUTTONS_PER_ROW]}
        for i in range(0, len(parts), BUTTONS_PER_ROW)
    ]


def answer_payload(reply: Reply, *, ephemeral: bool) -> dict[str, Any]:
    """The body of an interaction callback that answers with a message."""
    data: dict[str, Any] = {"allowed_mentions": allowed_mentions(reply.mentions).to_dict()}
    text, rest = body(reply)
    if text:
        data["content"] = text
    data["embeds"] = [embed_dict(item) for item in rest]
    if rows := components(reply_actions(reply)):
        data["components"] = rows
    if ephemeral:
        data["flags"] = EPHEMERAL
    return {"type": CHANNEL_MESSAGE.value, "data": data}


KEPT_ANSWERS = 64


class KeptAnswers:
    """The last answers drawn, by the identity of the reply they were drawn from.

    The listing hands members who see the same page one shared Reply (it changes, and so
    does its identity, whenever the calendar does), so the answer drawn for one member is
    the next one's too. Each entry holds its reply, so no other object can take its id while
    it is kept; 64 of them are a few hundred kilobytes at most."""

    def __init__(self, size: int = KEPT_ANSWERS) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[int, bool], tuple[Reply, dict[str, Any]]] = OrderedDict()

    def get(self, reply: Reply, *, private: bool) -> dict[str, Any] | None:
        """The payload kept for this very reply, if any."""
        key = (id(reply), private)
        found = self._kept.get(key)
        if found is None or found[0] is not reply:
            return None
        self._kept.move_to_end(key)
        return found[1]

    def keep(self, reply: Reply, *, private: bool) -> dict[str, Any]:
        """Draw the reply's payload and keep it, forgetting the oldest beyond `size`."""
        made = answer_payload(reply, ephemeral=private)
        self._kept[(id(reply), private)] = (reply, made)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._kept)


async def send_answer(
    interaction: discord.Interaction[Any], reply: Reply, *, private: bool
) -> None:
    """Answer the interaction with the reply; a file goes through discord.py instead."""
    if reply.attachment is not None:
        await interaction.response.send_message(**message_kwargs(reply), ephemeral=private)
        return
    await post_answer(interaction, answer_payload(reply, ephemeral=private))


async def post_answer(interaction: discord.Interaction[Any], payload: dict[str, Any]) -> None:
    """Post an answer's payload (from `answer_payload`) as the interaction's callback."""
    # The same adapter, session, proxy and rate-limit lock discord.py's send_message uses
    # (they are private to it, hence the underscores), minus `with_response`.
    http = interaction.client.http
    route = Route("POST", CALLBACK, webhook_id=interaction.id, webhook_token=interaction.token)
    await async_context.get().request(
        route,
        session=interaction._session,
        proxy=http.proxy,
        proxy_auth=http.proxy_auth,
        payload=payload,
    )
    # Tell discord.py the interaction is answered, as its own send_message would, so nothing
    # later (an error handler, a check) tries to answer it a second time.
    interaction.response._response_type = CHANNEL_MESSAGE
