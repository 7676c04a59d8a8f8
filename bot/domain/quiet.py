"""Quiet hours: no direct messages in the evening, overnight or at weekends.

Pure time logic in the community's zone, so "18:00" means 18:00 on the Leeds clock in
summer and in winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

ABOUT_TO_START = timedelta(hours=1)


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

    def deliver_at(self, nominal: datetime, session_start: datetime | None) -> datetime:
        """When a direct message due at `nominal` should go: held out of quiet hours, unless
        its session is about to start, or holding it would land at or after the start."""
        if session_start is not None and session_start - nominal <= ABOUT_TO_START:
            return nominal
        held = self.hold(nominal)
        return nominal if session_start is not None and held >= session_start else held
