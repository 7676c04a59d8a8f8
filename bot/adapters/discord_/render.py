"""A neutral `Reply` as Discord message parts: content, embeds, buttons, files, mentions.

Member-written words reach Discord through titles and lines, so every part is escaped here
in one place: `@everyone`/`@here` get a zero-width space (so they do not even look like a
ping), and `allowed_mentions` never lets anyone be pinged except the reply's own `mentions`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import discord

from bot.domain.context import Action, Item, Reply

ZWSP = "\u200b"
MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_BUTTONS = 25
MAX_CUSTOM_ID = 100
MAX_MENTIONS = 100  # users one message may ping (allowed_mentions.users)
MENTION_WIDTH = len("<@12345678901234567890> ")  # the widest a user mention can be
MIN_NAMES_A_POST = 10
BUTTON_PREFIX = "cop:"
_PINGS = re.compile(r"@(everyone|here)", re.IGNORECASE)
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}


def neutralise(text: str) -> str:
    """Member-written words shown as written, never acted on.

    allowed_mentions is the real guard against pings; this also stops text that merely
    looks like something else: `@everyone`, `<@123>` or `<#123>` drawn as a mention,
    `[innocent](https://elsewhere)` drawn as a disguised link, and markdown restyling.
    """
    text = discord.utils.escape_markdown(text)
    text = _PINGS.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return text.replace("<", "<" + ZWSP).replace("](", "]" + ZWSP + "(")


def plain(text: str) -> str:
    """Member-written words for a place Discord shows as plain text (a thread's or an
    event's name, an autocomplete label): markdown is not drawn there, so escaping it would
    show backslashes; only `@everyone`/`@here` are broken up, so they never look like pings."""
    return _PINGS.sub(lambda m: "@" + ZWSP + m.group(1), text)


def allowed_mentions(user_ids: Iterable[str] = ()) -> discord.AllowedMentions:
    """Nobody may be pinged, except exactly the given users (never roles or everyone)."""
    users = [discord.Object(id=int(u)) for u in user_ids if str(u).isdigit()]
    if not users:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


class CopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cop:(?P<command>.+)"):
    """A button that runs `/cop <command>`; its whole state is in the custom_id, so a click
    on a message posted before a restart still works once the class is registered."""

    def __init__(
        self,
        command: str,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=(label or command)[:80],
                style=style,
                custom_id=f"{BUTTON_PREFIX}{command}",
            )
        )
        self.command = command

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CopButton:
        label = getattr(item, "label", "") or ""
        return cls(match["command"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        adapter = getattr(interaction.client, "adapter", None)
        if adapter is not None:
            await adapter.run_line(interaction, self.command)


def buttons(actions: Iterable[Action]) -> list[Action]:
    """The actions Discord can carry as buttons: at most 25, none whose id is too long."""
    fitting = [a for a in actions if len(BUTTON_PREFIX + a.command) <= MAX_CUSTOM_ID]
    return fitting[:MAX_BUTTONS]


def cop_button(action: Action) -> CopButton:
    """The button for one action, its label escaped like any other words."""
    style = _STYLES.get(action.style, discord.ButtonStyle.secondary)
    return CopButton(action.command, neutralise(action.label), style)


def build_view(actions: Iterable[Action]) -> discord.ui.View | None:
    """Buttons for the actions, for messages discord.py sends (posts, DMs, follow-ups)."""
    view = discord.ui.View(timeout=None)
    for action in buttons(actions):
        view.add_item(cop_button(action))
    return view if view.children else None


def reply_actions(reply: Reply) -> list[Action]:
    """Every button of a reply: each card's, then the reply's own."""
    return [a for item in reply.cards for a in item.actions] + list(reply.actions)


def build_embeds(items: Iterable[Item]) -> list[discord.Embed]:
    """One embed per card, up to Discord's ten: the title and the lines beneath it."""
    return [card_embed(item) for item in list(items)[:MAX_EMBEDS]]


@lru_cache(maxsize=4096)
def card_embed(item: Item) -> discord.Embed:
    """A card's embed, made once: the same session card is shown to many members, and
    escaping its words is the costly part. Embeds are only read when sent, never changed."""
    description = neutralise("\n".join(item.lines))[:4096]
    return discord.Embed(title=neutralise(item.title)[:256], description=description or None)


@lru_cache(maxsize=4096)
def card_text(item: Item) -> str:
    """A card as plain message text: its title in bold, its lines beneath, escaped once."""
    return "\n".join([f"**{neutralise(item.title)}**", *(neutralise(x) for x in item.lines)])


def content(reply: Reply) -> str:
    """The reply's own words and footer, escaped (not yet cut to Discord's length)."""
    text = neutralise(reply.text)
    if reply.footer:
        text += "\n" + neutralise(reply.footer)
    return text


def mention_posts(user_ids: list[str], text: str) -> list[tuple[list[str], str]]:
    """One post's words for several members, split into as many posts as Discord's limits
    need (100 users pinged and 2,000 characters a post): each names its share of the members
    on its first line and carries the whole message after it, cut only if it alone would
    leave no room for names."""
    text = text[: MAX_CONTENT - 1 - MIN_NAMES_A_POST * MENTION_WIDTH]
    room = MAX_CONTENT - len(text) - 1
    posts: list[tuple[list[str], str]] = []
    ids: list[str] = []
    width = 0
    for user_id in user_ids:
        mention = f"<@{user_id}>"
        if ids and (len(ids) == MAX_MENTIONS or width + 1 + len(mention) > room):
            posts.append((ids, " ".join(f"<@{i}>" for i in ids) + "\n" + text))
            ids, width = [], 0
        width += len(mention) + (1 if ids else 0)
        ids.append(user_id)
    if ids:
        posts.append((ids, " ".join(f"<@{i}>" for i in ids) + "\n" + text))
    return posts


def body(reply: Reply, prefix: str = "") -> tuple[str, list[Item]]:
    """The message's plain text, and the cards left over for embeds.

    Embeds are not drawn for people who turn link previews off (an accessibility setting),
    and screen readers and notifications read only the text, so the words and as many cards
    as fit within Discord's 2,000 characters go in the text itself. Cards that do not fit
    follow as embeds: embeds add to the text, never replace it."""
    head = "\n".join(part for part in (prefix, neutralise(reply.text)) if part)
    footer = neutralise(reply.footer) if reply.footer else ""
    parts: list[str] = [head] if head else []
    rest: list[Item] = []
    used = len(head) + (len(footer) + 2 if footer else 0)
    for item in reply.cards:
        piece = card_text(item)
        if not rest and used + len(piece) + 2 <= MAX_CONTENT:
            parts.append(piece)
            used += len(piece) + 2
        else:
            rest.append(item)
    if footer:
        parts.append(footer)
    text = "\n\n".join(parts)[:MAX_CONTENT]
    if not text and rest:
        text = neutralise(rest[0].title)[:MAX_CONTENT]  # never an empty message
    return text, rest[:MAX_EMBEDS]


def message_kwargs(
    reply: Reply, *, prefix: str = "", mentions: Iterable[str] = ()
) -> dict[str, Any]:
    """Keyword arguments for `send`/`send_message`/`followup.send` (view/files only if any).

    `prefix` is trusted text put before the escaped reply (the `<@id>` mentions of a thread
    post); `mentions` adds users who may be pinged on top of the reply's own.
    """
    text, rest = body(reply, prefix)
    kwargs: dict[str, Any] = {
        "content": text or None,
        "embeds": build_embeds(rest),
        "allowed_mentions": allowed_mentions([*reply.mentions, *mentions]),
    }
    view = build_view(reply_actions(reply))
    if view is not None:
        kwargs["view"] = view
    if reply.attachment is not None:
        data = io.BytesIO(reply.attachment.content)
        kwargs["files"] = [discord.File(data, filename=reply.attachment.filename)]
    return kwargs


def plan_group_words(planner_commands: Iterable[str]) -> Callable[[Reply], Reply]:
    """On Discord the planning group's commands live under `/cop-plan`; say so in the words.

    The words in `content/messages.toml` are shared by every platform and write `/cop edit`;
    here that becomes `/cop-plan edit`, so what a planner reads is what they can type. The
    pattern is built once, as the command tree never changes while the bot runs.
    """
    names = sorted(planner_commands, key=len, reverse=True)
    pattern = re.compile(r"/cop (" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")

    def fix(text: str) -> str:
        return pattern.sub(r"/cop-plan \1", text) if "/cop " in text else text

    def fix_item(item: Item) -> Item:
        if "/cop " not in item.title and not any("/cop " in line for line in item.lines):
            return item  # the same card, so its cached embed is found again
        return replace(item, title=fix(item.title), lines=tuple(fix(line) for line in item.lines))

    def rewrite(reply: Reply) -> Reply:
        if not names:
            return reply
        items = tuple(fix_item(item) for item in reply.items)
        text, footer = fix(reply.text), fix(reply.footer)
        if text == reply.text and footer == reply.footer and items == reply.items:
            return reply
        return replace(reply, text=text, footer=footer, items=items)

    return rewrite


def with_plan_group(reply: Reply, planner_commands: Iterable[str]) -> Reply:
    """`plan_group_words` for a single reply."""
    return plan_group_words(planner_commands)(reply)
