"""CONNECT rounds on the community's calendar: made once, when due, from who asked.

A round is made by the first tick after its time (or by a planner's `post-now connect`),
kept in the database with its groups, and only then introduced, one message a member,
through the delivery ledger like everything else. Making it twice is impossible: the round
for a period is unique.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.community import Community
from bot.config import Config
from bot.domain.pairing import Avoid, Candidate, is_cross_sector, match
from bot.scheduling.introduction import UNDECLARED

# Rounds fall in the weeks counted from this Monday, so "every 2 weeks" means the same weeks
# whenever the bot was started or restarted.
EPOCH = date(2024, 1, 1)


def round_moment(config: Config, now: datetime) -> datetime | None:
    """The latest scheduled round time at or before `now` (UTC), in the community's weeks."""
    rules, zone = config.connect, config.zone
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - rules.day) % 7)
    for _ in range(2 * rules.every_weeks + 1):
        if ((day - EPOCH).days // 7) % rules.every_weeks == 0:
            moment = datetime.combine(day, rules.at, tzinfo=zone).astimezone(UTC)
            if moment <= now:
                return moment
        day -= timedelta(days=7)
    return None


def next_round_moment(config: Config, now: datetime) -> datetime:
    """The first scheduled round time after `now` (UTC)."""
    step = timedelta(weeks=config.connect.every_weeks)
    latest = round_moment(config, now + step)
    assert latest is not None  # a round falls in every span of `every_weeks` weeks
    while latest > now:
        earlier = round_moment(config, latest - timedelta(seconds=1))
        if earlier is None or earlier <= now:
            return latest
        latest = earlier
    return latest


def period_of(config: Config, moment: datetime) -> str:
    """The name a round goes by: its date in the community's zone."""
    return moment.astimezone(config.zone).date().isoformat()


def make_due_round(community: Community, now: datetime) -> int | None:
    """Make the round whose time has come, once; None if none is due or it exists.

    A round whose time passed more than the grace window ago (the bot was down) is not made
    late: its introductions would arrive days out of step with everyone's diary.
    """
    moment = round_moment(community.config, now)
    if moment is None or now - moment > community.config.grace:
        return None
    period = period_of(community.config, moment)
    return make_round(community, period, moment, now)


def make_round(community: Community, period: str, due: datetime, now: datetime) -> int | None:
    """Pair everyone who asked and is not paused or skipping; keep the round; its id."""
    store = community.connect
    if store.round_for(period) is not None:
        return None
    sector_of = {
        member: (None if sector in UNDECLARED else sector)
        for member, sector in store.candidates(period, now)
    }
    candidates = [Candidate(member, sector) for member, sector in sector_of.items()]
    avoid = Avoid.build(
        store.recent_groups(community.config.connect.remember_rounds), store.not_again()
    )
    found = match(candidates, avoid, seed=due.toordinal())
    groups = [(group, is_cross_sector(group, sector_of)) for group in found.groups]
    return store.record(period, due, groups)
