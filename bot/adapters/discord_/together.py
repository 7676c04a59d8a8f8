"""A few members brought together in one private conversation on Discord: a CONNECT
group's introduction.

Discord's group DMs are not open to bots, so the group meets in a private thread (type 12,
members cannot invite others) in the announcement channel, made the way each session's
threads are (`rooms.py`), and only those introduced are added. Each conversation's thread is
remembered in `meta` (`MetaStore.keep_room`), so a retry posts in the same thread rather than
starting another, and an erased member can be taken out of it. Where the bot cannot start
a thread there (no announcement channel, or no permission to make private threads or add
members to them), the caller sends each member a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.adapters.discord_.failures import failure
from bot.adapters.discord_.rooms import NETWORK, NotAllowed, RoomGone, SessionRooms
from bot.community import Community
from bot.frontend import SendFailed
from bot.storage.members import Member


class NoThread(Exception):
    """The bot cannot start a private thread here: fall back to a direct message each."""


@dataclass
class Gathered:
    """Who is in the conversation's thread now, and who could not be added and why."""

    room_id: str
    inside: list[Member] = field(default_factory=list)
    failed: list[tuple[Member, SendFailed]] = field(default_factory=list)


class Conversations:
    def __init__(self, rooms: SessionRooms, community: Community) -> None:
        self.rooms = rooms
        self.community = community

    async def gather(self, conversation: str, members: list[Member]) -> Gathered:
        """The conversation's thread, with each member added; a deleted thread is replaced
        once. Raises NoThread if none can be started, SendFailed for passing trouble."""
        for _ in range(2):
            room_id = await self._thread(conversation)
            try:
                return await self._add_all(room_id, members)
            except RoomGone:
                self.community.meta.keep_room(conversation, "")
        raise SendFailed("the conversation's private thread keeps disappearing", permanent=False)

    async def _add_all(self, room_id: str, members: list[Member]) -> Gathered:
        gathered = Gathered(room_id)
        for member in members:
            if not member.platform_user_id.isdigit():
                gathered.failed.append((member, SendFailed("not on Discord", permanent=True)))
                continue
            try:
                await self.rooms.add_to(room_id, member)
            except NotAllowed as refusal:
                raise NoThread(refusal.reason) from refusal
            except SendFailed as trouble:
                gathered.failed.append((member, trouble))
                continue
            gathered.inside.append(member)
        return gathered

    async def _thread(self, conversation: str) -> str:
        known = self.community.meta.room_for(conversation)
        if known:
            return known
        name = self.community.messages("connect.thread_name")
        try:
            room_id = await self.rooms.open_private(name)
        except SendFailed as refused:
            raise NoThread(refused.reason) from refused
        except discord.Forbidden as err:
            raise NoThread(f"no permission to start a private thread ({err.code})") from err
        except discord.HTTPException as err:
            judged = failure(err)
            if judged.permanent:
                raise NoThread(judged.reason) from err
            raise judged from err
        except NETWORK as err:
            raise failure(err) from err
        self.community.meta.keep_room(conversation, room_id)
        return room_id
