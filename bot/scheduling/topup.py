"""Keeping open-ended series in the calendar: each tick adds the dates that came into reach.

A weekly series with no end is written out `AHEAD` (26 weeks) when it is scheduled; as time
passes, each new date that comes within 26 weeks is added here, copying the details of the
series' latest session (so an edit to "the rest of the series" carries on). Nothing is
announced: the series was announced once, as repeating, and a new date 26 weeks away is no
news. Members find it in `sessions`, the calendar feed and the Discord events like any other.
"""

from __future__ import annotations

from datetime import datetime

from bot.community import Community
from bot.domain.recurrence import AHEAD, dates_after, to_utc
from bot.scheduling.notices import Notices
from bot.storage.db import immediate
from bot.storage.series import Series
from bot.storage.sessions import NewSession, Session


def top_up(community: Community, now: datetime) -> list[Session]:
    """Add every open-ended series' sessions up to `now + AHEAD`; safe to repeat."""
    made: list[Session] = []
    for series in community.series.to_top_up():
        if dates_after(series.repeat, series.last_local, series.zone, now + AHEAD):
            made += _top_up_one(community, series.id, now)
    for session in made:
        Notices(community).session_changed(session.id)
    return made


def _top_up_one(community: Community, series_id: int, now: datetime) -> list[Session]:
    """Read the series again inside the write transaction, so two ticks never add a date
    twice: the new sessions and the series' new latest date are written together."""
    with immediate(community.db):
        series: Series | None = community.series.get(series_id)
        latest = community.sessions.latest_in_series(series_id)
        if series is None or series.ended or latest is None:
            return []
        dates = dates_after(series.repeat, series.last_local, series.zone, now + AHEAD)
        if not dates:
            return []
        starts = [to_utc(local, series.zone) for local in dates]
        made = community.sessions.create(NewSession.like(latest), starts, now, series_id)
        community.series.made_up_to(series_id, dates[-1])
        community.audit.record(
            None, "top-up", f"series {series_id}: sessions {made[0].id}-{made[-1].id}", now
        )
    return made
