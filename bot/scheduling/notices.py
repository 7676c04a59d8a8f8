"""The notices a command queues: news for members, posts for the channel, and work for the
front end (mirror a session, let members in or out of a session's private room).

Nothing is sent here. Each notice goes into the delivery ledger under its own key, so it is
sent once by the courier, even if the bot restarts straight after the change; a notice to a
member waits out their quiet hours by the same rule as every planned message.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.community import Community
from bot.domain.context import Reply
from bot.domain.preferences import Preferences
from bot.scheduling.keys import LeaveKey, NoticeKey, SyncKey
from bot.scheduling.kinds import deliver_at, quiet_hours
from bot.storage.db import utc_iso
from bot.storage.deliveries import Entry, reply_to_payload
from bot.storage.members import Member, Recipient
from bot.storage.sessions import Session

# The payload of a "sync" delivery that brings who is in a session's private room up to date.
PLACES = {"what": "places"}


class Notices:
    """The queue a command (or the scheduler) puts notices in; see the module's docstring."""

    def __init__(self, community: Community) -> None:
        self.community = community

    def notify(
        self,
        member_ids: list[int],
        kind: str,
        reply: Reply,
        *,
        session_id: int | None = None,
        known: Mapping[int, Recipient] | None = None,
    ) -> None:
        """Queue a notice for each member; the courier sends it through the ledger.

        A notice goes now, or at the end of quiet hours, unless its session starts first.
        The members are read in one go (or given, as `known`) and every notice is queued in
        one statement and one transaction: a cancellation told to thousands holds nothing up
        (a commit a notice took 1.2 s for 12,500).
        """
        community = self.community
        now, quiet = community.clock.now(), quiet_hours(community)
        session = community.sessions.get(session_id) if session_id else None
        latest = session.start if session else None
        if known is None:
            known = community.members.recipients(member_ids)
        payload = reply_to_payload(reply)
        # When each distinct set of choices lets a notice go, worked out once.
        dues: dict[str, datetime] = {}
        # A change is a one-off event: its keys must never collide with another change's,
        # even one made in the same second; each member's key also names the member.
        tag = _tag(8)
        entries = []
        keys = NoticeKey.for_each(kind, session_id, member_ids, now, tag)
        for member_id, key in zip(member_ids, keys, strict=True):
            found = known.get(member_id)
            choices = found.preferences if found else "{}"
            due = dues.get(choices)
            if due is None:
                prefs = Preferences.from_dict(json.loads(choices or "{}"))
                due = dues[choices] = deliver_at(community, quiet, kind, prefs, now, latest)
            entries.append(
                Entry(key, kind, due, member_id=member_id, session_id=session_id, payload=payload)
            )
        community.deliveries.enqueue_many(entries)

    def notify_holders(
        self, session: Session, kind: str, render: Callable[[ZoneInfo], Reply]
    ) -> int:
        """Queue a notice for everyone holding a place at `session` or waiting for one, in
        one INSERT ... SELECT; returns how many. Call it before the places are released.

        The words depend only on the member's zone (`render`) and the time it goes only on
        their choices, so each is worked out once per distinct zone and set of choices
        (a handful) and SQL pairs them with the holders: a cancellation told to 12,500
        members makes no Python object per member. The same rules and keys as `notify`.
        """
        community = self.community
        now, quiet = community.clock.now(), quiet_hours(community)
        shapes = community.signups.holder_shapes(session.id)
        words = {
            zone: json.dumps(reply_to_payload(render(ZoneInfo(zone))), sort_keys=True)
            for zone in {zone for zone, _ in shapes}
        }
        dues = {
            choices: utc_iso(
                deliver_at(
                    community,
                    quiet,
                    kind,
                    Preferences.from_dict(json.loads(choices or "{}")),
                    now,
                    session.start,
                )
            )
            for choices in {choices for _, choices in shapes}
        }
        before, after = NoticeKey.around(kind, session.id, now, _tag(8))
        return community.deliveries.enqueue_for_holders(
            session.id, kind, (before, after), words, dues
        )

    def session_changed(self, session_id: int) -> None:
        """Tell the front end a session changed, so a mirror (a Discord event) can follow."""
        now = self.community.clock.now()
        key = SyncKey(session_id, now, _tag(8))
        self.community.deliveries.enqueue(key.text(), "sync", now, session_id=session_id)

    def places_changed(self, session_id: int, member: Member) -> None:
        """Someone took or gave up a place. Where a platform gathers each session's booked
        members in a private room (Discord's private threads), let them in or out soon:
        only them, as nobody else's place changed (the courier forgets who once done)."""
        if self.community.default_via(member.platform) != "thread":
            return
        now = self.community.clock.now()
        key = SyncKey(session_id, now, _tag(8))
        payload = {**PLACES, "member": member.id}
        self.community.deliveries.enqueue(
            key.text(), "sync", now, session_id=session_id, payload=payload
        )

    def leave_rooms(self, member: Member) -> None:
        """Before a member is erased, queue their removal from every private room they are
        in (a session's, or one their CONNECT introductions were in). Erasure deletes the
        rows that say who is in a room, so each removal carries the member's platform id
        itself, and the courier scrubs it once the removal is done."""
        community = self.community
        now = community.clock.now()
        for room_id in community.rooms.rooms_of(member.id) + self._conversation_rooms(member.id):
            key = LeaveKey(room_id, _tag(12))
            payload = {"what": "leave", "room": room_id, "user": member.platform_user_id}
            community.deliveries.enqueue(key.text(), "sync", now, payload=payload)

    def _conversation_rooms(self, member_id: int) -> list[str]:
        """The rooms a front end opened for the member's CONNECT introductions."""
        community = self.community
        rooms = (community.meta.room_for(c) for c in community.connect.conversations_of(member_id))
        return [room for room in rooms if room]

    def announce(self, key: str, kind: str, reply: Reply, *, session_id: int | None = None) -> None:
        """Queue a post to the community's announcement channel under `key` (for a
        session's announcement, `keys.AnnouncementKey`)."""
        community = self.community
        community.deliveries.enqueue(
            key,
            kind,
            community.clock.now(),
            session_id=session_id,
            channel=community.config.announce_channel,
            payload=reply_to_payload(reply),
        )


def _tag(length: int) -> str:
    """A random tag that keeps two notices made in the same second apart."""
    return uuid.uuid4().hex[:length]
