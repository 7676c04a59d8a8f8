"""A session's date, time and length as members read them: one wording for cards, replies,
notices and reminders, in the reader's own zone.

When the clocks change during a session, its local start and end no longer show its length
("01:30–01:30" for an hour across the autumn change), so the length is said outright.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.content.messages import Messages
from bot.domain.clockchange import change_during
from bot.domain.when import format_local, format_time
from bot.storage.sessions import Session


def session_when(say: Messages, session: Session, zone: ZoneInfo) -> str:
    """ "Thu 3 Dec 2026, 14:00–15:30 (Europe/London)", with the length when clocks change."""
    fields = {
        "start": format_local(session.start, zone),
        "end": format_time(session.end, zone),
        "zone": str(zone),
    }
    change = change_during(session.start, session.end, zone)
    if change is None:
        return say("session.when", **fields)
    length = human_length(session.duration_minutes, say)
    return say(f"session.when_{change}", length=length, **fields)


def human_length(minutes: int, say: Messages) -> str:
    """How long, in the two largest units: "1 week", "22 hours and 55 minutes".

    Never "1375 minutes": a reminder sent with post-now is due at no round time."""
    parts = []
    for unit, size in (("week", 10080), ("day", 1440), ("hour", 60), ("minute", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(say(f"length.{unit}" if count == 1 else f"length.{unit}s", count=count))
    if len(parts) >= 2:
        return say("length.and", first=parts[0], second=parts[1])
    return parts[0] if parts else say("length.minutes", count=0)
