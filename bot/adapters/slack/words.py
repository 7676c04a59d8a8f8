"""The Slack front end's own words (form labels, file notes), read from `content/messages.toml`.

The listeners build one `SlackWords` from the community's templates and hand it to the form
builders, so the planning group can reword the form like everything else the bot says, and
two adapters in one process (a test, a rehearsal) never read each other's words.
"""

from __future__ import annotations

from bot.content.messages import Messages

_KEYS = {"file_sent": "file.sent", "file_failed": "file.failed"}


class SlackWords:
    """The Slack-only sentences, looked up by their short name (`modal_title`, `file_sent`)."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    def __call__(self, key: str, **fields: str) -> str:
        return self.messages(_KEYS.get(key, f"form.{key}"), **fields)
