"""How long a delivery is worth retrying, by what it means, and how far apart the tries are.

A count of tries says nothing about whether a message is still useful: five tries a few
minutes apart gave up on reminders during a 15-minute outage although their sessions were
hours ahead. So each kind of delivery is retried until the moment it stops meaning anything
(its row in bot/scheduling/kinds.py names the rule):

- a reminder, a "starting soon" post, or a notice about a booking: until the session starts;
- a weekly prompt or pick: until the end of the day it was meant for (community time);
- anything else (a CONNECT introduction, a feedback question, a note to a planner): for a
  day after it was first due.

Only a failure the platform calls permanent ends the tries early. The tries back off
(30 s, doubling, at most 5 minutes apart) with jitter, so a platform coming back from an
outage is not met by every retry in the same second.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo


class Until(Enum):
    """The moment after which a delivery of a kind no longer means anything."""

    SESSION_START = "until its session starts"
    DAY_END = "until the end of its day"
    A_DAY = "for a day"


FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=5)


def rule_words(rule: Until) -> str:
    """The rule, in words for the ledger's reason column."""
    return rule.value


def retry_until(
    rule: Until, first_due: datetime, session_start: datetime | None, zone: ZoneInfo
) -> datetime:
    """The last moment worth trying a delivery under `rule` (its kind's row in the kinds
    table says which) first due at `first_due`."""
    if rule is Until.SESSION_START and session_start is not None:
        return session_start
    if rule is Until.DAY_END:
        day = first_due.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, time(0), zone)
    return first_due + timedelta(days=1)


def next_wait(tries: int, asked: float | None, pick: random.Random | None = None) -> timedelta:
    """How long to wait after the `tries`-th failed try: what the platform asked, if it did
    (a rate limit's Retry-After), else a doubling wait with jitter, never over LONGEST_WAIT."""
    if asked:
        return timedelta(seconds=asked)
    ceiling = min(LONGEST_WAIT, FIRST_WAIT * 2 ** max(0, tries - 1))
    half = ceiling / 2
    return half + half * (pick or random).random()
