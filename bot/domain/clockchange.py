"""Clock changes, as they touch a session: an hour that happens twice, and a session the
clocks change during. Pure time logic on `zoneinfo`, so it holds for any zone's rules."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Change = Literal["back", "forward"]


def is_ambiguous(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether the naive local time `wall` happens twice in `zone` (the clocks go back)."""
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    return first is not None and second is not None and first > second


def change_during(start: datetime, end: datetime, zone: ZoneInfo) -> Change | None:
    """Whether the clocks in `zone` go back or forward between two aware moments, so the
    local times alone ("01:30–01:30") would not show how long it lasts."""
    before = start.astimezone(zone).utcoffset()
    after = end.astimezone(zone).utcoffset()
    if before is None or after is None or before == after:
        return None
    return "back" if after < before else "forward"
