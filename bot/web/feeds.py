"""What each calendar feed holds, as the database has it now, and its bytes.

A member's feed shows the sessions they are booked on or waiting for (or every session, if
they chose), a community feed every session; both keep the last few weeks so a calendar app
does not wipe sessions that have just happened, and keep cancelled ones, marked cancelled,
so an app that already has them learns of it. No feed ever names another member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.calendar.ical import calendar_ics
from bot.community import Community
from bot.content.messages import Messages
from bot.storage.calendar_links import CalendarLink
from bot.storage.sessions import Session
from bot.storage.signups import Counts, Place

KEEP_PAST = timedelta(weeks=8)
LOOK_AHEAD = timedelta(days=3 * 366)
MAX_EVENTS = 1000
# How often a subscribed app is asked to look again; Google and Outlook decide for themselves.
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Feed:
    name: str
    sessions: list[Session]
    counts: dict[int, Counts]
    places: dict[int, Place]


def community_feed(community: Community, now: datetime) -> Feed:
    found = _window(community, now)
    counts = community.signups.counts([s.id for s in found])
    return Feed(community.config.community_name, found, counts, {})


def member_feed(community: Community, link: CalendarLink, now: datetime) -> Feed:
    """The member's own sessions (or all), with their place at each shown in its notes."""
    places = {p.session_id: p for p in community.signups.for_member(link.member_id)}
    found = _window(community, now)
    name = community.config.community_name
    if link.scope == "mine":
        released = community.signups.released_by_cancellation(link.member_id)
        found = [s for s in found if s.id in places or (s.cancelled and s.id in released)]
        name = community.messages("web.feed_name_mine", community=name)
    counts = community.signups.counts([s.id for s in found])
    return Feed(name, found, counts, places)


def _window(community: Community, now: datetime) -> list[Session]:
    return community.sessions.between(now - KEEP_PAST, now + LOOK_AHEAD)[:MAX_EVENTS]


def feed_ics(community: Community, feed: Feed, host: str) -> bytes:
    """The feed as iCalendar, stamped with each session's last change so it is stable."""
    messages = community.messages
    ids = [s.id for s in feed.sessions]
    notes = {s.id: _note(messages, community, s, feed) for s in feed.sessions}
    return calendar_ics(
        feed.sessions,
        feed.name,
        community.zone,
        community.clock.now(),
        host,
        stamps=community.sessions.last_changed(ids),
        notes=notes,
        refresh=REFRESH,
    )


def _note(messages: Messages, community: Community, session: Session, feed: Feed) -> str:
    lines = [places_text(messages, session, feed.counts.get(session.id, Counts()))]
    place = feed.places.get(session.id)
    if place is not None and not session.cancelled:
        lines.append(place_text(messages, place))
    elif not session.cancelled:
        lines.append(join_text(messages, community, session))
    return "\n".join(lines)


def places_text(messages: Messages, session: Session, counts: Counts) -> str:
    """Places left, as the chat cards say it: counts only, never who."""
    if session.cancelled:
        return messages("session.cancelled_line", reason=session.cancel_reason or "-")
    left = counts.places_left(session.capacity)
    if left is None:
        return messages("session.open_places", confirmed=counts.confirmed)
    if left > 0:
        return messages("session.places_left", left=left, capacity=session.capacity)
    if counts.waitlisted == 0:
        return messages("session.full_no_wait")
    return messages("session.full", waitlisted=counts.waitlisted)


def place_text(messages: Messages, place: Place) -> str:
    if place.status == "confirmed":
        return messages("session.you_confirmed")
    return messages("session.you_waitlisted", position=place.position)


def join_text(messages: Messages, community: Community, session: Session) -> str:
    platform = messages(f"web.platform.{community.config.chosen_platform()}")
    return messages("web.join", id=session.id, platform=platform)
