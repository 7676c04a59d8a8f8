"""Making member-written words safe to show on Slack.

Slack reads `<...>` in message text as a control sequence: `<!channel>` pings everyone,
`<@U123>` pings a person, `<http://evil|innocent>` hides a link behind harmless words.
Escaping `&`, `<` and `>` (the only three Slack decodes) turns all of these back into
visible text, so a session title or a display name can never ping or mislead anyone.
Only ids the bot itself chose to mention become real mentions, through `mention()`.
"""

from __future__ import annotations

import re

_USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(text: str) -> str:
    """The text with `&`, `<` and `>` escaped, so Slack shows it exactly as typed.

    Three `replace` passes (`&` first, so the entities made after it stay whole) rather
    than one `translate`: every card, label and fallback line of every answer comes through
    here, and `translate` with a mapping looks each character up one by one (about 17
    times slower on a card's words, which mostly hold none of the three).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A real `<@U…>` mention, for ids the bot chose; anything else is shown escaped."""
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape(user_id)


def clip(escaped: str, limit: int) -> str:
    """Shorten already-escaped text to `limit` characters without cutting an entity in half.

    Slack rejects a whole message when one text field is too long, so a long reply is
    shortened rather than lost; a half entity such as `&am` would show as garbage.
    """
    if len(escaped) <= limit:
        return escaped
    cut = _PARTIAL_ENTITY.sub("", escaped[: limit - 1])
    return cut + "…"
