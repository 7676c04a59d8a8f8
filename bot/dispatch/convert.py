"""Turning the words of a command into typed values, the same way on every platform.

Each option kind has one converter; a converter either returns a value or raises `BadInput`
naming what it expected, so a wrong argument reads the same on Slack, Discord and the console.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.dispatch.registry import Option
from bot.domain.errors import BadInput
from bot.domain.objectives import parse_objective
from bot.domain.recurrence import MAX_COUNT, MAX_INTERVAL, NEEDS_FIRST_DATE, parse_repeat
from bot.domain.when import parse_duration, parse_when

MAX_TEXT = 1000
_REPEAT_WORDS = re.compile(
    r"^(weekly|fortnightly|monthly|every|first|second|third|fourth|last|1st|2nd|3rd|4th)\b",
    re.IGNORECASE,
)


# Characters that are never typed on purpose: controls (a tab is forgiven) and the ones that
# silently reverse or isolate the direction of the text around them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def refuse_hidden(text: str) -> None:
    """Refuse text carrying hidden characters, wherever it came from (typed, option, form)."""
    if text.isprintable():
        return  # nearly every line: no control and no direction character is printable
    if any((unicodedata.category(ch) == "Cc" and ch != "\t") or ch in _BIDI for ch in text):
        raise BadInput("error.control")


def convert(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> Any:
    """Convert `raw` for `option`; `now` and `zone` give dates their meaning."""
    raw = raw.strip()
    if not raw:
        raise BadInput("error.missing", option=option.name)
    return _CONVERTERS[option.kind](option, raw, now, zone)


def _session(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> int:
    text = raw.lstrip("#")
    if not text.isdigit() or int(text) == 0 or len(text) > 9:
        raise BadInput("error.session_id", text=raw)
    return int(text)


def _capacity(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> int | None:
    if raw.lower() in ("none", "unlimited", "open", "any"):
        return None
    if not re.fullmatch(r"-?\d{1,6}", raw) or not 0 < int(raw) <= 10_000:
        raise BadInput("error.capacity", text=raw)
    return int(raw)


def _weeks(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 52:
        raise BadInput("error.weeks", text=raw)
    return int(raw)


def _page(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 1000:
        raise BadInput("error.page", text=raw)
    return int(raw)


def _zone(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> str:
    wanted = raw.replace(" ", "_")
    match = _zones_by_lower().get(wanted.lower())
    try:
        if match is None:
            raise ZoneInfoNotFoundError(wanted)
        ZoneInfo(match)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput("timezone.bad", text=raw) from None
    return match


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every time zone name, sorted; read from disk once (it takes tens of milliseconds)."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in zone_names()}


def _choice(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> str:
    word = dict(option.aliases).get(raw.lower(), raw.lower())
    if word not in option.choices:
        raise BadInput("error.choice", text=raw, choices=", ".join(option.choices))
    return word


def _repeat(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> str:
    """Check the words make a repeat; the handler checks it again against the first date
    (here any weekday is fine, so only a mismatch with today's is forgiven)."""
    if raw.lower() in ("none", "once", "no"):
        return raw
    if not _REPEAT_WORDS.match(raw):
        raise _repeat_problem(raw)
    try:
        parse_repeat(raw, now.astimezone(zone))
    except BadInput as err:
        if err.key == "repeat.bad":
            raise _repeat_problem(raw) from None
        if err.key not in NEEDS_FIRST_DATE:
            raise
    return raw


_COUNT = re.compile(r"(?:^|\s)(?:(?:x|×)\s*([-+]?[0-9]+)|([-+]?[0-9]+) (?:times|sessions))")
_EVERY = re.compile(r"\bevery ([-+]?[0-9]+) (week|month)s?\b")
_NTH = re.compile(r"(?:^|\s)(?:fifth|[5-9]th|[1-9][0-9]+(?:st|nd|rd|th))\s")
_UNIT = {"week": "weekly", "month": "monthly"}


def _repeat_problem(raw: str) -> BadInput:
    """The repeat parser only says "unreadable"; when a number is out of range, say the range.

    The parser (`bot/domain/recurrence.py`) stays the judge of what is valid; this only
    names which part was wrong, so "every 0 weeks" is answered with the intervals allowed.
    """
    text = " ".join(raw.lower().replace("\u2212", "-").split())
    count = _COUNT.search(text)
    if count and not 1 <= int(count.group(1) or count.group(2)) <= MAX_COUNT:
        return BadInput("repeat.count", text=raw, most=MAX_COUNT)
    every = _EVERY.search(text)
    if every and not 1 <= int(every.group(1)) <= MAX_INTERVAL[_UNIT[every.group(2)]]:
        weeks, months = MAX_INTERVAL["weekly"], MAX_INTERVAL["monthly"]
        return BadInput("repeat.interval", text=raw, weeks=weeks, months=months)
    if _NTH.search(text + " "):
        return BadInput("repeat.nth", text=raw)
    return BadInput("repeat.bad", text=raw)


def _text(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> str:
    if len(raw) > MAX_TEXT:
        raise BadInput("error.too_long", limit=str(MAX_TEXT))
    return raw


def _assignments(option: Option, raw: str, now: datetime, zone: ZoneInfo) -> str:
    return raw


_CONVERTERS: dict[str, Callable[[Option, str, datetime, ZoneInfo], Any]] = {
    "session": _session,
    "word": _text,
    "text": _text,
    "when": lambda o, raw, now, zone: parse_when(raw, now, zone),
    "duration": lambda o, raw, now, zone: parse_duration(raw),
    "objective": lambda o, raw, now, zone: parse_objective(raw),
    "zone": _zone,
    "capacity": _capacity,
    "repeat": _repeat,
    "choice": _choice,
    "assignments": _assignments,
    "weeks": _weeks,
    "page": _page,
}
