"""The contract every front end keeps with the rest of the bot, and how a send can fail."""

from __future__ import annotations

from typing import Protocol

from bot.context import Reply
from bot.storage.members import Member


class SendFailed(Exception):
    """A send that did not arrive. Permanent failures are recorded and never retried."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(reason)


class Adapter(Protocol):
    """A front end: it starts, stops, and carries the bot's own messages to people."""

    platform: str

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        """Reach one member privately (or as the platform prefers); raise SendFailed if not."""
        ...

    async def post(self, channel: str, reply: Reply) -> None:
        """Post in a channel everyone in the community can see."""
        ...
