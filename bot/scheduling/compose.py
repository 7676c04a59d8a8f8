"""Writing each scheduled message at the moment it is sent, from the calendar as it is then.

Composing late means an edited session's reminder carries the new place, and a cancelled
one's reminder is not sent at all. Every direct message ends with a one-step way to stop
that kind of message, and says why it was sent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.session_when import human_length, session_when
from bot.community import Community
from bot.content.prompts import Prompt
from bot.domain.context import Action, Reply
from bot.domain.objectives import OBJECTIVES
from bot.scheduling.feedback import feedback_question
from bot.scheduling.introduction import (
    UNDECLARED,
    connect_introduction,
    shared_introduction,
)
from bot.storage.deliveries import Delivery, reply_from_payload
from bot.storage.library import Entry
from bot.storage.members import Member
from bot.storage.sessions import Session

# Which preference governs each kind of direct message. Notices about a member's own
# booking (a place given, a session moved or cancelled) are not on this list: a member who
# paused or stopped reminders still needs to know, and can stop them by cancelling the place.
PREFERENCE_OF = {
    "reminder": "reminders",
    "followup": "reminders",
    "prompt-dm": "prompts",
    "pick-dm": "picks",
    "feedback": "reminders",
    "connect": "connect",
}
BOOKING_NOTICES = ("promoted", "changed")


class Skip(Exception):
    """This delivery should not go out any more; the reason is recorded in the ledger."""


def _lead_minutes(start: datetime, due: datetime, now: datetime, zone: ZoneInfo) -> int:
    """How long until the session, as the reminder should say it: the planned lead when it
    goes on time, the true one (to five minutes) when it goes late.

    A lead of whole days on the member's wall clock is said as days ("1 week"), even when a
    clock change makes it an hour more or less in exact time."""
    actual = start - now
    if abs(now - due) <= timedelta(minutes=15):
        planned = start - due
        wall = _wall(start, zone) - _wall(due, zone)
        if not wall % timedelta(days=1):
            planned = wall
        return max(int(planned.total_seconds() // 60), 1)
    return max(int(actual.total_seconds() // 300) * 5, 1)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


class Composer:
    def __init__(self, community: Community) -> None:
        self.community = community
        self.say = community.messages

    def compose(self, delivery: Delivery, member: Member | None, now: datetime) -> Reply:
        """The message for `delivery`, or Skip when it no longer applies."""
        if member is not None:
            self._check_wanted(delivery, member, now)
            if delivery.kind in BOOKING_NOTICES:
                self._check_still_true(delivery, member, now)
        if "text" in delivery.payload:
            return reply_from_payload(delivery.payload)
        build = getattr(self, "_" + delivery.kind.replace("-", "_"), None)
        if build is None:
            raise Skip(f"unknown kind {delivery.kind}")
        reply: Reply = build(delivery, member)
        return reply

    def check(self, delivery: Delivery, member: Member, now: datetime) -> None:
        """Skip unless `delivery` should still go to `member`, without writing it: a group's
        message is written once, for all, after each member is checked."""
        self._check_wanted(delivery, member, now)
        if delivery.kind in BOOKING_NOTICES:
            self._check_still_true(delivery, member, now)
        if delivery.kind == "connect":
            self._check_still_in(member)
        if delivery.kind == "reminder":
            session = self._session(delivery)
            place = self.community.signups.place(session.id, member.id)
            if place is None or place.status != "confirmed":
                raise Skip("no longer has a place")

    def _check_still_true(self, delivery: Delivery, member: Member, now: datetime) -> None:
        """A notice written earlier (held by quiet hours, say) must still be true when sent."""
        if delivery.session_id is None:
            return
        session = self.community.sessions.get(delivery.session_id)
        if session is None or session.cancelled or session.end <= now:
            raise Skip("the session was cancelled or is over")
        place = self.community.signups.place(session.id, member.id)
        if place is None or (delivery.kind == "promoted" and place.status != "confirmed"):
            raise Skip("no longer has a place")

    def _check_wanted(self, delivery: Delivery, member: Member, now: datetime) -> None:
        prefs = self.community.members.preferences(member.id)
        kind = PREFERENCE_OF.get(delivery.kind)
        if kind is not None and not prefs.wants(kind, now):
            raise Skip("paused" if prefs.paused(now) else f"member turned off {kind}")

    def _session(self, delivery: Delivery) -> Session:
        session = self.community.sessions.get(delivery.session_id or 0)
        if session is None or session.cancelled:
            raise Skip("session cancelled")
        return session

    def _when(self, session: Session, zone: ZoneInfo) -> str:
        return session_when(self.say, session, zone)

    def _reminder(self, delivery: Delivery, member: Member | None) -> Reply:
        assert member is not None
        session = self._session(delivery)
        place = self.community.signups.place(session.id, member.id)
        if place is None or place.status != "confirmed":
            raise Skip("no longer has a place")
        zone = ZoneInfo(member.timezone)
        minutes = _lead_minutes(session.start, delivery.due, self.community.clock.now(), zone)
        lead = human_length(minutes, self.say)
        text = self.say(
            "reminder.text",
            id=session.id,
            title=session.title,
            lead=lead,
            when=self._when(session, ZoneInfo(member.timezone)),
            where=session.location or self.say("session.where_tbc"),
        )
        return Reply(
            text,
            actions=(
                Action(self.say("action.cancel"), f"cancel {session.id}", "danger"),
                Action(self.say("action.stop_reminders"), "unsubscribe reminders"),
            ),
            footer=self.say("reminder.why"),
            private=False,
        )

    def _soon(self, delivery: Delivery, member: Member | None) -> Reply:
        session = self._session(delivery)
        text = self.say(
            "soon.text",
            id=session.id,
            title=session.title,
            where=session.location or self.say("session.where_tbc"),
        )
        return Reply(text, private=False, actions=(self._was_there(session),))

    def _was_there(self, session: Session) -> Action:
        """One tap to say "I was there" (it works for those who had a place)."""
        return Action(self.say("attended.action"), f"attended {session.id}", "primary")

    def _feedback(self, delivery: Delivery, member: Member | None) -> Reply:
        """The one question after a session; asked once, only of those who were there."""
        assert member is not None
        session = self._session(delivery)
        outcomes = self.community.outcomes
        if not outcomes.attendance.was_there(session.id, member.id):
            raise Skip("not marked as there")
        if not outcomes.feedback.mark_asked(session.id, member.id):
            raise Skip("already asked")
        return feedback_question(self.say, session)

    def _followup(self, delivery: Delivery, member: Member | None) -> Reply:
        session = self.community.sessions.get(delivery.session_id or 0)
        if session is None or session.cancelled:
            raise Skip("session cancelled")
        # It goes to everyone booked until attendance is marked: only those marked as there are
        # thanked for coming; nobody is thanked for something they may have missed.
        there = member is not None and self.community.outcomes.attendance.was_there(
            session.id, member.id
        )
        return Reply(
            self.say("followup.thanks" if there else "followup.text", title=session.title),
            private=False,
            actions=(
                self._was_there(session),
                Action(self.say("action.stop_reminders"), "unsubscribe reminders"),
            ),
            footer=self.say("followup.why"),
        )

    def _connect(self, delivery: Delivery, member: Member | None) -> Reply:
        """An introduction to this round's CONNECT group, to one member: who, why, a
        starter, the choices. For a front end that cannot bring the group together."""
        assert member is not None
        self._check_still_in(member)
        round_id = int(delivery.payload.get("period", "0"))
        company = [m for m in self._still_to_meet(round_id, member.id) if m.id != member.id]
        if not company:
            raise Skip("the others in the group have paused or stopped")
        return connect_introduction(
            self.say, round_id, member, company, self._sectors(member, company)
        )

    def introduce_together(self, delivery: Delivery) -> Reply:
        """The introduction a whole CONNECT group reads together, in one conversation."""
        round_id = int(delivery.payload.get("period", "0"))
        group = self._still_to_meet(round_id, delivery.member_id or 0)
        if len(group) < 2:
            raise Skip("the others in the group have paused or stopped")
        return shared_introduction(self.say, round_id, group, self._sectors(group[0], group[1:]))

    def _check_still_in(self, member: Member) -> None:
        if not self.community.connect.is_in(member.id):
            raise Skip("no longer asked for conversations")

    def _still_to_meet(self, round_id: int, member_id: int) -> list[Member]:
        """The member's group that round, less anyone who has since left, stopped
        conversations or paused: nobody is introduced while they have stepped back."""
        now, store = self.community.clock.now(), self.community.connect
        found = []
        for other in store.group_of(round_id, member_id):
            person = self.community.members.get(other)
            prefs = self.community.members.preferences(other)
            if person is not None and store.is_in(other) and prefs.wants("connect", now):
                found.append(person)
        return found

    def _sectors(self, member: Member, company: list[Member]) -> str:
        """The sectors in the group, by their labels, when they differ; else empty."""
        outcomes = self.community.outcomes
        declared = [outcomes.sectors.get(m.id) for m in (member, *company)]
        named = [outcomes.sector_choices.label(s) for s in declared if s not in UNDECLARED]
        named = [label for label in named if label]
        return ", ".join(dict.fromkeys(named)) if len(set(named)) >= 2 else ""

    def prompt_for(self, period: str) -> Prompt | None:
        prompts = self.community.prompts
        chosen = self.community.posted.choose(
            "prompt", period, [p.id for p in prompts], self.community.clock.now()
        )
        return next((p for p in prompts if p.id == chosen), None)

    def prompt_reply(self, prompt: Prompt) -> Reply:
        """The prompt as first seen: a prompt with a content note shows only the note and a
        button, so the reader chooses whether and when to read the prompt itself."""
        footer = self.say("prompt.how_to_reflect")
        if not prompt.content_note:
            text = self.say(
                "prompt.text", objective=prompt.objective, theme=prompt.theme, text=prompt.text
            )
            return Reply(text, footer=footer, private=False)
        note = self.say(
            "prompt.noted", objective=prompt.objective, theme=prompt.theme, note=prompt.content_note
        )
        show = Action(self.say("action.show_prompt"), f"prompt {prompt.id}", "primary")
        return Reply(note, actions=(show,), footer=footer, private=False)

    def direct(self, reply: Reply) -> Reply:
        """A direct message, with a way to support one step away: whatever it says, the
        person reading it alone may need it."""
        command = "support"
        if any(action.command == command for action in reply.actions):
            return reply
        support = Action(self.say("action.support"), command)
        return replace(reply, actions=(*reply.actions, support))

    def _prompt(self, delivery: Delivery, member: Member | None) -> Reply:
        prompt = self.prompt_for(delivery.payload.get("period", ""))
        if prompt is None:
            raise Skip("no prompts in the content")
        return self.prompt_reply(prompt)

    def _prompt_dm(self, delivery: Delivery, member: Member | None) -> Reply:
        reply = self._prompt(delivery, member)
        stop = Action(self.say("action.stop_prompts"), "unsubscribe prompts")
        return Reply(
            reply.text,
            actions=(*reply.actions, stop),
            footer=reply.footer + "\n" + self.say("prompt.why"),
            private=False,
        )

    def pick_for(self, period: str) -> tuple[Entry, str] | None:
        """This period's pick: objectives take turns, and none repeats within its objective
        until every resource of that objective has had its turn.

        Many resources serve several objectives, so among those still waiting for their turn,
        the ones never picked (in the library's order) come first, then the longest ago picked
        under any objective: the same resource is not the pick week after week."""
        posted, now = self.community.posted, self.community.clock.now()
        history = posted.history("pick")
        earlier = sum(1 for p, _ in history if p < period)
        objective = OBJECTIVES[earlier % len(OBJECTIVES)]
        pool = self.community.library.for_picks(objective)
        last_picked = {item: p for p, item in history if p < period}
        waiting = sorted((r.id for r in pool), key=lambda rid: last_picked.get(rid, ""))
        chosen = posted.choose(f"pick:{objective}", period, waiting, now)
        if chosen is None:
            return None
        posted.choose("pick", period, [chosen], now)
        return next((r, objective) for r in pool if r.id == chosen)

    def pick_reply(self, resource: Entry, objective: str) -> Reply:
        text = self.say(
            "pick.text",
            objective=objective,
            title=resource.title,
            summary=resource.summary,
            kind=resource.kind,
            link=resource.link or self.say("pick.no_link"),
        )
        # A suggestion has no summary yet: close the gap its placeholder leaves.
        return Reply(re.sub(r" {2,}", " ", text), private=False)

    def _pick(self, delivery: Delivery, member: Member | None) -> Reply:
        found = self.pick_for(delivery.payload.get("period", ""))
        if found is None:
            raise Skip("no resources in the content")
        return self.pick_reply(*found)

    def _pick_dm(self, delivery: Delivery, member: Member | None) -> Reply:
        reply = self._pick(delivery, member)
        stop = Action(self.say("action.stop_picks"), "unsubscribe picks")
        return Reply(reply.text, actions=(stop,), footer=self.say("pick.why"), private=False)
