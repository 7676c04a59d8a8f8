"""The CoP calendar as an iCalendar (.ics) file that any calendar app can subscribe to.

Built with the `icalendar` library, which writes the VTIMEZONE a session's local time needs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.storage.sessions import Session


def calendar_ics(
    sessions: list[Session], community: str, zone: ZoneInfo, now: datetime, host: str = "copbot"
) -> bytes:
    """One VEVENT per session, times in the community's zone, cancelled ones marked so."""
    cal = Calendar()
    cal.add("prodid", "-//copbot//Community of Practice calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", community)
    for session in sessions:
        cal.add_component(_event(session, zone, now, host))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _event(session: Session, zone: ZoneInfo, now: datetime, host: str) -> Event:
    event = Event()
    event.add("uid", f"session-{session.id}@{host}")
    event.add("dtstamp", now)
    event.add("summary", f"{session.title} ({session.objective})")
    event.add("dtstart", session.start.astimezone(zone))
    event.add("dtend", session.end.astimezone(zone))
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("categories", [session.objective])
    if session.location:
        event.add("location", session.location)
    if session.description:
        event.add("description", session.description)
    return event
