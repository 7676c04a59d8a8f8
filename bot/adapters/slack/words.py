"""The Slack front end's own words (form labels, file notes), read from `content/messages.toml`.

The adapter hands over the community's templates when it is built, so the planning group
can reword the form like everything else the bot says.
"""

from __future__ import annotations

from bot.messages import Messages

_KEYS = {"file_sent": "file.sent", "file_failed": "file.failed"}
_templates: list[Messages] = []


def use(messages: Messages) -> None:
    """Read words from `messages` from now on (the adapter calls this when it is built)."""
    _templates[:] = [messages]


def word(key: str, **fields: str) -> str:
    if not _templates:
        raise RuntimeError("the Slack adapter has not been given the community's messages")
    return _templates[0](_KEYS.get(key, f"form.{key}"), **fields)
