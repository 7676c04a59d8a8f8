"""What a typed word looks like it was meant to be, even when its value cannot be used.

A typed `schedule` line has optional parts in a fixed order (length, objective, places,
repeat) before the place. An optional part that does not convert is skipped, so its words
fall into the place; that is right for "Civic Hall" and wrong for "0" or "every 0 weeks",
which were clearly meant as places or a repeat and only got the number wrong. These
predicates tell the two apart, so the dispatcher refuses the second kind with the range
instead of announcing a session in "0 Hall". They look at shape only; the converters still
decide what is valid.
"""

from __future__ import annotations

import difflib
import re

from bot.domain.objectives import OBJECTIVES
from bot.domain.when import weekday_number

_NUMBER = re.compile(r"[-+\u2212]?[0-9][0-9,._]*(?:e[-+]?[0-9]+)?", re.IGNORECASE)
_UNITS = r"(?:h|hr|hrs|hour|hours|m|min|mins|minute|minutes)"
_LENGTH = re.compile(rf"[-+]?[0-9][0-9.,]*{_UNITS}(?:[0-9]+{_UNITS}?)?|[0-9]+:[0-9]+", re.I)
_UNIT_WORD = re.compile(_UNITS, re.IGNORECASE)
_COUNT = re.compile(r"(?:x|×)\s*[-+\u2212]?[0-9].*", re.IGNORECASE)
_ORDINAL = re.compile(r"first|second|third|fourth|fifth|last|[0-9]+(?:st|nd|rd|th)", re.I)
_FREQUENCY_WORDS = {"weekly", "fortnightly", "monthly", "quarterly"}
_EVERY_WORDS = {"other", "week", "weeks", "month", "months", "fortnight"}
_LIMIT_WORDS = {"until", "till", "except"}
_COUNT_WORDS = {"times", "sessions", "occurrences"}


def looks_like(kind: str, words: list[str]) -> bool:
    """Whether ``words`` start with something shaped like an option of ``kind``."""
    check = _LOOKS.get(kind)
    return bool(words) and check is not None and check(words)


def continues(kind: str, rest: list[str]) -> bool:
    """Whether the words after a reading carry on the same option ("weekly" then "x-1")."""
    if kind != "repeat" or not rest:
        return False
    first, second = rest[0].lower(), rest[1].lower() if len(rest) > 1 else ""
    if _COUNT.fullmatch(first) or first in _LIMIT_WORDS:
        return True
    if first == "for":
        return bool(_NUMBER.fullmatch(second))
    return bool(_NUMBER.fullmatch(first)) and second in _COUNT_WORDS


def _capacity(words: list[str]) -> bool:
    return bool(_NUMBER.fullmatch(words[0]))


def _duration(words: list[str]) -> bool:
    if _LENGTH.fullmatch(words[0]):
        return True
    return len(words) > 1 and bool(_NUMBER.fullmatch(words[0]) and _UNIT_WORD.fullmatch(words[1]))


def _objective(words: list[str]) -> bool:
    """A near miss in capitals ("CONECT"), as objectives are written; "Connected Minds"
    (an ordinary word) stays a place."""
    word = words[0]
    if not (word.isupper() and len(word) >= 4):
        return False
    return bool(difflib.get_close_matches(word, OBJECTIVES, n=1, cutoff=0.75))


def _weekday(word: str) -> bool:
    if weekday_number(word) is not None:
        return True
    return word.endswith("s") and weekday_number(word[:-1]) is not None


def _repeat(words: list[str]) -> bool:
    first, second = words[0].lower(), words[1].lower() if len(words) > 1 else ""
    if first in _FREQUENCY_WORDS or _COUNT.fullmatch(first):
        return True
    if first == "every":
        return bool(_NUMBER.fullmatch(second)) or second in _EVERY_WORDS or _weekday(second)
    return bool(_ORDINAL.fullmatch(first)) and _weekday(second)


_LOOKS = {
    "capacity": _capacity,
    "duration": _duration,
    "objective": _objective,
    "repeat": _repeat,
}
