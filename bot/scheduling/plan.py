"""What is due, to whom, in a window of time: derived from the calendar every time.

Nothing is remembered between runs except how far the planner has looked (`meta`) and what
the ledger has already sent, so a restart loses nothing and repeats nothing. Each planned
delivery has a stable key; the ledger decides whether it still needs sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.community import Community
from bot.domain.preferences import Preferences
from bot.domain.quiet import QuietHours
from bot.storage.sessions import Session
from bot.storage.signups import Place

MAX_HOLD = timedelta(days=3)
# A reminder due this close to its session is never held by quiet hours: it is about to start.
SOON = timedelta(minutes=15)
FOLLOW_UP = timedelta(minutes=30)


@dataclass(frozen=True)
class Planned:
    """One delivery the calendar promises. `member_id` None means a channel post."""

    key: str
    kind: str
    due: datetime
    session_id: int | None = None
    member_id: int | None = None
    detail: str = ""


def offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    for unit, size in (("w", 10080), ("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def quiet_hours(community: Community) -> QuietHours:
    c = community.config
    return QuietHours(c.quiet_start, c.quiet_end, c.quiet_weekends, c.zone)


class Planner:
    def __init__(self, community: Community) -> None:
        self.community = community
        self.quiet = quiet_hours(community)

    def between(self, start: datetime, end: datetime) -> list[Planned]:
        """Every delivery whose (quiet-hours adjusted) time falls in (start, end]."""
        found = [
            *self._reminders(start, end),
            *self._session_posts(start, end),
            *self._weekly(start, end),
        ]
        return sorted((p for p in found if start < p.due <= end), key=lambda p: (p.due, p.key))

    def _held(self, member_id: int, nominal: datetime, latest: datetime | None) -> datetime:
        """Hold a direct message out of quiet hours, unless that would make it too late:
        after `latest` (the session's start), or at all when the session is about to start."""
        member = self.community.members.get(member_id)
        if member is None or not Preferences.from_dict(member.preferences).quiet_hours:
            return nominal
        return self.quiet.deliver_at(nominal, latest)

    def _superseded(
        self, member_id: int, nominal: datetime, start: datetime, closer: list[timedelta]
    ) -> bool:
        """A reminder that quiet hours would push past the next, closer one is left to it:
        nobody needs "tomorrow" after "in an hour", or a Sunday message to say either."""
        if not closer or not self.quiet.is_quiet(nominal):
            return False
        member = self.community.members.get(member_id)
        if member is None or not Preferences.from_dict(member.preferences).quiet_hours:
            return False
        return self.quiet.hold(nominal) >= start - max(closer)

    def _reminders(self, start: datetime, end: datetime) -> list[Planned]:
        found = []
        offsets = self.community.config.reminder_offsets
        for offset in offsets:
            label = offset_label(offset)
            closer = [o for o in offsets if o < offset]
            for session in self._starting(start - MAX_HOLD + offset, end + offset):
                nominal = session.start - offset
                for place in self._confirmed(session):
                    if place.since >= nominal:
                        continue
                    if self._superseded(place.member_id, nominal, session.start, closer):
                        continue
                    due = self._held(place.member_id, nominal, session.start)
                    found.append(
                        Planned(
                            f"reminder:{session.id}:{place.member_id}:{label}:{_stamp(session.start)}",
                            "reminder",
                            due,
                            session.id,
                            place.member_id,
                            label,
                        )
                    )
        return found

    def _session_posts(self, start: datetime, end: datetime) -> list[Planned]:
        found = []
        for session in self._starting(start + SOON, end + SOON):
            found.append(
                Planned(
                    f"soon:{session.id}:{_stamp(session.start)}",
                    "soon",
                    session.start - SOON,
                    session.id,
                )
            )
        lookback = timedelta(days=14)
        for session in self._starting(start - MAX_HOLD - lookback, end):
            nominal = session.end + FOLLOW_UP
            if not start - MAX_HOLD < nominal <= end:
                continue
            for place in self._confirmed(session):
                due = self._held(place.member_id, nominal, None)
                found.append(
                    Planned(
                        f"followup:{session.id}:{place.member_id}",
                        "followup",
                        due,
                        session.id,
                        place.member_id,
                    )
                )
        return found

    def _weekly(self, start: datetime, end: datetime) -> list[Planned]:
        c = self.community.config
        found = []
        for kind, weekday, clock in (
            ("prompt", c.prompt_day, c.prompt_time),
            ("pick", c.pick_day, c.pick_time),
        ):
            for moment in weekly_times(weekday, clock, c.zone, start - MAX_HOLD, end):
                period = moment.astimezone(c.zone).date().isoformat()
                found.append(Planned(f"{kind}:{period}", kind, moment, detail=period))
                found += self._copies(kind, period, moment)
        return found

    def _copies(self, kind: str, period: str, moment: datetime) -> list[Planned]:
        """Direct-message copies for the members who asked for them."""
        ids = self.community.members.wanting(kind)
        return [
            Planned(
                f"{kind}:{period}:{mid}",
                f"{kind}-dm",
                self._held(mid, moment, None),
                member_id=mid,
                detail=period,
            )
            for mid in ids
        ]

    def _starting(self, start: datetime, end: datetime) -> list[Session]:
        """Scheduled sessions starting in (start, end]; the store's range is half-open."""
        found = self.community.sessions.between(start, end + timedelta(seconds=1))
        return [s for s in found if not s.cancelled]

    def _confirmed(self, session: Session) -> list[Place]:
        return [p for p in self.community.signups.attendees(session.id) if p.status == "confirmed"]


def weekly_times(
    weekday: int, clock: time, zone: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """Each `weekday` at `clock` local time that falls in (start, end], in UTC."""
    day: date = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    found = []
    while day <= last:
        if day.weekday() == weekday:
            moment = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
            if start < moment <= end:
                found.append(moment)
        day += timedelta(days=1)
    return found


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
