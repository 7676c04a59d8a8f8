"""The messages about a session a member booked: the reminders before it, the "starting
soon" post, and the thanks after it.

Each is written when it is sent, from the calendar as it is then: an edited session's
reminder says the new place, and a cancelled one's is not sent at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.session_when import human_length, session_when
from bot.community import Community
from bot.domain.context import Action, Reply
from bot.scheduling.skip import Skip
from bot.storage.deliveries import Delivery
from bot.storage.members import Member
from bot.storage.sessions import Session


def live_session(community: Community, delivery: Delivery) -> Session:
    """The delivery's session, or Skip when it is gone or cancelled."""
    session = community.sessions.get(delivery.session_id or 0)
    if session is None or session.cancelled:
        raise Skip("session cancelled")
    return session


def has_place(community: Community, delivery: Delivery, member: Member) -> Session:
    """A reminder is for someone who still has a place: their session, or Skip."""
    session = live_session(community, delivery)
    place = community.signups.place(session.id, member.id)
    if place is None or place.status != "confirmed":
        raise Skip("no longer has a place")
    return session


def was_there_action(community: Community, session: Session) -> Action:
    """One tap to say "I was there" (it works for those who had a place)."""
    return Action(community.messages("attended.action"), f"attended {session.id}", "primary")


def reminder(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """The reminder: how long until the session, when and where, and a way out."""
    assert member is not None
    say = community.messages
    session = has_place(community, delivery, member)
    zone = ZoneInfo(member.timezone)
    minutes = lead_minutes(session.start, delivery.due, community.clock.now(), zone)
    text = say(
        "reminder.text",
        id=session.id,
        title=session.title,
        lead=human_length(minutes, say),
        when=session_when(say, session, zone),
        where=session.location or say("session.where_tbc"),
    )
    return Reply(
        text,
        actions=(
            Action(say("action.cancel"), f"cancel {session.id}", "danger"),
            Action(say("action.stop_reminders"), "unsubscribe reminders"),
        ),
        footer=say("reminder.why"),
        private=False,
    )


def soon(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """The channel's "starting soon" post, with the "I was there" button."""
    say = community.messages
    session = live_session(community, delivery)
    text = say(
        "soon.text",
        id=session.id,
        title=session.title,
        where=session.location or say("session.where_tbc"),
    )
    return Reply(text, private=False, actions=(was_there_action(community, session),))


def followup(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """After the session: thanks to those marked as there; to the others (until attendance
    is marked, everyone booked) an invitation to say so. Nobody is thanked for something
    they may have missed."""
    say = community.messages
    session = live_session(community, delivery)
    there = member is not None and community.outcomes.attendance.was_there(session.id, member.id)
    return Reply(
        say("followup.thanks" if there else "followup.text", title=session.title),
        private=False,
        actions=(
            was_there_action(community, session),
            Action(say("action.stop_reminders"), "unsubscribe reminders"),
        ),
        footer=say("followup.why"),
    )


def lead_minutes(start: datetime, due: datetime, now: datetime, zone: ZoneInfo) -> int:
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
