"""The App Home tab: a member's own sessions and what is coming up, with buttons.

It is built from the same replies `/cop mine` and `/cop sessions` give, so the Home tab
never disagrees with the commands. After a button is pressed there, the tab is published
again with the answer at the top, because a Home click has no message to reply to.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks import Block, fit, plain, reply_blocks
from bot.domain.context import Reply

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home view
HEADER_LIMIT = 150


def home_view(
    title: str,
    mine: Reply,
    upcoming: Reply,
    help_line: str,
    note: Reply | None,
    settings: Reply | None = None,
) -> dict[str, Any]:
    """The Home tab: an optional answer to the last click, then mine, then what's on, then
    the member's settings, each with a button to turn it on or off."""
    blocks: list[Block] = [{"type": "header", "text": plain(title, HEADER_LIMIT)}]
    if note is not None:
        blocks += reply_blocks(note, limit=10) + [{"type": "divider"}]
    blocks += reply_blocks(mine, limit=30)
    blocks += [{"type": "divider"}, *reply_blocks(upcoming, limit=30), {"type": "divider"}]
    if settings is not None:
        blocks += [*reply_blocks(settings, limit=10), {"type": "divider"}]
    blocks += reply_blocks(Reply(help_line), limit=1)
    return {"type": "home", "blocks": fit(blocks, MAX_HOME_BLOCKS)}
