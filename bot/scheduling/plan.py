"""What is due, to whom, in a window of time: derived from the calendar every time.

Nothing is remembered between runs except how far the planner has looked (`meta`) and what
the ledger has already sent, so a restart loses nothing and repeats nothing. Each planned
delivery has a stable key; the ledger decides whether it still needs sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.community import Community
from bot.domain.preferences import Preferences
from bot.domain.quiet import QuietHours
from bot.scheduling.connect import introduction_key
from bot.scheduling.feedback import FEEDBACK_AFTER
from bot.storage.members import Member
from bot.storage.sessions import Session
from bot.storage.signups import Place

MAX_HOLD = timedelta(days=3)
# A reminder due this close to its session is never held by quiet hours: it is about to start.
SOON = timedelta(minutes=15)
FOLLOW_UP = timedelta(minutes=30)
# How far a whole-day reminder on the wall clock can be from the same offset in exact time.
CLOCK_CHANGE = timedelta(hours=2)


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
            *self._connect(start, end),
        ]
        return sorted((p for p in found if start < p.due <= end), key=lambda p: (p.due, p.key))

    def _held(
        self, member_id: int, kind: str, nominal: datetime, latest: datetime | None
    ) -> datetime:
        """Hold a direct message out of quiet hours, unless that would make it too late:
        after `latest` (the session's start), or at all when the session is about to start."""
        member = self.community.members.get(member_id)
        if member is None or not self._quiet_for(member, kind):
            return nominal
        return self.quiet.deliver_at(nominal, latest)

    def _quiet_for(self, member: Member, kind: str) -> bool:
        """Whether quiet hours hold this kind of message to this member (a direct message,
        not a post in a session's thread)."""
        prefs = Preferences.from_dict(member.preferences)
        return prefs.quiet_hours_hold(kind, self.community.config.chosen_platform())

    def _reminders(self, start: datetime, end: datetime) -> list[Planned]:
        found = []
        offsets = self.community.config.reminder_offsets
        for offset in offsets:
            label = offset_label(offset)
            closer = [o for o in offsets if o < offset]
            # Wide enough for a reminder moved by a clock change, held, or brought forward.
            reach = MAX_HOLD + CLOCK_CHANGE
            for session in self._starting(start - reach + offset, end + offset + reach):
                for place in self._confirmed(session):
                    due = self._reminder_due(place, session.start, offset, closer)
                    if due is None:
                        continue
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

    def _reminder_due(
        self, place: Place, start: datetime, offset: timedelta, closer: list[timedelta]
    ) -> datetime | None:
        """When a member's reminder goes, or None if it does not.

        It is due `offset` before the session on the member's own wall clock, and held out of
        their quiet hours. If holding it would bring it up against the next, closer reminder
        (a Saturday "tomorrow" for a Sunday session, held to Monday), it comes at the last
        open moment before instead (Friday), so quiet hours are kept and nothing is lost.
        """
        member = self.community.members.get(place.member_id)
        zone = _zone(member.timezone) if member else self.community.zone
        nominal = reminder_time(start, offset, zone)
        if place.since >= nominal:
            return None
        if member is None or not self._quiet_for(member, "reminder"):
            return nominal
        clash = self.quiet.is_quiet(nominal) and bool(closer)
        if clash and self.quiet.hold(nominal) >= start - max(closer):
            earlier = self.quiet.bring_forward(nominal, MAX_HOLD)
            return earlier if earlier is not None and earlier > place.since else None
        return self.quiet.deliver_at(nominal, start)

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
            for member_id in self._followed_up(session):
                due = self._held(member_id, "followup", nominal, None)
                found.append(
                    Planned(
                        f"followup:{session.id}:{member_id}",
                        "followup",
                        due,
                        session.id,
                        member_id,
                    )
                )
        return found + self._feedback(start, end)

    def _followed_up(self, session: Session) -> list[int]:
        """Those who were there, once anyone has been marked; until then, those with a place."""
        present = self.community.outcomes.attendance.present(session.id)
        if present:
            return sorted(present)
        return [p.member_id for p in self._confirmed(session)]

    def _feedback(self, start: datetime, end: datetime) -> list[Planned]:
        """The one question after a session, to each member marked as there."""
        found = []
        lookback = timedelta(days=14)
        for session in self._starting(start - MAX_HOLD - lookback - FEEDBACK_AFTER, end):
            nominal = session.end + FEEDBACK_AFTER
            if not start - MAX_HOLD < nominal <= end:
                continue
            for member_id in sorted(self.community.outcomes.attendance.present(session.id)):
                due = self._held(member_id, "feedback", nominal, None)
                key = f"feedback:{session.id}:{member_id}"
                found.append(Planned(key, "feedback", due, session.id, member_id))
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
                self._held(mid, f"{kind}-dm", moment, None),
                member_id=mid,
                detail=period,
            )
            for mid in ids
        ]

    def _connect(self, start: datetime, end: datetime) -> list[Planned]:
        store = self.community.connect
        rounds = store.rounds_due(start - MAX_HOLD, end + timedelta(seconds=1))
        return [p for round_ in rounds for p in self.introductions(round_.id, round_.due)]

    def introductions(self, round_id: int, nominal: datetime) -> list[Planned]:
        """Each member's introduction to their CONNECT group. A group is introduced in one
        conversation, so all its members' introductions fall due together: when quiet hours
        hold any of them, the whole group waits until the time that suits everyone."""
        found = []
        for number, group in self.community.connect.groups_of(round_id).items():
            due = max(self._held(m, "connect", nominal, None) for m in group)
            found += [
                Planned(
                    introduction_key(round_id, number, member_id),
                    "connect",
                    due,
                    member_id=member_id,
                    detail=str(round_id),
                )
                for member_id in group
            ]
        return found

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


def reminder_time(start: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """`offset` before `start`: whole days on the wall clock of `zone` (a week before a 10:00
    session is 10:00, whichever side of a clock change), anything else exactly."""
    if offset % timedelta(days=1):
        return start - offset
    wall = start.astimezone(zone).replace(tzinfo=None) - offset
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
