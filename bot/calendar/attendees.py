"""Attendee lists as CSV, for the planning group's registers and room bookings."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.domain.when import format_local
from bot.storage.members import Member
from bot.storage.sessions import Session
from bot.storage.signups import Place

COLUMNS = (
    "session",
    "title",
    "starts",
    "status",
    "waitlist_position",
    "name",
    "platform",
    "since",
    "attended",
)


def attendees_csv(
    session: Session,
    places: list[Place],
    members: Mapping[int, Member],
    zone: ZoneInfo,
    present: dict[int, str] | None = None,
) -> bytes:
    """One row per confirmed or waiting member, confirmed first, times in `zone`; then
    anyone marked as there without a place. `attended` says how each was marked."""
    present = present or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for place in places:
        member = members.get(place.member_id)
        writer.writerow(
            [
                session.id,
                _cell(session.title),
                format_local(session.start, zone),
                place.status,
                place.position or "",
                _cell(member.display_name if member else ""),
                member.platform if member else "",
                format_local(place.since, zone),
                present.get(place.member_id, ""),
            ]
        )
    booked = {p.member_id for p in places}
    for member_id in sorted(set(present) - booked):
        member = members.get(member_id)
        name = _cell(member.display_name if member else "")
        platform = member.platform if member else ""
        start = format_local(session.start, zone)
        row = [
            session.id,
            _cell(session.title),
            start,
            "walk-in",
            "",
            name,
            platform,
            "",
            "walk-in",
        ]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """Stop a spreadsheet treating member-typed text as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
