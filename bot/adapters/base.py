"""The contract every front end keeps with the rest of the bot, and how a send can fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.context import Reply
from bot.storage.members import Member


class SetupError(Exception):
    """A front end cannot start; the message says what the operator should change."""


class SendFailed(Exception):
    """A send that did not arrive. Permanent failures are recorded and never retried."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        dms_closed: bool = False,
    ) -> None:
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        # The member does not accept direct messages: the courier remembers it, and what can
        # travel in a session's thread may still reach them there.
        self.dms_closed = dms_closed
        super().__init__(reason)


class Adapter(Protocol):
    """A front end: it starts, stops, and carries the bot's own messages to people."""

    platform: str

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        """Reach one member privately (or as the platform prefers); raise SendFailed if not."""
        ...

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        """Post in a channel everyone in the community can see (about `session_id`, if set)."""
        ...


# Told, as each part of a group send lands or fails, which members it was for: the courier
# marks exactly those in the ledger (with a note saying anything unusual about how).
Reached = Callable[[list[Member], "SendFailed | None", str], None]


class GroupingAdapter(Adapter, Protocol):
    """A front end that prefers posts naming several members (Discord: a session's private
    thread) to many direct messages. The courier uses it for members who have not chosen
    DMs. It reports every member through `report`, once."""

    default_via: str

    async def send_together(
        self, members: list[Member], reply: Reply, session_id: int, report: Reached
    ) -> None: ...


class SharingAdapter(Adapter, Protocol):
    """A front end that can bring several members together in one private conversation
    (Slack: a group direct message; Discord: a private thread; the console: one message
    naming them all), used for a CONNECT group's introduction. Without it each member gets
    their own direct message.

    `conversation` names the conversation and stays the same on a retry, so a front end that
    keeps conversations finds the same one again. Every member is reported through `report`,
    once, as their part lands or fails."""

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None: ...


class MirroringAdapter(Adapter, Protocol):
    """A front end that mirrors sessions elsewhere (Discord's native scheduled events)."""

    async def sync_session(self, session_id: int) -> None: ...
