"""Dates a series leaves out: what organisers type after "except", and how it is kept.

The grammar (the README shows it): ``except`` and then one or more dates or ranges, separated
by commas, spaces or "and". A date is ``2026-12-24``, ``24/12/2026``, ``24/12`` or
``24 Dec [2026]``; a range joins two dates with ``..`` or the word ``to``, both ends
included (``2027-02-15..2027-02-19``, ``15 Feb to 19 Feb``). A date without a year is the
next such date on or after the series' first session. Anything else ends the list, so the
words after it are read as before (a limit such as ``x6`` may come after the dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.errors import BadInput
from bot.domain.when import (
    MONTH_ABBRS,
    format_day,
    next_date_on_or_after,
    parse_calendar_date,
    real_date,
)

EXCEPT_WORDS = ("except", "excluding")
MAX_SKIPS = 20


@dataclass(frozen=True, order=True)
class Skip:
    """One date, or a run of dates (both ends included), that a series leaves out."""

    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def to_text(self) -> str:
        """How it is stored: ``2026-12-24`` or ``2027-02-15..2027-02-19``."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def describe(self) -> str:
        """ "24 Dec 2026", "15–19 Feb 2027", "29 Mar–2 Apr 2027" or across a new year."""
        a, b = self.first, self.last
        if a == b:
            return format_day(a)
        if a.year != b.year:
            return f"{format_day(a)}–{format_day(b)}"
        if a.month != b.month:
            return f"{a.day} {MONTH_ABBRS[a.month - 1]}–{format_day(b)}"
        return f"{a.day}–{format_day(b)}"


def skips_to_text(skips: tuple[Skip, ...]) -> str:
    return ",".join(skip.to_text() for skip in skips)


def skips_from_text(text: str) -> tuple[Skip, ...]:
    """Read back what skips_to_text stored; raises ValueError, as stored text is our own."""
    found = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("..")
        found.append(Skip(date.fromisoformat(first), date.fromisoformat(last or first)))
    return tuple(found)


def describe_skips(skips: tuple[Skip, ...]) -> str:
    """ "24 Dec 2026, 31 Dec 2026 and 15–19 Feb 2027" for the preview and announcement."""
    words = [skip.describe() for skip in skips]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def split_except(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(the other words, the words of the except list) from a repeat's lower-case tokens."""
    at = next((i for i, word in enumerate(tokens) if word in EXCEPT_WORDS), None)
    if at is None:
        return tokens, []
    listed, after = _date_words(tokens[at + 1 :])
    return tokens[:at] + after, listed


def _date_words(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The leading run of tokens that read as dates, ranges or joining words; then the rest."""
    taken = 0
    while taken < len(tokens):
        width = _date_width(tokens[taken:])
        if width:
            taken += width
        elif tokens[taken] in ("and", "to", ".."):
            taken += 1
        else:
            break
    return tokens[:taken], tokens[taken:]


def _date_width(tokens: list[str]) -> int:
    """How many tokens the date at the front spans (0 if none), a ``a..b`` token being one."""
    if ".." in tokens[0]:
        ends = tokens[0].split("..")
        return 1 if len(ends) == 2 and all(parse_calendar_date([e]) for e in ends) else 0
    for width in (3, 2, 1):
        if len(tokens) >= width and parse_calendar_date(tokens[:width]) is not None:
            return width
    return 0


def parse_skips(tokens: list[str], earliest: date, text: str) -> tuple[Skip, ...]:
    """The Skips the except words name, sorted; ``earliest`` resolves dates without a year."""
    dates: list[date | str] = []
    rest = [piece for token in tokens for piece in _split_dots(token)]
    while rest:
        if rest[0] == "and":
            rest = rest[1:]
            continue
        if rest[0] == "to":
            dates.append("to")
            rest = rest[1:]
            continue
        width = _date_width(rest)
        if not width:
            raise BadInput("repeat.bad", text=text)
        dates.append(_resolve(rest[:width], earliest, text))
        rest = rest[width:]
    skips = _join_ranges(dates, text)
    if not skips or len(skips) > MAX_SKIPS:
        raise BadInput("repeat.bad", text=text)
    return tuple(sorted(set(skips)))


def _split_dots(token: str) -> list[str]:
    """ "2027-02-15..2027-02-19" -> the two dates with "to" between them."""
    if ".." not in token:
        return [token]
    first, _, last = token.partition("..")
    return [first, "to", last]


def _resolve(tokens: list[str], earliest: date, text: str) -> date:
    written = parse_calendar_date(tokens)
    assert written is not None  # _date_width said these tokens are a date
    year, month, day = written
    found = (
        next_date_on_or_after(month, day, earliest) if year is None else real_date(year, month, day)
    )
    if found is None:
        raise BadInput("repeat.bad", text=text)
    return found


def _join_ranges(items: list[date | str], text: str) -> list[Skip]:
    """Dates with "to" between two of them become one range; a stray "to" is refused."""
    skips: list[Skip] = []
    at = 0
    while at < len(items):
        first = items[at]
        if not isinstance(first, date):
            raise BadInput("repeat.bad", text=text)
        if at + 2 < len(items) and items[at + 1] == "to":
            last = items[at + 2]
            if not isinstance(last, date) or last < first:
                raise BadInput("repeat.bad", text=text)
            skips.append(Skip(first, last))
            at += 3
            continue
        if at + 1 < len(items) and items[at + 1] == "to":
            raise BadInput("repeat.bad", text=text)
        skips.append(Skip(first, first))
        at += 1
    return skips
