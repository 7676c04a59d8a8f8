"""Reading the dates, times and durations that session organisers type.

Organisers write times the way people do ("next Thursday 2pm", "3/12 14:00"), so this module
reads a deliberately small, predictable set of forms with its own tokeniser rather than a
fuzzy parser: a message that is not understood gets a clear error instead of a surprising
guess. Everything here is pure: the caller supplies "now" and the community's time zone.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.clockchange import is_ambiguous
from bot.domain.errors import BadInput

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_ABBRS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_WEEKDAY_EXTRA = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_MONTH_EXTRA = {"sept": 9}
_FILLER = {"at", "on", "the", "of"}
_MAX_TEXT = 200
_LONGEST_YEAR_GAP = 8  # 29 February can be eight years away (e.g. 2096 -> 2104).

_CLOCK = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?(am|pm)?")
_HOUR_ONLY = re.compile(r"([0-9]{1,2})(am|pm)")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_SLASH_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?")
_DAY = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"[0-9]{4}")

_DURATION_PARTS = re.compile(
    r"(?:(?P<h>[0-9]{1,3}(?:\.[0-9]{1,3})?)\s*(?:h|hr|hrs|hour|hours))?"
    r"\s*(?:(?P<m>[0-9]{1,4})\s*(?:m|min|mins|minute|minutes)?)?"
)
_DURATION_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_SHORTEST = timedelta(minutes=10)
_LONGEST = timedelta(hours=12)


# --- words -----------------------------------------------------------------------------------


def weekday_number(word: str) -> int | None:
    """Monday=0 for a weekday name or common abbreviation, so "thu." and "Thursday" agree."""
    word = word.lower().rstrip(".")
    if word in _WEEKDAY_EXTRA:
        return _WEEKDAY_EXTRA[word]
    for number, name in enumerate(WEEKDAY_NAMES):
        if word in (name.lower(), name[:3].lower()):
            return number
    return None


def month_number(word: str) -> int | None:
    """January=1 for a month name or its three-letter abbreviation."""
    word = word.lower().rstrip(".")
    if word in _MONTH_EXTRA:
        return _MONTH_EXTRA[word]
    for number, name in enumerate(calendar.month_name[1:], start=1):
        if word in (name.lower(), name[:3].lower()):
            return number
    return None


def parse_calendar_date(tokens: list[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) for a written date, or None if it is not shaped like one.

    The numbers are not range-checked here, so callers can tell "13/13" (a date that cannot
    exist) apart from "soonish" (not a date at all).
    """
    if len(tokens) == 1:
        return _numeric_date(tokens[0])
    if len(tokens) not in (2, 3):
        return None
    year = None
    if len(tokens) == 3:
        if not _YEAR.fullmatch(tokens[2]):
            return None
        year = int(tokens[2])
    day_word, month_word = tokens[0], tokens[1]
    if month_number(day_word) is not None:
        day_word, month_word = month_word, day_word
    month = month_number(month_word)
    day = _DAY.fullmatch(day_word)
    if month is None or day is None:
        return None
    return year, month, int(day.group(1))


def _numeric_date(token: str) -> tuple[int | None, int, int] | None:
    """ISO "2026-12-03" or UK day-first "3/12", "3/12/26", "3/12/2026"."""
    iso = _ISO_DATE.fullmatch(token)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    slash = _SLASH_DATE.fullmatch(token)
    if not slash:
        return None
    year_text = slash.group(3)
    year = None if year_text is None else int(year_text)
    if year is not None and len(year_text) == 2:
        year += 2000
    return year, int(slash.group(2)), int(slash.group(1))


def real_date(year: int, month: int, day: int) -> date | None:
    """The date if it exists on the calendar (so not 31 February), else None."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def next_date_on_or_after(month: int, day: int, earliest: date) -> date | None:
    """The first (month, day) on or after ``earliest``; None if no year ever has it."""
    for year in range(earliest.year, earliest.year + _LONGEST_YEAR_GAP + 1):
        found = real_date(year, month, day)
        if found is not None and found >= earliest:
            return found
    return None


# --- parse_when ------------------------------------------------------------------------------


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The moment an organiser means by ``text``, aware in ``zone``.

    Only the future is useful for a session, and a session needs a time of day, so both are
    required. Errors name what was wrong (unreadable, impossible, skipped by the clocks, past)
    so the reply can say so.
    """
    tokens = _tokens(text)
    clock = _pick_clock(tokens, text)
    if clock is None:
        raise BadInput("when.unreadable", text=text)
    tokens.remove(clock)
    at = _read_clock(clock, text)
    today = now.astimezone(zone).date()
    gone = datetime.combine(today, at, tzinfo=zone) <= now
    moment = _localise(datetime.combine(_read_day(tokens, today, gone, text), at), zone, text)
    if moment <= now:
        raise BadInput("when.past", when=format_local(moment, zone))
    return moment


def _tokens(text: str) -> list[str]:
    """Lower-case words with separators tidied, so "2 p.m., Thu" reads like "2pm thu"."""
    if len(text) > _MAX_TEXT:
        raise BadInput("when.unreadable", text=text)
    clean = text.lower().replace(",", " ").replace("a.m.", "am").replace("p.m.", "pm")
    clean = re.sub(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t", r"\1 ", clean)
    clean = re.sub(r"([0-9])\s+(am|pm)\b", r"\1\2", clean)
    return [word for word in clean.split() if word not in _FILLER]


def _pick_clock(tokens: list[str], text: str) -> str | None:
    """The single word that is a time of day; two of them make the text unreadable."""
    clocks = [word for word in tokens if _is_clock_word(word)]
    if len(clocks) > 1:
        raise BadInput("when.unreadable", text=text)
    return clocks[0] if clocks else None


def _is_clock_word(word: str) -> bool:
    return bool(word in ("noon", "midday") or _CLOCK.fullmatch(word) or _HOUR_ONLY.fullmatch(word))


def _read_clock(word: str, text: str) -> time:
    """The time of day for a clock word; hours or minutes out of range are impossible."""
    if word in ("noon", "midday"):
        return time(12, 0)
    full = _CLOCK.fullmatch(word)
    if full:
        hour, minute, second = int(full.group(1)), int(full.group(2)), int(full.group(3) or 0)
        suffix = full.group(4)
    else:
        short = _HOUR_ONLY.fullmatch(word)
        assert short is not None  # _is_clock_word matched one of the two shapes
        hour, minute, second, suffix = int(short.group(1)), 0, 0, short.group(2)
    if suffix is not None:
        if not 1 <= hour <= 12:
            raise BadInput("when.impossible", text=text)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadInput("when.impossible", text=text)
    return time(hour, minute)


def _read_day(tokens: list[str], today: date, gone: bool, text: str) -> date:
    """The calendar day the words name; ``gone`` says whether the time has passed today."""
    if tokens in (["today"], ["tonight"]):
        return today
    if tokens == ["tomorrow"]:
        return today + timedelta(days=1)
    if tokens == ["yesterday"]:
        return today - timedelta(days=1)  # read, so the reply can say it has passed
    if len(tokens) == 1 and weekday_number(tokens[0]) is not None:
        return _coming_weekday(tokens[0], today, skip_today=gone)
    relative = len(tokens) == 2 and tokens[0] in ("this", "next")
    if relative and weekday_number(tokens[1]) is not None:
        return _coming_weekday(tokens[1], today, skip_today=gone or tokens[0] == "next")
    named = weekday_number(tokens[0]) if tokens else None
    found = _calendar_day(tokens[1:] if named is not None else tokens, today, text)
    if named is not None and found.weekday() != named:
        raise BadInput("when.unreadable", text=text)
    return found


def _coming_weekday(word: str, today: date, skip_today: bool) -> date:
    """The next such weekday, today included unless skipped ("next" never means today)."""
    named = weekday_number(word)
    assert named is not None  # callers checked the word is a weekday
    ahead = (named - today.weekday()) % 7
    return today + timedelta(days=7 if ahead == 0 and skip_today else ahead)


def _calendar_day(tokens: list[str], today: date, text: str) -> date:
    """A written date; without a year, the nearest such date, which must not have passed."""
    parts = parse_calendar_date(tokens)
    if parts is None:
        raise BadInput("when.unreadable", text=text)
    year, month, day = parts
    found = real_date(year, month, day) if year is not None else _without_year(month, day, today)
    if found is None:
        raise BadInput("when.impossible", text=text)
    return found


def _without_year(month: int, day: int, today: date) -> date | None:
    """The date a yearless "3 Dec" means: next year's only when that is nearer than this one's.

    So "5 Jan" typed in late December is next January, but "3 Dec" typed on 4 December is
    yesterday, and is refused rather than quietly moved a whole year on.
    """
    coming = next_date_on_or_after(month, day, today)
    gone = real_date(today.year, month, day)
    if coming is None or gone is None or gone >= today or today - gone > coming - today:
        return coming
    raise BadInput("when.past_this_year", when=format_day(gone), next_year=format_day(coming))


def _localise(wall: datetime, zone: ZoneInfo, text: str) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing times the clocks skip over and times
    that happen twice (the hour the clocks go back): guessing which one was meant could put
    a session an hour out, so the organiser is asked to choose another time.
    """
    try:
        moment = wall.replace(tzinfo=zone)
        round_trip = moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise BadInput("when.impossible", text=text) from None
    if round_trip != wall:
        raise BadInput("when.nonexistent", text=text)
    if is_ambiguous(wall, zone):
        raise BadInput("when.ambiguous", text=text, day=format_day(wall.date()))
    return moment


# --- durations -------------------------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """How long a session runs, from "90", "1h30", "1:30", "2 hours" or "1.5h".

    Bare numbers are minutes. Limits (10 minutes to 12 hours) catch slips such as "900".
    """
    clean = text.strip().lower()
    minutes = _duration_minutes(clean) if 0 < len(clean) <= 40 else None
    if minutes is None:
        raise BadInput("duration.bad", text=text)
    length = timedelta(minutes=minutes)
    if not _SHORTEST <= length <= _LONGEST:
        raise BadInput("duration.bad", text=text)
    return length


def _duration_minutes(clean: str) -> int | None:
    """Whole minutes for a duration, or None if it is not shaped like one."""
    clock = _DURATION_CLOCK.fullmatch(clean)
    if clock:
        hours, minutes = int(clock.group(1)), int(clock.group(2))
        return hours * 60 + minutes if minutes < 60 else None
    parts = _DURATION_PARTS.fullmatch(clean)
    if parts is None or not (parts.group("h") or parts.group("m")):
        return None
    whole = Decimal(parts.group("h") or 0) * 60 + int(parts.group("m") or 0)
    return int(whole) if whole == whole.to_integral_value() else None


# --- formatting ------------------------------------------------------------------------------


def format_local(moment: datetime, zone: ZoneInfo) -> str:
    """ "Thu 3 Dec 2026, 14:00": how members see a session's start, in the community zone.

    Names come from fixed tables, not the machine's locale, so replies read the same
    everywhere the bot runs.
    """
    local = _in_zone(moment, zone)
    return f"{WEEKDAY_NAMES[local.weekday()][:3]} {format_day(local.date())}, {local:%H:%M}"


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    """ "14:00": the local time of day alone, for when the date is already clear."""
    return f"{_in_zone(moment, zone):%H:%M}"


def format_day(day: date) -> str:
    """ "1 Mar 2027": a date with no leading zero, as in replies and repeat descriptions."""
    return f"{day.day} {MONTH_ABBRS[day.month - 1]} {day.year}"


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` on the community's wall clock; naive moments are a programming error."""
    if moment.tzinfo is None:
        raise ValueError("format needs a timezone-aware moment")
    return moment.astimezone(zone)
