"""The contract every front end keeps with the rest of the bot, and how a send can fail.

The runner and the courier use a front end only through `FrontEnd`: what it can do beyond
the sends every platform makes is declared as data (`Capabilities`), and how fast it may
send as `Pacing`, so nothing is found out by probing for attributes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.context import Reply
from bot.storage.members import Member

log = logging.getLogger(__name__)


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
        unknown: bool = False,
    ) -> None:
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        # The platform may have taken the message in (a timeout, a connection dropped after
        # the request went): the next try looks for it before sending again.
        self.unknown = unknown
        # The member does not accept direct messages: the courier remembers it, and what can
        # travel in a session's thread may still reach them there.
        self.dms_closed = dms_closed
        super().__init__(reason)


# Told, as each part of a group send lands or fails, which members it was for: the courier
# marks exactly those in the ledger (with a note saying anything unusual about how).
Reached = Callable[[list[Member], "SendFailed | None", str], None]


@dataclass(frozen=True)
class Pacing:
    """How fast a platform lets the bot send: at most one post per `per_target` seconds to
    the same place (a channel, or a member's direct messages), and one per `overall`
    seconds in all, so a wave stays gentle on the workspace. `at_once`: how many sends may
    be under way together, so a slow round trip does not slow the wave below that pace."""

    per_target: float = 0.0
    overall: float = 0.0
    at_once: int = 32


@dataclass(frozen=True)
class Capabilities:
    """What a front end can do beyond the sends every front end makes.

    - `default_via`: how a member's reminders and booking notices travel unless they chose:
      "dm", or "thread" — one post in the session's group naming them (`send_together`),
      where a platform flags bots that send many direct messages (Discord).
    - `shares_conversations`: it can bring several members together in one private
      conversation (Slack: a group DM; Discord: a private thread; the console: one message
      naming them all), for a CONNECT group's introduction (`send_to_members`). Without
      it each member gets their own direct message.
    - `mirrors_sessions`: it keeps a copy of each session elsewhere (`sync_session`).
    - `syncs_places`: it gathers each session's booked members in a room (`sync_places`).
    - `leaves_rooms`: it can take an erased member out of those rooms (`leave_room`).
    - `finds_deliveries`: it can look for a message it sent by its ledger key
      (`find_delivery`), so a send whose outcome is unknown is not blindly repeated.
    """

    default_via: str = "dm"
    shares_conversations: bool = False
    mirrors_sessions: bool = False
    syncs_places: bool = False
    leaves_rooms: bool = False
    finds_deliveries: bool = False

    @property
    def groups_by_thread(self) -> bool:
        return self.default_via == "thread"


class AfterCommand:
    """The one way a front end says "a command was answered".

    The runner connects it to the courier, so what the command queued (a waitlist place, a
    change of plan) goes out at once instead of at the next tick. A burst of commands
    shares one run; the command itself never waits for it. A front end may say so once the
    command has run and before its answer is sent (Discord): the run starts once the
    answer's request is written.
    """

    def __init__(self) -> None:
        self._action: Callable[[], Awaitable[object]] | None = None
        self._wanted: Callable[[], bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def connect(
        self, action: Callable[[], Awaitable[object]], wanted: Callable[[], bool] | None = None
    ) -> None:
        """Run `action` after commands; with `wanted`, only after those it says left work
        for it (most commands are reads, and a task started for nothing is the loop's time
        taken from the next command)."""
        self._action, self._wanted = action, wanted

    def ran(self) -> None:
        """A command was answered: run the action soon (once more if it is running now)."""
        if self._action is None or (self._wanted is not None and not self._wanted()):
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run(self._action))

    async def _run(self, action: Callable[[], Awaitable[object]]) -> None:
        # One turn of the loop first: a front end that says so just before it answers has
        # its answer's request written before this takes the loop.
        await asyncio.sleep(0)
        self._again = True
        while self._again:
            self._again = False
            try:
                await action()
            except Exception:
                log.exception("sending after a command failed; the next tick will try again")

    async def settled(self) -> None:
        """Wait for the run a command started, if any (the console prints what went out
        before it asks for the next line)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class FrontEnd(Protocol):
    """A front end: it starts, runs until closed, stops, and carries the bot's own messages
    to people. The optional parts are called only where `capabilities` says so."""

    platform: str  # its name, as members' rows record where they came from
    capabilities: Capabilities
    pacing: Pacing
    after_command: AfterCommand

    async def start(self) -> None:
        """Connect and listen; raise SetupError, saying what to change, if it cannot."""
        ...

    async def wait_closed(self) -> None:
        """Return when the front end ended of itself (the person at the console left); raise
        SetupError when the platform ended the connection for good. Else wait."""
        ...

    async def stop(self) -> None: ...

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        """Reach one member privately (or as the platform prefers); raise SendFailed if not."""
        ...

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        """Post in a channel everyone in the community can see (about `session_id`, if set)."""
        ...

    async def send_together(
        self, members: list[Member], reply: Reply, session_id: int, report: Reached
    ) -> None:
        """With `default_via` "thread": one message for these members in the session's group,
        in as many posts as the platform needs; every member is reported through `report`,
        once, as their post lands or fails."""
        raise SendFailed("this platform has no session groups", permanent=True)

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None:
        """With `shares_conversations`: one message that the members read together, in one
        private conversation. `conversation` names it and stays the same on a retry, so a
        front end that keeps conversations finds the same one again. Every member is
        reported through `report`, once, as their part lands or fails."""
        raise SendFailed("this platform has no shared conversations", permanent=True)

    async def sync_session(self, session_id: int) -> None:
        """With `mirrors_sessions`: bring the platform's copy of the session up to date."""
        raise SendFailed("this platform mirrors no sessions", permanent=True)

    async def sync_places(self, session_id: int, member_id: int | None = None) -> None:
        """With `syncs_places`: let those holding a place into the session's room, and take
        out those who gave theirs up; with `member_id`, only that member's place changed."""
        raise SendFailed("this platform has no session rooms", permanent=True)

    async def leave_room(self, room_id: str, user_id: str) -> None:
        """With `leaves_rooms`: take someone out of a room by their platform id."""
        raise SendFailed("this platform has no session rooms", permanent=True)

    async def find_delivery(self, key: str, member: Member | None, channel: str) -> bool:
        """With `finds_deliveries`: whether the message labelled with ledger `key` is already
        in the member's direct messages (or in `channel`)."""
        return False

    async def find_shared(self, conversation: str, members: list[Member]) -> set[int]:
        """With `finds_deliveries` and `shares_conversations`: the ids of the members whom
        the message labelled `conversation` (`send_to_members`) has already reached, where
        it would have gone: their shared conversation, or their own direct messages where
        the platform would not bring them together."""
        return set()
