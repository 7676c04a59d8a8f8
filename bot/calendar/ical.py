"""The CoP calendar as an iCalendar (.ics) file that any calendar app can subscribe to.

Built with the `icalendar` library, which writes the VTIMEZONE a session's local time needs.
A subscribed feed passes each session's last change as its stamp, so the same calendar gives
the same bytes (and the same ETag) until something really changes, and a refresh hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

from bot.domain.clockchange import is_ambiguous
from bot.storage.sessions import Session


def calendar_ics(
    sessions: list[Session],
    community: str,
    zone: ZoneInfo,
    now: datetime,
    host: str = "copbot",
    *,
    stamps: Mapping[int, datetime] | None = None,
    notes: Mapping[int, str] | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """One VEVENT per session, times in the community's zone, cancelled ones marked so.

    `stamps` are when each session last changed (else `now`), `notes` extra lines for each
    description, `refresh` how often a subscribed app should look again.
    """
    cal = Calendar()
    cal.add("prodid", "-//copbot//Community of Practice calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", community)
    cal.add("x-wr-timezone", str(zone))
    if refresh is not None:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    head = bytes(cal.to_ical())
    events = [
        _event_ics(s, zone, (stamps or {}).get(s.id, now), host, (notes or {}).get(s.id, ""))
        for s in sessions
    ]
    zones = [_timezone_ics(str(zone))] if sessions else []
    return b"".join([head.removesuffix(_END), *zones, *events, _END])


_END = b"END:VCALENDAR\r\n"


# Each part is rendered by icalendar once and joined as bytes: a feed of 50 sessions, where
# one changed, renders one event rather than fifty (and the time zone never again).
@lru_cache(maxsize=8)
def _timezone_ics(tzid: str) -> bytes:
    return bytes(Timezone.from_tzid(tzid).to_ical())


@lru_cache(maxsize=8192)
def _event_ics(session: Session, zone: ZoneInfo, stamp: datetime, host: str, note: str) -> bytes:
    return bytes(_event(session, zone, stamp, host, note).to_ical())


def _moment(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time as the calendar file writes it: local, with its zone, unless that local time
    happens twice (the hour the clocks go back), which calendar apps read as the first of the
    two (RFC 5545); then in UTC, so a session across the change keeps its true length."""
    local = moment.astimezone(zone)
    if is_ambiguous(local.replace(tzinfo=None), zone):
        return moment.astimezone(UTC)
    return local


def _event(session: Session, zone: ZoneInfo, stamp: datetime, host: str, note: str) -> Event:
    event = Event()
    event.add("uid", f"session-{session.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("summary", f"{session.title} ({session.objective})")
    event.add("dtstart", _moment(session.start, zone))
    event.add("dtend", _moment(session.end, zone))
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("categories", [session.objective])
    if session.location:
        event.add("location", session.location)
    description = "\n\n".join(part for part in (session.description, note) if part)
    if description:
        event.add("description", description)
    return event
