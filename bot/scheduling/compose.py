"""Writing each scheduled message at the moment it is sent, from the calendar as it is then.

Composing late means an edited session's reminder carries the new place, and a cancelled
one's reminder is not sent at all. Every direct message ends with a one-step way to stop
that kind of message, and says why it was sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.community import Community
from bot.content.prompts import Prompt
from bot.domain.context import Action, Reply
from bot.scheduling import introduction, weekly
from bot.scheduling.kinds import Kind, kind_of
from bot.scheduling.skip import Skip
from bot.storage.deliveries import Delivery, reply_from_payload
from bot.storage.library import Entry
from bot.storage.members import Member

__all__ = ["Composer", "Skip"]


class Composer:
    """Turns a due delivery into the words a member reads, at the last moment.

    Why at send time: a session edited or cancelled after its reminder was planned must be
    told as it is now, and a member who paused or turned a kind of message off since must
    not get it. Each kind's row in the kinds table says which checks apply and which
    function writes its words; the composer applies them the same way for every kind."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.say = community.messages

    def compose(self, delivery: Delivery, member: Member | None, now: datetime) -> Reply:
        """The message for `delivery`, or Skip when it no longer applies."""
        kind = kind_of(delivery.kind)
        if member is not None:
            self._check_wanted(kind, member, now)
            if kind.still_true:
                self._check_still_true(kind, delivery, member, now)
        if "text" in delivery.payload:
            return reply_from_payload(delivery.payload)
        if kind.build is None:
            raise Skip(f"unknown kind {delivery.kind}")
        return kind.build(self.community, delivery, member)

    def check(self, delivery: Delivery, member: Member, now: datetime) -> None:
        """Skip unless `delivery` should still go to `member`, without writing it: a group's
        message is written once, for all, after each member is checked."""
        kind = kind_of(delivery.kind)
        self._check_wanted(kind, member, now)
        if kind.still_true:
            self._check_still_true(kind, delivery, member, now)
        if kind.check is not None:
            kind.check(self.community, delivery, member)

    def _check_still_true(
        self, kind: Kind, delivery: Delivery, member: Member, now: datetime
    ) -> None:
        """A notice written earlier (held by quiet hours, say) must still be true when sent."""
        if delivery.session_id is None:
            return
        session = self.community.sessions.get(delivery.session_id)
        if session is None or session.cancelled or session.end <= now:
            raise Skip("the session was cancelled or is over")
        place = self.community.signups.place(session.id, member.id)
        confirmed = kind.still_true == "confirmed place"
        if place is None or (confirmed and place.status != "confirmed"):
            raise Skip("no longer has a place")

    def _check_wanted(self, kind: Kind, member: Member, now: datetime) -> None:
        if not kind.heeds_pause:
            return
        prefs = self.community.members.preferences(member.id)
        if prefs.paused(now):
            raise Skip("paused")
        if kind.preference is not None and not prefs.wants(kind.preference, now):
            raise Skip(f"member turned off {kind.preference}")

    def introduce_together(self, delivery: Delivery) -> Reply:
        """The introduction a whole CONNECT group reads together (see `introduction`)."""
        return introduction.introduce_together(self.community, delivery)

    def prompt_for(self, period: str) -> Prompt | None:
        """This period's prompt (see `weekly.prompt_for`)."""
        return weekly.prompt_for(self.community, period)

    def prompt_reply(self, prompt: Prompt) -> Reply:
        """The prompt as first seen (see `weekly.prompt_reply`)."""
        return weekly.prompt_reply(self.community, prompt)

    def pick_for(self, period: str) -> tuple[Entry, str] | None:
        """This period's pick (see `weekly.pick_for`)."""
        return weekly.pick_for(self.community, period)

    def pick_reply(self, resource: Entry, objective: str) -> Reply:
        return weekly.pick_reply(self.community, resource, objective)

    def direct(self, reply: Reply) -> Reply:
        """A direct message, with a way to support one step away: whatever it says, the
        person reading it alone may need it."""
        command = "support"
        if any(action.command == command for action in reply.actions):
            return reply
        support = Action(self.say("action.support"), command)
        return replace(reply, actions=(*reply.actions, support))
