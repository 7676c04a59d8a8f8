"""Repeating sessions: what organisers type, what the database stores, when they happen.

A series is stored as an RFC 5545 RRULE string so it stays readable and could be exported to
calendars, but occurrences are always computed on the community's local wall clock: a 10:00
session is at 10:00 for members whether or not British Summer Time is in force.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

from bot.domain.errors import BadInput
from bot.domain.repeat_words import NONE_WORDS, NTH_WORDS, Freq, read_words
from bot.domain.skipdates import (
    Skip,
    describe_skips,
    parse_skips,
    skips_from_text,
    skips_to_text,
    split_except,
)
from bot.domain.when import WEEKDAY_NAMES, format_day

MAX_OCCURRENCES = 104
# An open-ended series is kept this far ahead in the calendar, and topped up as time passes.
AHEAD = timedelta(weeks=26)
MAX_INTERVAL: dict[str, int] = {"weekly": 8, "monthly": 12}
MAX_COUNT = 52

_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RRULE_FREQ: dict[str, Freq] = {"WEEKLY": "weekly", "MONTHLY": "monthly"}
_BYDAY = re.compile(r"([+-]?[0-9])?(MO|TU|WE|TH|FR|SA|SU)")
# Refusals that depend on the first session's date: the option converter, which checks the
# words before it knows that date, lets these through for the handler to decide.
NEEDS_FIRST_DATE = ("repeat.mismatch", "repeat.except_off", "repeat.except_first")


@dataclass(frozen=True)
class Repeat:
    """How a session series repeats; a value object, checked on construction.

    ``nth`` is only for monthly series (1..4, or -1 for the last such weekday of the month).
    At most one of ``count`` and ``until`` is set, as RFC 5545 requires. ``skips`` are dates
    left out (kept apart from the RRULE); ``count`` counts the sessions that do happen.
    """

    freq: Freq
    interval: int
    weekday: int
    nth: int | None = None
    count: int | None = None
    until: date | None = None
    skips: tuple[Skip, ...] = ()

    @property
    def open_ended(self) -> bool:
        """No count and no end date: kept AHEAD in the calendar and topped up as time passes."""
        return self.count is None and self.until is None

    def skipped(self, day: date) -> bool:
        return any(skip.covers(day) for skip in self.skips)

    def skips_text(self) -> str:
        """The skipped dates as stored beside the RRULE (like EXDATE, but ranges allowed)."""
        return skips_to_text(self.skips)

    def __post_init__(self) -> None:
        problem = _problem_with(self)
        if problem:
            raise ValueError(f"invalid Repeat: {problem}")

    def to_rrule(self) -> str:
        """The RRULE stored in the database, e.g. ``FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6``.

        UNTIL is written as a plain date (inclusive, on the local calendar).
        """
        day = _RRULE_DAYS[self.weekday]
        parts = [
            f"FREQ={self.freq.upper()}",
            f"INTERVAL={self.interval}",
            f"BYDAY={day if self.nth is None else f'{self.nth}{day}'}",
        ]
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(parts)

    @classmethod
    def from_rrule(cls, text: str, skips: str = "") -> Repeat:
        """Read back a stored RRULE (and skipped dates); raises ValueError, since stored rules
        are our own output."""
        fields = _rrule_fields(text)
        freq = _RRULE_FREQ.get(fields.pop("FREQ", ""))
        byday = _BYDAY.fullmatch(fields.pop("BYDAY", ""))
        if freq is None or byday is None:
            raise ValueError(f"unsupported RRULE: {text!r}")
        try:
            interval = int(fields.pop("INTERVAL", "1"))
            count = int(fields["COUNT"]) if "COUNT" in fields else None
            until = _rrule_date(fields["UNTIL"]) if "UNTIL" in fields else None
        except ValueError:
            raise ValueError(f"unreadable RRULE: {text!r}") from None
        nth = int(byday.group(1)) if byday.group(1) else None
        weekday = _RRULE_DAYS.index(byday.group(2))
        return cls(freq, interval, weekday, nth, count, until, skips_from_text(skips))

    def describe(self) -> str:
        """Plain English for members, e.g. "on the last Friday of every month, 6 times"."""
        day = WEEKDAY_NAMES[self.weekday]
        every = "every" if self.interval == 1 else f"every {self.interval}"
        if self.freq == "weekly":
            unit = "week" if self.interval == 1 else "weeks"
            text = f"{every} {unit} on {day}"
        else:
            unit = "month" if self.interval == 1 else "months"
            text = f"on the {NTH_WORDS[self.nth or 1]} {day} of {every} {unit}"
        if self.count is not None:
            text += ", once" if self.count == 1 else f", {self.count} times"
        if self.until is not None:
            text += f", until {format_day(self.until)}"
        if self.skips:
            text += f", except {describe_skips(self.skips)}"
        return text


def moved_to(repeat: Repeat, day: date) -> Repeat:
    """The same repeat, on the weekday (and, monthly, the week of the month) of ``day``: the
    rule a series follows once the planning group moves the rest of it there."""
    if day.weekday() == repeat.weekday:
        return repeat
    nth = None if repeat.nth is None else _nth_of(day)
    return replace(repeat, weekday=day.weekday(), nth=nth)


def _problem_with(repeat: Repeat) -> str | None:
    """What makes a Repeat invalid, if anything, so bad values never reach the database."""
    if repeat.freq not in MAX_INTERVAL:
        return f"freq {repeat.freq!r}"
    if not 1 <= repeat.interval <= MAX_INTERVAL[repeat.freq]:
        return f"interval {repeat.interval}"
    if not 0 <= repeat.weekday <= 6:
        return f"weekday {repeat.weekday}"
    if (repeat.freq == "weekly") != (repeat.nth is None) or repeat.nth not in (
        None,
        1,
        2,
        3,
        4,
        -1,
    ):
        return f"nth {repeat.nth} for {repeat.freq}"
    if repeat.count is not None and not 1 <= repeat.count <= MAX_COUNT:
        return f"count {repeat.count}"
    if repeat.count is not None and repeat.until is not None:
        return "both count and until"
    return None


def _rrule_fields(text: str) -> dict[str, str]:
    """KEY=VALUE pairs of an RRULE, refusing keys this module would silently ignore."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    fields: dict[str, str] = {}
    for part in filter(None, body.upper().split(";")):
        key, sep, value = part.partition("=")
        if not sep or key in fields or key not in {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"}:
            raise ValueError(f"unsupported RRULE part {part!r} in {text!r}")
        fields[key] = value
    return fields


def _rrule_date(value: str) -> date:
    """UNTIL as a date, whether written as ``20270301`` or ``20270301T235959Z``."""
    return datetime.strptime(value[:8], "%Y%m%d").date()


# --- what organisers type --------------------------------------------------------------------


def parse_repeat(text: str, first: datetime) -> Repeat | None:
    """The repeat an organiser typed for a series starting at ``first``; None for a one-off.

    ``first`` should be on the community's wall clock (as parse_when returns it): its weekday
    and place in the month decide what "weekly" or "monthly" mean.
    """
    clean = " ".join(text.lower().replace(",", " ").split()).rstrip(".")
    if clean in NONE_WORDS:
        return None
    kept, listed = split_except(clean.split())
    if len(kept) < len(clean.split()) and not listed:
        raise BadInput("repeat.bad", text=text)  # "except" with no dates after it
    typed = read_words(kept, first, text)
    weekday = first.weekday()
    if typed.named is not None and typed.named != weekday:
        raise BadInput("repeat.mismatch", text=text, weekday=WEEKDAY_NAMES[weekday])
    nth = _nth_of(first.date()) if typed.freq == "monthly" and typed.nth is None else typed.nth
    bad_count = typed.count is not None and not 1 <= typed.count <= MAX_COUNT
    if bad_count or not 1 <= typed.interval <= MAX_INTERVAL[typed.freq]:
        raise BadInput("repeat.bad", text=text)
    skips = parse_skips(listed, first.date(), text) if listed else ()
    rule = Repeat(typed.freq, typed.interval, weekday, nth, typed.count, typed.until, skips)
    if skips:
        _check_skips(rule, first, text)
    return rule


def _check_skips(rule: Repeat, first: datetime, text: str) -> None:
    """A skipped single date must be one of the series' dates, and never the first one:
    either is almost always a slip of the finger. A range (a school holiday) may hold none."""
    if rule.skipped(first.date()):
        raise BadInput("repeat.except_first", text=text, day=format_day(first.date()))
    latest = max(skip.last for skip in rule.skips)
    start = first.replace(tzinfo=None)
    walked = itertools.takewhile(lambda d: d[0].date() <= latest, _walk(rule, start, None, None))
    dates = {local.date() for local, _ in walked}
    for skip in rule.skips:
        if skip.first == skip.last and skip.first not in dates:
            raise BadInput("repeat.except_off", text=text, day=format_day(skip.first))


def _nth_of(day: date) -> int:
    """Which of its weekday ``day`` is in its month: 1..4, or -1 for a fifth (so the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


# --- when it happens -------------------------------------------------------------------------


def occurrences(
    repeat: Repeat,
    first: datetime,
    zone: ZoneInfo,
    horizon: datetime | None,
    limit: int = MAX_OCCURRENCES,
) -> list[datetime]:
    """Every session of the series from ``first`` up to ``horizon``, as aware UTC datetimes.

    Dates are stepped on the local wall clock, so the local time stays put across clock
    changes. A time the clocks skip moves forward by the gap (01:30 -> 02:30 BST); a time
    that happens twice takes the first. ``first`` always counts as the first session, even
    if it does not itself fit the rule. Skipped dates are left out and not counted. With no
    ``horizon`` the series must end by itself; at most ``limit`` are returned either way.
    """
    if horizon is None and repeat.open_ended:
        raise ValueError("an open-ended series needs a horizon")
    start = first.astimezone(zone).replace(tzinfo=None)
    return [
        to_utc(local, zone)
        for local in itertools.islice(held_dates(repeat, start, zone, horizon), limit)
    ]


def held_dates(
    repeat: Repeat, start: datetime, zone: ZoneInfo, horizon: datetime | None
) -> Iterator[datetime]:
    """Naive local times of the sessions that happen, from ``start`` (itself the first)."""
    return (local for local, skipped in _walk(repeat, start, zone, horizon) if not skipped)


def _walk(
    repeat: Repeat, start: datetime, zone: ZoneInfo | None, horizon: datetime | None
) -> Iterator[tuple[datetime, bool]]:
    """(local time, whether it is skipped) for each date of the rule, until the series ends:
    skipped dates are not counted towards a count."""
    held = 0
    for local in _local_dates(repeat, start):
        if repeat.count is not None and held >= repeat.count:
            return
        if repeat.until is not None and local.date() > repeat.until:
            return
        if horizon is not None and zone is not None and to_utc(local, zone) > horizon:
            return
        skipped = local != start and repeat.skipped(local.date())
        held += not skipped
        yield local, skipped


def series_dates(repeat: Repeat, first: datetime, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """Naive local times of the sessions to write out when a series is scheduled.

    A series with an end (a count or an until date) is written out in full, up to
    MAX_OCCURRENCES; more than that is refused. An open-ended one is written out AHEAD of
    ``now`` (always at least its first session, however far ahead that is) and topped up.
    """
    start = first.astimezone(zone).replace(tzinfo=None)
    if repeat.open_ended:
        horizon = max(now + AHEAD, first)
        return list(itertools.islice(held_dates(repeat, start, zone, horizon), MAX_OCCURRENCES))
    found = list(itertools.islice(held_dates(repeat, start, zone, None), MAX_OCCURRENCES + 1))
    if len(found) > MAX_OCCURRENCES:
        raise BadInput("repeat.too_many", limit=MAX_OCCURRENCES)
    return found


def dates_after(
    repeat: Repeat, last: datetime, zone: ZoneInfo, horizon: datetime
) -> list[datetime]:
    """Naive local times of an open-ended series' sessions after ``last`` (the latest one
    made, on the local wall clock) up to ``horizon``: what a top-up adds."""
    return list(itertools.islice(held_dates(repeat, last, zone, horizon), 1, MAX_OCCURRENCES + 1))


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall-clock time as UTC; a skipped time moves on by the gap, a repeated
    one takes the first (fold=0)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def _local_dates(repeat: Repeat, start: datetime) -> Iterator[datetime]:
    """Naive local wall-clock times: ``start`` and then the rule's dates after it, unending
    unless the rule itself ends."""
    day = rrule.weekdays[repeat.weekday]
    rule = rrule.rrule(
        rrule.WEEKLY if repeat.freq == "weekly" else rrule.MONTHLY,
        dtstart=start,
        interval=repeat.interval,
        byweekday=day if repeat.nth is None else day(repeat.nth),
    )
    yield start
    yield from (local for local in rule if local > start)
