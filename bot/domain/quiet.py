"""Quiet hours: no direct messages in the evening, overnight or at weekends.

Pure time logic in the community's zone, so "18:00" means 18:00 on the Leeds clock in
summer and in winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ABOUT_TO_START = timedelta(hours=1)
# A message brought forward out of an evening goes this long before quiet hours begin.
EARLY = timedelta(minutes=30)


def _before(clock: time, gap: timedelta) -> time:
    """The time of day `gap` before `clock` (wrapping past midnight)."""
    return (datetime.combine(date(2000, 1, 2), clock) - gap).time()


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    weekends: bool
    zone: ZoneInfo

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if self.weekends and local.weekday() >= 5:
            return True
        clock = local.time()
        if self.start == self.end:
            return False
        if self.start > self.end:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def hold(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` outside quiet hours."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.zone)
        for days in range(0, 8):
            day = (local + timedelta(days=days)).date()
            opening = datetime.combine(day, self.end, tzinfo=self.zone).astimezone(UTC)
            if opening >= moment and not self.is_quiet(opening):
                return opening
        return moment

    def bring_forward(self, moment: datetime, within: timedelta) -> datetime | None:
        """The latest open moment before `moment`, no more than `within` earlier: the same
        time of day on an earlier day if that is open, else half an hour before that day's
        quiet hours begin. None if there is none (a reminder then gives way to a closer one).

        So a reminder that would fall on a Saturday comes on Friday instead of not at all."""
        local = moment.astimezone(self.zone)
        for days in range(1, within.days + 2):
            day = local.date() - timedelta(days=days)
            for clock in (local.time(), _before(self.start, EARLY)):
                candidate = datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)
                if moment - within <= candidate < moment and not self.is_quiet(candidate):
                    return candidate
        return None

    def deliver_at(self, nominal: datetime, session_start: datetime | None) -> datetime:
        """When a direct message due at `nominal` should go: held out of quiet hours, unless
        its session is about to start, or holding it would land at or after the start."""
        if session_start is not None and session_start - nominal <= ABOUT_TO_START:
            return nominal
        held = self.hold(nominal)
        return nominal if session_start is not None and held >= session_start else held
