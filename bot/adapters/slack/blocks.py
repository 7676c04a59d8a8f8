"""A neutral `Reply` as Slack Block Kit: sections for words, buttons for actions.

Every piece of text is escaped (see `escape.py`), so Slack never reads `<...>` sequences in
member-written words. Words that can hold a member's (a reply, a card, a footer) travel as
`plain_text`: Slack's mrkdwn has no escape for `*`, `_`, `~` or backticks, so a title such
as `*Circle* _for_ ~carers~` would otherwise be drawn bold, italic and struck through.
plain_text shows it as written. Only the bot's own notes and the mentions it chose to make
are mrkdwn (with `verbatim: true`, so nothing is auto-linked). Each `Action` becomes a
button whose `value` is the command it runs; `action_id`s are `cop:<n>`, unique within one
message as Slack requires, and all caught by one listener.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from itertools import count
from typing import Any

from bot.adapters.slack.escape import clip, escape, mention
from bot.domain.context import Action, Item, Reply

Block = dict[str, Any]
MAX_BLOCKS = 50  # Slack's limit for one message (a Home view allows 100)
SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
BUTTONS_PER_BLOCK = 25
TEXT_LIMIT = 3900


def mrkdwn(escaped: str) -> dict[str, Any]:
    """A mrkdwn text object for text that is already escaped; never auto-parsed."""
    return {"type": "mrkdwn", "text": clip(escaped, SECTION_LIMIT), "verbatim": True}


def plain(text: str, limit: int = BUTTON_LIMIT, *, emoji: bool = True) -> dict[str, Any]:
    """A plain_text object; escaped too, since Slack decodes entities there as well."""
    return {"type": "plain_text", "text": clip(escape(text), limit), "emoji": emoji}


def section(escaped: str) -> Block:
    """A section of the bot's own mrkdwn (already escaped)."""
    return {"type": "section", "text": mrkdwn(escaped)}


def words(text: str) -> Block:
    """A section showing `text` exactly as written: no formatting, no `:emoji:` codes."""
    return {"type": "section", "text": plain(text, SECTION_LIMIT, emoji=False)}


def button(action: Action, ids: count[int]) -> Block:
    """A button that, when pressed, runs `/cop <command>` for whoever pressed it."""
    block: Block = {
        "type": "button",
        "text": plain(action.label),
        "value": action.command,
        "action_id": f"cop:{next(ids)}",
    }
    if action.style in ("primary", "danger"):
        block["style"] = action.style
    return block


def actions_block(actions: tuple[Action, ...], ids: count[int]) -> Block:
    buttons = [button(a, ids) for a in actions[:BUTTONS_PER_BLOCK]]
    return {"type": "actions", "elements": buttons}


def item_blocks(item: Item, ids: count[int]) -> list[Block]:
    """A card: its title, its lines beneath, its buttons below that."""
    blocks = [_card(item)]
    if item.actions:
        blocks.append(actions_block(item.actions, ids))
    return blocks


@lru_cache(maxsize=4096)
def _card(item: Item) -> Block:
    """A card's words as written; the same card is drawn for many members, so once is enough
    (the block is shared, and nothing changes a block once it is built)."""
    return words("\n".join([item.title, *item.lines]))


def lead_text(reply: Reply) -> str:
    """The reply's own words, escaped, after the mentions it deliberately makes."""
    mentions = " ".join(mention(user_id) for user_id in reply.mentions)
    text = escape(reply.text)
    return f"{mentions} {text}" if mentions else text


def lead_blocks(reply: Reply) -> list[Block]:
    """The mentions the reply makes (mrkdwn, the only way to ping), then its words."""
    blocks: list[Block] = []
    if reply.mentions:
        blocks.append(section(" ".join(mention(user_id) for user_id in reply.mentions)))
    if reply.text:
        blocks.append(words(reply.text))
    return blocks


def reply_blocks(reply: Reply, limit: int = MAX_BLOCKS) -> list[Block]:
    """The whole reply as blocks, shortened to `limit` so Slack never rejects it."""
    ids = count(1)
    blocks = lead_blocks(reply)
    for item in reply.cards:
        blocks.extend(item_blocks(item, ids))
    if reply.actions:
        blocks.append(actions_block(reply.actions, ids))
    if reply.footer:
        footer = plain(reply.footer, SECTION_LIMIT, emoji=False)
        blocks.append({"type": "context", "elements": [footer]})
    return fit(blocks, limit)


def fit(blocks: list[Block], limit: int) -> list[Block]:
    """Keep at most `limit` blocks, saying so when some were left out."""
    if len(blocks) <= limit:
        return blocks
    shown = blocks[: limit - 1]
    note = f"({len(blocks) - len(shown)} more not shown)"
    return [*shown, {"type": "context", "elements": [mrkdwn(note)]}]


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications and where blocks cannot be drawn, and
    screen readers announce: the whole meaning (words, every card, the footer), not just a
    list of titles."""
    parts = [
        lead_text(reply),
        *(escape("\n".join([item.title, *item.lines])) for item in reply.cards),
        escape(reply.footer),
    ]
    return clip("\n".join(p for p in parts if p), TEXT_LIMIT)


def message(reply: Reply) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage or a response_url."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply)}


# Replies whose drawing is kept (see `Drawn`): a listing page's answers, a few zones each.
DRAWN_LIMIT = 64


class Drawn:
    """What `message` made of the last few replies, by the reply itself (its identity).

    Commands hand out one shared `Reply` to every member who would read the same answer
    (a page of the listing, for members in one zone holding no places on it), so drawing
    it once serves them all. Each entry holds its reply, so the identity it is found by
    cannot pass to another object while the entry is kept; a reply is frozen, and nothing
    changes a drawn block, so a kept drawing stays right. A new reply (any change to the
    calendar makes new ones) is drawn afresh; the oldest entries go first.
    """

    def __init__(self, limit: int = DRAWN_LIMIT) -> None:
        self.limit = limit
        self.misses = 0
        self._kept: OrderedDict[int, tuple[Reply, dict[str, Any]]] = OrderedDict()

    def message(self, reply: Reply) -> dict[str, Any]:
        """`message(reply)`, drawn once while this reply is among the last few; a fresh
        top-level dict each time, so a caller may add its own fields."""
        key = id(reply)
        found = self._kept.get(key)
        if found is not None and found[0] is reply:
            self._kept.move_to_end(key)
            return dict(found[1])
        self.misses += 1
        drawn = message(reply)
        self._kept[key] = (reply, drawn)
        if len(self._kept) > self.limit:
            self._kept.popitem(last=False)
        return dict(drawn)

    def __len__(self) -> int:
        return len(self._kept)
