"""What is due, to whom, in a window of time: derived from the calendar every time.

Nothing is remembered between runs except how far the planner has looked (`meta`) and what
the ledger has already sent, so a restart loses nothing and repeats nothing. (Within a run it
remembers one thing: until when no reminder can fall due, so quiet ticks skip the calendar.)
Each planned delivery has a stable key; the ledger decides whether it still needs sending.

The work follows what fell due, not the size of the community. Everything a delivery's time
depends on is shared by many members (a session's start, a zone, whether quiet hours hold),
so the planner first works out the few times a group's deliveries can take; only a group
with one of them in the window reads its members, in one query a page, never one a member.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.community import Community
from bot.domain.preferences import Preferences
from bot.scheduling.keys import (
    ConnectKey,
    PeriodKey,
    ReminderKey,
    SessionMemberKey,
    SessionPostKey,
    stamp,
)
from bot.scheduling.kinds import KINDS, kind_of, quiet_hours
from bot.scheduling.planned import LOOKBACK, MAX_HOLD, Planned
from bot.storage.members import Recipient
from bot.storage.sessions import Session

__all__ = ["MAX_HOLD", "Planned", "Planner", "quiet_hours"]
# A reminder due this close to its session is never held by quiet hours: it is about to start.
SOON = timedelta(minutes=15)
FOLLOW_UP = timedelta(minutes=30)
# How far a whole-day reminder on the wall clock can be from the same offset in exact time.
CLOCK_CHANGE = timedelta(hours=2)
# Planned deliveries handed out at a time, so a caller can let others use the loop between.
BATCH = 500
# How far past a tick's window the planner looks for the next reminder: until then the ticks
# need not work the reminders out again (`_NoReminders`), unless the calendar changes.
LOOK_PAST = timedelta(hours=1)
# How much further back than a follow-up a kind that plans itself may look for sessions (the
# question after a session goes 3 hours after it): `tally` reads them in its one calendar read.
OWN_REACH = timedelta(hours=12)


@dataclass(frozen=True)
class Slot:
    """When a reminder goes for everyone sharing a zone and a quiet-hours choice.

    `due` None means it does not go; `brought` that it was brought forward, so it goes only
    to those whose place is older than it."""

    nominal: datetime
    due: datetime | None
    brought: bool = False


@dataclass(frozen=True)
class _NoReminders:
    """A stretch of time, (after, before), whose reminders were all handed out when it was
    worked out, for the sessions and the members' zones as they were then (`key`): those
    due in the window asked for, as nothing else falls due before `before`."""

    key: tuple[object, ...]
    after: datetime
    before: datetime

    def covers(self, key: tuple[object, ...], start: datetime, end: datetime) -> bool:
        return key == self.key and self.after <= start and end < self.before


def offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    for unit, size in (("w", 10080), ("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


class Planner:
    """Says which deliveries fall due in a window of time, from the calendar as it is now.

    Why derive rather than store a schedule: nothing needs updating when a session moves,
    a member books, or someone turns reminders off; the next window simply reads the new
    state. Each promise gets a stable key (`keys.py`), so planning the same window twice
    queues nothing twice. Quiet hours hold a message by its kind's rule (`kinds.py`); a
    kind that plans itself (its row's `plan`) is asked here like the planner's own."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.quiet = quiet_hours(community)
        # How the running platform sends reminders unless a member chose (its front end says).
        self.default_via = community.default_via(community.config.chosen_platform())
        self._holds: dict[tuple[str, str], bool] = {}
        self._wanting: dict[str, list[Recipient]] = {}
        # The calendar read once for a whole `tally` (first, last, sessions), else None.
        self._calendar: tuple[datetime, datetime, list[Session]] | None = None
        self._no_reminders: _NoReminders | None = None  # see `_reminders`

    def batches(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        """Every delivery whose (quiet-hours adjusted) time falls in (start, end], in no
        particular order, at most BATCH at a time: a caller may pause between batches
        (every query is read to its end before a batch is handed out)."""
        self._holds.clear()
        self._wanting.clear()
        sources = (self._reminders, self._session_posts, self._weekly, self._connect, self._own)
        for source in sources:
            for group in source(start, end):
                kept = [p for p in group if start < p.due <= end]
                for first in range(0, len(kept), BATCH):
                    yield kept[first : first + BATCH]

    def _holds_for(self, recipient: Recipient | None, kind: str) -> bool:
        """Whether quiet hours hold this kind of message to this member (a direct message,
        not a post in a session's thread); each distinct set of choices is read once."""
        if recipient is None or recipient.timezone is None:
            return False
        known = self._holds.get((recipient.preferences, kind))
        if known is None:
            prefs = Preferences.from_dict(json.loads(recipient.preferences or "{}"))
            known = kind_of(kind).holds_for(prefs, self.default_via)
            self._holds[(recipient.preferences, kind)] = known
        return known

    def _open_times(self, nominal: datetime, latest: datetime | None) -> tuple[datetime, ...]:
        """Every time a message due at `nominal` can go: as it is, or held out of quiet hours."""
        return (nominal, self.quiet.deliver_at(nominal, latest))

    def _each(
        self,
        recipients: Iterable[Recipient | None],
        kind: str,
        nominal: datetime,
        make: Callable[[int, datetime], Planned],
        ids: Iterable[int],
    ) -> list[Planned]:
        """One delivery of `kind` to each member, held out of their quiet hours if they keep
        them (unknown members are not held)."""
        held = self.quiet.deliver_at(nominal, None)
        return [
            make(member_id, held if self._holds_for(recipient, kind) else nominal)
            for member_id, recipient in zip(ids, recipients, strict=True)
        ]

    def _reminders(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        """The reminders due in (start, end].

        A tick a second would otherwise work out the same few hundred reminder times (each
        session ahead, each offset, each zone) every second to find that none is due. So the
        planner looks `LOOK_PAST` further, notes until when nothing can fall due, and the
        ticks before then skip the calendar, unless a session or a member's zone changed
        meanwhile: a reminder's time depends on nothing else. Who gets it is still read
        when it falls due."""
        zones = self._zones()
        key = (self.community.sessions.calendar_mark()[1], tuple(zones))
        if self._no_reminders is not None and self._no_reminders.covers(key, start, end):
            return
        ahead = end + LOOK_PAST
        first = ahead
        for session, offset, slots in self._reminder_slots(start, ahead, zones):
            if slots.any_in(zones, start, end):
                yield from self._session_reminders(session, offset, slots)
            first = min(first, slots.first_after(zones, end) or ahead)
        # From `start`, not `end`: the next window starts at the mark, stored to the second.
        self._no_reminders = _NoReminders(key, start, first)

    def _zones(self) -> list[str]:
        """Every zone a reminder's time is worked out in: the members' and the community's."""
        zones = [*self.community.members.zones(), self.community.config.timezone]
        return list(dict.fromkeys(zones))

    def _reminder_slots(
        self, start: datetime, end: datetime, zones: list[str]
    ) -> Iterator[tuple[Session, timedelta, _Slots]]:
        """Each session and reminder offset whose reminder could fall in (start, end] for
        someone, with its times worked out per zone and quiet-hours choice."""
        offsets = self.community.config.reminder_offsets
        if not offsets:
            return
        # Wide enough for a reminder moved by a clock change, held, or brought forward.
        reach = MAX_HOLD + CLOCK_CHANGE
        sessions = self._starting(start - reach + min(offsets), end + max(offsets) + reach)
        for session in sessions:
            for offset in offsets:
                if not start - reach + offset < session.start <= end + offset + reach:
                    continue
                closer = [o for o in offsets if o < offset]
                slots = _Slots(self, session.start, offset, closer)
                if slots.any_in(zones, start, end):
                    yield session, offset, slots

    def tally(self, start: datetime, end: datetime) -> Counter[tuple[datetime, str]]:
        """How many deliveries of each kind `batches` would hand out at each time in
        (start, end], counted a group of members at a time, never an object a member.

        A delivery's time depends only on what members share (a session, a zone, their
        choices, a place taken recently), so the members are counted in SQL by those and
        each group is timed once by the same rules `batches` uses: 100,000 members are a
        few dozen groups. What a planner's `upcoming-posts` shows."""
        self._holds.clear()
        self._wanting.clear()
        offsets = self.community.config.reminder_offsets
        # Every session any part of the count looks at, read once rather than once a part.
        ahead = max((*offsets, SOON)) + MAX_HOLD + CLOCK_CHANGE
        self._calendar = self._read_calendar(start - MAX_HOLD - LOOKBACK - OWN_REACH, end + ahead)
        try:
            return self._tally(start, end)
        finally:
            self._calendar = None

    def _tally(self, start: datetime, end: datetime) -> Counter[tuple[datetime, str]]:
        counted: Counter[tuple[datetime, str]] = Counter()

        def add(due: datetime | None, kind: str, copies: int) -> None:
            if due is not None and start < due <= end:
                counted[(due, kind)] += copies

        slotted = list(self._reminder_slots(start, end, self._zones()))
        followed = [
            (session, session.end + FOLLOW_UP)
            for session in self._starting(start - MAX_HOLD - LOOKBACK, end)
            if self._comes(session.end + FOLLOW_UP, start, end)
        ]
        # Nothing before this can decide whether a place is reminded (see `_Slots.due_for`).
        recent = start - MAX_HOLD - CLOCK_CHANGE
        wanted = {session.id for session, _, _ in slotted} | {s.id for s, _ in followed}
        places = self.community.signups.confirmed_counts(sorted(wanted), recent)
        reminded = {i: self._reminded_as(places.get(i, [])) for i in {s.id for s, _, _ in slotted}}
        for session, _, slots in slotted:
            for (zone, held, since), copies in reminded[session.id].items():
                add(slots.due(zone, held, since), "reminder", copies)
        for s in self._starting(start + SOON, end + SOON):
            add(s.start - SOON, "soon", 1)
        present = self.community.outcomes.attendance.present_counts([s.id for s, _ in followed])
        for session, nominal in followed:
            # Those who were there, once anyone has been marked; until then, those with a
            # place (when their place changed does not matter here).
            groups = present.get(session.id) or places.get(session.id, [])
            for due, copies in self._each_counted(groups, "followup", nominal):
                add(due, "followup", copies)
        c = self.community.config
        wanting: dict[str, list[tuple[Recipient, int]]] = {}
        for kind, weekday, clock in (
            ("prompt", c.prompt_day, c.prompt_time),
            ("pick", c.pick_day, c.pick_time),
        ):
            for moment in weekly_times(weekday, clock, c.zone, start - MAX_HOLD, end):
                add(moment, kind, 1)
                if self._falls(self._open_times(moment, None), start, end):
                    if kind not in wanting:  # read once: a fortnight holds two of each
                        wanting[kind] = self.community.members.wanting_counts(kind)
                    for due, copies in self._each_counted(wanting[kind], f"{kind}-dm", moment):
                        add(due, f"{kind}-dm", copies)
        # A CONNECT round's groups and the question after a session are counted one by
        # one: each is as big as a round or a session's attendance, not the community.
        for group in (*self._connect(start, end), *self._own(start, end)):
            for planned in group:
                add(planned.due, planned.kind, 1)
        return counted

    def _reminded_as(
        self, groups: list[tuple[Recipient, int]]
    ) -> Counter[tuple[str, bool, datetime | None]]:
        """A session's places counted by all a reminder's time depends on: the member's
        zone, whether quiet hours hold it, and when the place changed (if lately). Many
        sets of choices share each: a session is timed a few times, not once a set."""
        found: Counter[tuple[str, bool, datetime | None]] = Counter()
        default = self.community.config.timezone
        for recipient, copies in groups:
            held = self._holds_for(recipient, "reminder")
            found[(recipient.timezone or default, held, recipient.since)] += copies
        return found

    def _each_counted(
        self, groups: list[tuple[Recipient, int]], kind: str, nominal: datetime
    ) -> Iterator[tuple[datetime, int]]:
        """`_each` for members counted in groups: each time they take, and how many. A
        group's time is one of two (held out of quiet hours or not), so they are summed
        by that first and each time comes once."""
        copies = {False: 0, True: 0}
        for recipient, count in groups:
            copies[self._holds_for(recipient, kind)] += count
        if copies[False]:
            yield nominal, copies[False]
        if copies[True]:
            yield self.quiet.deliver_at(nominal, None), copies[True]

    def _session_reminders(
        self, session: Session, offset: timedelta, slots: _Slots
    ) -> Iterator[list[Planned]]:
        label = offset_label(offset)
        start = stamp(session.start)
        for page in self.community.signups.confirmed_pages(session.id):
            found = []
            for recipient in page:
                due = slots.due_for(recipient)
                if due is not None:
                    key = ReminderKey(session.id, recipient.member_id, label, start).text()
                    found.append(
                        Planned(key, "reminder", due, session.id, recipient.member_id, label)
                    )
            yield found

    def reminder_slot(
        self, start: datetime, offset: timedelta, closer: list[timedelta], zone: str, held: bool
    ) -> Slot:
        """When a reminder goes to a member on `zone`'s clock.

        It is due `offset` before the session on the member's own wall clock, and held out of
        their quiet hours (`held`). If holding it would bring it up against the next, closer
        reminder (a Saturday "tomorrow" for a Sunday session, held to Monday), it comes at
        the last open moment before instead (Friday), so quiet hours are kept and nothing is
        lost.
        """
        return self.slot_at(start, reminder_time(start, offset, _zone(zone)), closer, held)

    def slot_at(
        self, start: datetime, nominal: datetime, closer: list[timedelta], held: bool
    ) -> Slot:
        """`reminder_slot` once its nominal time on the member's clock is known: the rest
        depends only on that time, so zones that agree on it share the answer."""
        if not held:
            return Slot(nominal, nominal)
        clash = self.quiet.is_quiet(nominal) and bool(closer)
        if clash and self.quiet.hold(nominal) >= start - max(closer):
            return Slot(nominal, self.quiet.bring_forward(nominal, MAX_HOLD), brought=True)
        return Slot(nominal, self.quiet.deliver_at(nominal, start))

    def _session_posts(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        yield [
            Planned(
                SessionPostKey("soon", s.id, stamp(s.start)).text(), "soon", s.start - SOON, s.id
            )
            for s in self._starting(start + SOON, end + SOON)
        ]
        for session in self._starting(start - MAX_HOLD - LOOKBACK, end):
            nominal = session.end + FOLLOW_UP
            if self._comes(nominal, start, end):
                yield self._after(session, "followup", nominal, self._followed_up(session))

    def _own(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        """What the kinds that plan themselves (beside their words) say falls due."""
        for kind in KINDS.values():
            if kind.plan is not None:
                yield kind.plan(self, start, end)

    def comes(self, nominal: datetime, start: datetime, end: datetime) -> bool:
        """`_comes`, for a kind that plans itself (`planned.Planning`)."""
        return self._comes(nominal, start, end)

    def to_each(
        self, session: Session, kind: str, nominal: datetime, member_ids: list[int]
    ) -> list[Planned]:
        """`_after`, for a kind that plans itself (`planned.Planning`)."""
        return self._after(session, kind, nominal, member_ids)

    def starting(self, start: datetime, end: datetime) -> list[Session]:
        """`_starting`, for a kind that plans itself (`planned.Planning`)."""
        return self._starting(start, end)

    def _comes(self, nominal: datetime, start: datetime, end: datetime) -> bool:
        """Whether a message nominally due at `nominal`, held or not, falls in (start, end]
        (one held for more than MAX_HOLD is not looked for)."""
        in_reach = start - MAX_HOLD < nominal <= end
        return in_reach and self._falls(self._open_times(nominal, None), start, end)

    def _after(
        self, session: Session, kind: str, nominal: datetime, member_ids: list[int]
    ) -> list[Planned]:
        """A message about `session` to each of `member_ids` (the thanks, the question)."""
        found = self.community.members.recipients(member_ids)
        return self._each(
            (found.get(i) for i in member_ids),
            kind,
            nominal,
            lambda mid, due: Planned(
                SessionMemberKey(kind, session.id, mid).text(), kind, due, session.id, mid
            ),
            member_ids,
        )

    def _followed_up(self, session: Session) -> list[int]:
        """Those who were there, once anyone has been marked; until then, those with a place."""
        present = self.community.outcomes.attendance.present(session.id)
        if present:
            return sorted(present)
        pages = self.community.signups.confirmed_pages(session.id)
        return [r.member_id for page in pages for r in page]

    def _weekly(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        c = self.community.config
        for kind, weekday, clock in (
            ("prompt", c.prompt_day, c.prompt_time),
            ("pick", c.pick_day, c.pick_time),
        ):
            for moment in weekly_times(weekday, clock, c.zone, start - MAX_HOLD, end):
                period = moment.astimezone(c.zone).date().isoformat()
                yield [Planned(PeriodKey(kind, period).text(), kind, moment, detail=period)]
                if self._falls(self._open_times(moment, None), start, end):
                    yield self._copies(kind, period, moment)

    def _copies(self, kind: str, period: str, moment: datetime) -> list[Planned]:
        """Direct-message copies for the members who asked for them."""
        wanting = self._wanting.get(kind)
        if wanting is None:  # read once a run: a fortnight ahead holds two weekly moments
            wanting = self._wanting[kind] = self.community.members.wanting(kind)
        return self._each(
            wanting,
            f"{kind}-dm",
            moment,
            lambda mid, due: Planned(
                PeriodKey(kind, period, mid).text(),
                f"{kind}-dm",
                due,
                member_id=mid,
                detail=period,
            ),
            [r.member_id for r in wanting],
        )

    def _connect(self, start: datetime, end: datetime) -> Iterator[list[Planned]]:
        store = self.community.connect
        for round_ in store.rounds_due(start - MAX_HOLD, end + timedelta(seconds=1)):
            if self._falls(self._open_times(round_.due, None), start, end):
                yield self.introductions(round_.id, round_.due)

    def introductions(self, round_id: int, nominal: datetime) -> list[Planned]:
        """Each member's introduction to their CONNECT group. A group is introduced in one
        conversation, so all its members' introductions fall due together: when quiet hours
        hold any of them, the whole group waits until the time that suits everyone."""
        groups = self.community.connect.groups_of(round_id)
        known = self.community.members.recipients([m for g in groups.values() for m in g])
        held = self.quiet.deliver_at(nominal, None)
        found = []
        for number, group in groups.items():
            waits = any(self._holds_for(known.get(m), "connect") for m in group)
            found += [
                Planned(
                    ConnectKey(round_id, member_id, number).text(),
                    "connect",
                    held if waits else nominal,
                    member_id=member_id,
                    detail=str(round_id),
                )
                for member_id in group
            ]
        return found

    @staticmethod
    def _falls(times: Iterable[datetime | None], start: datetime, end: datetime) -> bool:
        return any(t is not None and start < t <= end for t in times)

    def _starting(self, start: datetime, end: datetime) -> list[Session]:
        """Scheduled sessions starting in (start, end]; the store's range is half-open.
        Inside a `tally`, picked from its one read of the calendar, by the same bounds."""
        calendar = self._calendar
        if calendar is not None and calendar[0] <= start and end <= calendar[1]:
            first, last = _to_second(start), _to_second(end + timedelta(seconds=1))
            return [s for s in calendar[2] if first <= s.start < last and not s.cancelled]
        found = self.community.sessions.between(start, end + timedelta(seconds=1))
        return [s for s in found if not s.cancelled]

    def _read_calendar(
        self, first: datetime, last: datetime
    ) -> tuple[datetime, datetime, list[Session]]:
        """Every session, cancelled or not, that `_starting` may ask for in [first, last]."""
        return first, last, self.community.sessions.between(first, last + timedelta(seconds=1))


class _Slots:
    """A session's reminder at one offset, worked out once per zone and quiet-hours choice."""

    def __init__(
        self, planner: Planner, start: datetime, offset: timedelta, closer: list[timedelta]
    ) -> None:
        self.planner = planner
        self.start, self.offset, self.closer = start, offset, closer
        self.known: dict[tuple[str, bool], Slot] = {}
        # By nominal time: a reminder hours ahead is due at one moment in every zone.
        self.at: dict[tuple[datetime, bool], Slot] = {}
        self.nominal: dict[str, datetime] = {}

    def slot(self, zone: str, held: bool) -> Slot:
        found = self.known.get((zone, held))
        if found is None:
            nominal = self.nominal.get(zone)
            if nominal is None:
                nominal = reminder_time(self.start, self.offset, _zone(zone))
                self.nominal[zone] = nominal
            found = self.at.get((nominal, held))
            if found is None:
                found = self.planner.slot_at(self.start, nominal, self.closer, held)
                self.at[(nominal, held)] = found
            self.known[(zone, held)] = found
        return found

    def any_in(self, zones: list[str], start: datetime, end: datetime) -> bool:
        """Whether anyone's reminder could fall in (start, end]: if not, nobody is read."""
        dues = (self.slot(z, held).due for z in zones for held in (False, True))
        return Planner._falls(dues, start, end)

    def first_after(self, zones: list[str], moment: datetime) -> datetime | None:
        """The first time after `moment` anyone's reminder could go, if any."""
        dues = (self.slot(z, held).due for z in zones for held in (False, True))
        return min((due for due in dues if due is not None and due > moment), default=None)

    def due_for(self, recipient: Recipient) -> datetime | None:
        """When this member's reminder goes, or None: not for a place taken after it."""
        zone = recipient.timezone or self.planner.community.config.timezone
        held = self.planner._holds_for(recipient, "reminder")
        return self.due(zone, held, recipient.since)

    def due(self, zone: str, held: bool, since: datetime | None) -> datetime | None:
        """When the reminder goes to a member on `zone`'s clock, held by quiet hours or
        not, whose place last changed at `since` (None: long enough ago not to matter)."""
        slot = self.slot(zone, held)
        if since is not None and since >= slot.nominal:
            return None
        if slot.brought and slot.due is not None and since is not None and slot.due <= since:
            return None
        return slot.due


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


def _to_second(moment: datetime) -> datetime:
    """`moment` as the store compares it: to the second (`utc_iso`)."""
    return moment.replace(microsecond=0)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def _soon_key(session: Session) -> str:
    return SessionPostKey("soon", session.id, stamp(session.start)).text()
