"""A neutral `Reply` as Slack Block Kit: sections for words, buttons for actions.

Every piece of text is escaped (see `escape.py`) and sent with `verbatim: true`, so Slack
neither reads `<...>` sequences nor auto-links names and URLs in member-written words. Each
`Action` becomes a button whose `value` is the command it runs; `action_id`s are `cop:<n>`,
unique within one message as Slack requires, and all caught by one listener.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import count
from typing import Any

from bot.adapters.slack.escape import clip, escape, mention
from bot.context import Action, Item, Reply

Block = dict[str, Any]
ACTION_ID = re.compile(r"^cop:\d+$")
MAX_BLOCKS = 50  # Slack's limit for one message (a Home view allows 100)
SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
BUTTONS_PER_BLOCK = 25
TEXT_LIMIT = 3900


def mrkdwn(escaped: str) -> dict[str, Any]:
    """A mrkdwn text object for text that is already escaped; never auto-parsed."""
    return {"type": "mrkdwn", "text": clip(escaped, SECTION_LIMIT), "verbatim": True}


def plain(text: str, limit: int = BUTTON_LIMIT) -> dict[str, Any]:
    """A plain_text object; escaped too, since Slack decodes entities there as well."""
    return {"type": "plain_text", "text": clip(escape(text), limit), "emoji": True}


def section(escaped: str) -> Block:
    return {"type": "section", "text": mrkdwn(escaped)}


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
    """A card: its title in bold, its lines beneath, its buttons below that."""
    blocks = [section(_card_text(item))]
    if item.actions:
        blocks.append(actions_block(item.actions, ids))
    return blocks


@lru_cache(maxsize=4096)
def _card_text(item: Item) -> str:
    """A card's escaped words; the same card is drawn for many members, so once is enough."""
    return "\n".join([f"*{escape(item.title)}*", *(escape(line) for line in item.lines)])


def lead_text(reply: Reply) -> str:
    """The reply's own words, escaped, after the mentions it deliberately makes."""
    mentions = " ".join(mention(user_id) for user_id in reply.mentions)
    text = escape(reply.text)
    return f"{mentions} {text}" if mentions else text


def reply_blocks(reply: Reply, limit: int = MAX_BLOCKS) -> list[Block]:
    """The whole reply as blocks, shortened to `limit` so Slack never rejects it."""
    ids = count(1)
    blocks: list[Block] = [section(lead_text(reply))] if reply.text or reply.mentions else []
    for item in reply.items:
        blocks.extend(item_blocks(item, ids))
    if reply.actions:
        blocks.append(actions_block(reply.actions, ids))
    if reply.footer:
        blocks.append({"type": "context", "elements": [mrkdwn(escape(reply.footer))]})
    return fit(blocks, limit)


def fit(blocks: list[Block], limit: int) -> list[Block]:
    """Keep at most `limit` blocks, saying so when some were left out."""
    if len(blocks) <= limit:
        return blocks
    shown = blocks[: limit - 1]
    note = f"({len(blocks) - len(shown)} more not shown)"
    return [*shown, {"type": "context", "elements": [mrkdwn(note)]}]


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications and where blocks cannot be drawn."""
    parts = [lead_text(reply), *(escape(item.title) for item in reply.items)]
    return clip("\n".join(p for p in parts if p), TEXT_LIMIT)


def message(reply: Reply) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage or a response_url."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply)}
