"""Each session's private threads: where reminders and news about a place reach the members
booked, and nobody else.

A private thread (type 12) shows its messages only to its members (and to moderators with
Manage Threads), so a post there naming those it is for does not tell the server who is
going. The bot starts the thread with `invitable` off, so members cannot pull others in; that
is why it needs Manage Threads to add them (Discord: adding to a private thread whose
members may not invite is for moderators). A thread holds at most 1,000 members, so a larger
session gets a second one. Who is in which thread is kept in `RoomStore`: members are added
when they book and taken out when they give up their place, not once per reminder.

A thread can go: a moderator locks it, or someone deletes it. Then it is forgotten and a new
one started, and the ledger says why; an archived one (a week without posts) is reopened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
import discord

from bot.adapters.discord_.failures import failure
from bot.adapters.discord_.render import plain
from bot.community import Community
from bot.frontend import SendFailed
from bot.storage.members import Member
from bot.storage.rooms import Room

log = logging.getLogger(__name__)
# Discord's limit is 1,000 members a thread, the bot among them; a few spare for moderators.
ROOM_SIZE = 990
A_WEEK: Literal[10080] = (
    10080  # the longest a thread may sit quiet before Discord archives it, in minutes
)
UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
ARCHIVED = 50083
ROOM_FULL = 30033
MISSING_PERMISSIONS = 50013
NETWORK = (aiohttp.ClientError, TimeoutError, OSError)


class NotAllowed(SendFailed):
    """The bot lacks a permission it needs for private threads (Manage Threads to add
    members): the same for every member, until an administrator changes it."""


class RoomGone(Exception):
    """The thread was deleted or locked: forget it and start another."""

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


@dataclass
class Placement:
    """Where each member was put, who could not be, and what changed on the way."""

    rooms: dict[str, list[Member]] = field(default_factory=dict)
    failed: list[tuple[Member, SendFailed]] = field(default_factory=list)
    note: str = ""


def gone_why(err: discord.HTTPException) -> str:
    """Why a thread can no longer be used, or "" if this error is something else."""
    if err.code == UNKNOWN_CHANNEL:
        return "deleted"
    if err.code == ARCHIVED:
        return "locked"
    return ""


class SessionRooms:
    def __init__(self, client: discord.Client, community: Community) -> None:
        self.client = client
        self.community = community
        self.store = community.rooms

    # ------------------------------------------------------------------ the threads

    async def _open(self, session_id: int) -> Room:
        """Start a new private thread for the session in the announcement channel."""
        session = self.community.sessions.get(session_id)
        name = plain(session.title if session else "")[:100] or f"Session {session_id}"
        thread_id = await self.open_private(name)
        return self.store.add_room(session_id, thread_id, self.community.clock.now())

    async def open_private(self, name: str) -> str:
        """Start a private thread in the announcement channel that only those the bot adds
        can see, and that they cannot invite others to; its id."""
        channel = await self._announce_channel()
        thread = await channel.create_thread(
            name=name,
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=A_WEEK,
        )
        return str(thread.id)

    async def _announce_channel(self) -> discord.TextChannel:
        wanted = self.community.config.announce_channel
        channel = self.client.get_channel(int(wanted)) if wanted.isdigit() else None
        if channel is None and wanted.isdigit():
            channel = await self.client.fetch_channel(int(wanted))
        if not isinstance(channel, discord.TextChannel):
            raise SendFailed("announcement channel not found", permanent=True)
        return channel

    async def _reopen(self, room_id: str) -> None:
        """An archived thread takes no new members: open it again, unless it was locked
        (a moderator's decision, which the bot does not undo) or deleted."""
        try:
            found = await self.client.fetch_channel(int(room_id))
        except discord.NotFound as err:
            raise RoomGone("deleted") from err
        if isinstance(found, discord.Thread) and found.locked:
            raise RoomGone("locked")
        await self.client.http.edit_channel(int(room_id), archived=False)

    async def rename(self, session_id: int, title: str) -> None:
        """Follow a session's new title; a thread that is gone is left to be replaced."""
        name = plain(title)[:100] or f"Session {session_id}"
        for room in self.store.rooms(session_id):
            try:
                await self.client.http.edit_channel(int(room.room_id), name=name)
            except discord.HTTPException as err:
                if not gone_why(err):
                    raise

    # ------------------------------------------------------------------ who is in them

    async def place(
        self, session_id: int, members: list[Member], rooms: list[Room] | None = None
    ) -> Placement:
        """Make sure each member is in one of the session's threads (adding those who are
        not), and say which thread each is in. `rooms`: the session's threads as just read,
        if the caller has them."""
        placement = Placement()
        rooms = self.store.rooms(session_id) if rooms is None else rooms
        where = {m: r.room_id for r in rooms for m in r.members}
        for member in members:
            if not member.platform_user_id.isdigit():
                why = SendFailed("not a Discord account", permanent=True)
                placement.failed.append((member, why))
                continue
            room_id = where.get(member.id)
            if room_id is None:
                try:
                    room_id = await self._let_in(session_id, member, placement)
                except SendFailed as failure:
                    placement.failed.append((member, failure))
                    continue
            placement.rooms.setdefault(room_id, []).append(member)
        return placement

    async def _let_in(
        self, session_id: int, member: Member, placement: Placement, room_id: str | None = None
    ) -> str:
        """Add one member to a thread with room (`room_id`, if the caller has just read one),
        starting one if needed; returns its id."""
        for _ in range(3):
            room_id = room_id or await self._room_with_space(session_id)
            try:
                await self._add(room_id, member)
            except RoomGone as gone:
                self._forget(room_id, gone.why, placement)
                room_id = None
                continue
            return room_id
        raise SendFailed("could not start a private thread for the session", permanent=False)

    async def _room_with_space(self, session_id: int) -> str:
        for room_id, size in self.store.sizes(session_id).items():
            if size < ROOM_SIZE:
                return room_id
        try:
            return (await self._open(session_id)).room_id
        except discord.HTTPException as err:
            raise failure(err) from err
        except NETWORK as err:
            raise failure(err) from err

    async def _add(self, room_id: str, member: Member) -> None:
        await self.add_to(room_id, member)
        self.store.let_in(room_id, member.id)

    async def add_to(self, room_id: str, member: Member) -> None:
        """Add a member to a private thread, reopening it if it was archived. Raises RoomGone
        if the thread was deleted, SendFailed if the member cannot be added."""
        for attempt in range(2):
            try:
                user = int(member.platform_user_id)
                await self.client.http.add_user_to_thread(int(room_id), user)
            except discord.HTTPException as err:
                if err.code == UNKNOWN_CHANNEL:
                    raise RoomGone("deleted") from err
                if err.code == ARCHIVED and attempt == 0:
                    await self._reopen(room_id)
                    continue
                if err.code == UNKNOWN_MEMBER:
                    raise SendFailed("no longer in the Discord server", permanent=True) from err
                if err.code == MISSING_PERMISSIONS:
                    why = "the bot may not add members to private threads (Manage Threads)"
                    raise NotAllowed(why, permanent=True) from err
                raise failure(err) from err
            except NETWORK as err:
                raise failure(err) from err
            return

    def _forget(self, room_id: str, why: str, placement: Placement | None = None) -> None:
        log.warning("a session's private thread %s was %s; starting another", room_id, why)
        self.store.retire(room_id)
        if placement is not None:
            placement.note = f"the session's private thread was {why}, so a new one was started"

    async def gone(self, room_id: str, err: discord.HTTPException) -> str:
        """After a post to a room failed: why the room is no longer usable ("" if it is).
        An archived (not locked) thread is reopened and is usable again."""
        why = gone_why(err)
        if why == "locked":
            try:
                await self._reopen(room_id)
                return ""
            except RoomGone as gone:
                why = gone.why
        if why:
            self._forget(room_id, why)
        return why

    async def sync_member(self, session_id: int, member_id: int) -> None:
        """Bring one member's place in the session's threads up to date: in if they hold a
        place or wait for one, out if not. A booking or a cancellation changes one member,
        so this reads only theirs. Raises SendFailed for what should be tried again."""
        standing = self.store.standing(session_id, member_id, ROOM_SIZE)
        member = standing.member
        if not standing.holds_place:
            for room_id in standing.rooms:
                await self._let_out(room_id, member_id, member)
            return
        if standing.rooms or member is None or member.platform != "discord":
            return
        placement = Placement()
        try:
            await self._let_in(session_id, member, placement, standing.room_with_space)
        except SendFailed as failure:
            if not failure.permanent:
                raise
            log.warning(
                "could not let a member into session %s's private thread: %s",
                session_id,
                failure.reason,
            )

    async def sync(self, session_id: int) -> None:
        """Take out of the session's threads those who no longer hold a place, and let in
        those who do. Raises SendFailed for what should be tried again."""
        holders = self.community.signups.holders(session_id)
        rooms = self.store.rooms(session_id)
        inside: set[int] = set()
        for room in rooms:
            inside |= room.members
            for member_id in room.members - holders:
                await self._let_out(room.room_id, member_id)
        if holders <= inside:
            return  # a place given up: nobody new to let in
        # Only those not yet in a thread are looked up: a booking in a big session is cheap.
        members = [m for i in sorted(holders - inside) if (m := self.community.members.get(i))]
        discord_members = [m for m in members if m.platform == "discord"]
        placement = await self.place(session_id, discord_members, rooms)
        transient = [f for _, f in placement.failed if not f.permanent]
        if transient:
            raise transient[0]

    async def _let_out(self, room_id: str, member_id: int, member: Member | None = None) -> None:
        """Take a member out of a thread (`member`: as just read, if the caller has it)."""
        member = member or self.community.members.get(member_id)
        if member is not None:
            await self.remove(room_id, member.platform_user_id)
        self.store.let_out(room_id, member_id)

    async def remove(self, room_id: str, user_id: str) -> None:
        """Take a Discord user out of a thread; gone threads and members are fine."""
        if user_id.isdigit():
            user = int(user_id)
            try:
                try:
                    await self.client.http.remove_user_from_thread(int(room_id), user)
                except discord.HTTPException as err:
                    if err.code != ARCHIVED:
                        raise
                    await self._reopen(room_id)
                    await self.client.http.remove_user_from_thread(int(room_id), user)
            except RoomGone:
                pass  # nobody reads a deleted thread; a locked one keeps only what was said
            except discord.HTTPException as err:
                if err.code not in (UNKNOWN_CHANNEL, UNKNOWN_MEMBER):
                    raise failure(err) from err
            except NETWORK as err:
                raise failure(err) from err
