"""The words organisers type for a repeat, before the first date gives them meaning.

Words are first rewritten to symbols ("first thursday" -> "o1 w3"), then the whole phrase
must match one of a few shapes; anything else is refused rather than guessed at. The dates a
series leaves out ("except ...") are read by `bot.domain.skipdates`; the rule they make is
`bot.domain.recurrence.Repeat`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.domain.errors import BadInput
from bot.domain.when import (
    next_date_on_or_after,
    parse_calendar_date,
    real_date,
    weekday_number,
)

Freq = Literal["weekly", "monthly"]
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
NONE_WORDS = {"", "none", "once", "no", "never", "one-off", "n/a"}
_FILLER = {"on", "the", "of", "a", "in", "and", "repeat", "repeats", "repeating"}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_NUMBERED = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)")
_PLAIN: dict[str, tuple[Freq, int]] = {
    "weekly": ("weekly", 1),
    "fortnightly": ("weekly", 2),
    "monthly": ("monthly", 1),
    "month": ("monthly", 1),
    "quarterly": ("monthly", 3),
}
_UNIT: dict[str, Freq] = {"week": "weekly", "month": "monthly"}
_FREQ = (
    r"(?:(?P<plain>weekly|fortnightly|monthly|month|quarterly)"
    r"|every (?:(?P<num>[0-9]{1,2}|other) )?(?P<unit>week|month)s?)"
)
_DAY = r"(?:o(?P<nth>-?[0-9]{1,2}) )?w(?P<wd>[0-6])"
_SHAPES = (
    re.compile(rf"{_FREQ}(?: {_DAY})?"),  # "monthly first thursday", "every 2 weeks"
    re.compile(rf"{_DAY}(?: {_FREQ})?"),  # "last friday", "first thursday of every month"
    re.compile(rf"every (?:(?P<num>[0-9]{{1,2}}|other) )?{_DAY}"),  # "every other thursday"
)
_LIMIT = re.compile(
    r"(?:^| )(?:(?:x|×) ?(?P<x>[0-9]{1,3})"
    r"|(?:for )?(?P<times>[0-9]{1,3}) (?:times|sessions|occurrences)"
    r"|for (?P<span>[0-9]{1,3}) (?P<span_unit>week|month)s?"
    r"|(?:until|till) (?P<until>.+))$"
)


@dataclass(frozen=True)
class Typed:
    """What the words said, before the first date is known: nth None for a monthly series
    means "take it from the first session"; `named` is a weekday the words named, if any."""

    freq: Freq
    interval: int
    nth: int | None
    named: int | None
    count: int | None
    until: date | None


def read_words(kept: list[str], first: datetime, text: str) -> Typed:
    """Read how often and how many from a repeat's words (the except list taken out)."""
    words = " ".join(word for word in kept[:30] if word not in _FILLER)
    words = re.sub(r"\bevery (fortnight|other week)\b", "fortnightly", words)
    limit = _LIMIT.search(words)
    freq, interval, nth, named = _frequency(words[: limit.start()] if limit else words, text)
    count, until = _limit(limit, freq, interval, first, text)
    return Typed(freq, interval, nth, named, count, until)


def _symbols(body: str) -> str:
    """ "first thursdays" -> "o1 w3": weekdays and ordinals as symbols the shapes can match."""
    symbols = []
    for word in body.split():
        numbered = _NUMBERED.fullmatch(word)
        nth = int(numbered.group(1)) if numbered else _ORDINALS.get(word)
        weekday = weekday_number(word)
        if weekday is None and word.endswith("s"):
            weekday = weekday_number(word[:-1])
        symbols.append(f"o{nth}" if nth is not None else word if weekday is None else f"w{weekday}")
    return " ".join(symbols)


def _frequency(words: str, text: str) -> tuple[Freq, int, int | None, int | None]:
    """(freq, interval, nth, named weekday) for the words before any limit.

    nth None for a monthly series means "derive it from the first session".
    """
    body = _symbols(words)
    shape = next(filter(None, (pattern.fullmatch(body) for pattern in _SHAPES)), None)
    found = shape.groupdict() if shape else {}
    plain, unit, nth_text = found.get("plain"), found.get("unit"), found.get("nth")
    if shape is None or not (plain or unit or nth_text or body.startswith("every")):
        raise BadInput("repeat.bad", text=text)  # a bare "thursday" is too vague to guess from
    nth = int(nth_text) if nth_text else None
    if plain:
        freq, interval = _PLAIN[plain]
    else:
        freq = _UNIT[unit] if unit else "weekly" if nth is None else "monthly"
        num = found.get("num")
        interval = 1 if num is None else 2 if num == "other" else int(num)
    if nth is not None and (freq == "weekly" or nth not in NTH_WORDS):
        raise BadInput("repeat.bad", text=text)
    named = found.get("wd")
    return freq, interval, nth, None if named is None else int(named)


def _limit(
    limit: re.Match[str] | None, freq: Freq, interval: int, first: datetime, text: str
) -> tuple[int | None, date | None]:
    """(count, until) from "x6", "6 times", "for 6 weeks" or "until 1 Mar 2027"."""
    if limit is None:
        return None, None
    if limit.group("until"):
        return None, _until_date(limit.group("until").split(), first, text)
    if limit.group("span"):
        if _UNIT[limit.group("span_unit")] != freq:
            raise BadInput("repeat.bad", text=text)
        return math.ceil(int(limit.group("span")) / interval), None
    return int(limit.group("x") or limit.group("times") or 0), None


def _until_date(tokens: list[str], first: datetime, text: str) -> date:
    """The last day a series may run; without a year, the next such date from ``first``."""
    found = None
    written = parse_calendar_date(tokens)
    if written is not None:
        year, month, day = written
        if year is None:
            found = next_date_on_or_after(month, day, first.date())
        else:
            found = real_date(year, month, day)
    if found is None or found < first.date():
        raise BadInput("repeat.bad", text=text)
    return found
