"""The dates a series leaves out: the except grammar, how it reads back, how it is shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import BadInput
from bot.domain.quiet import QuietHours
from bot.domain.recurrence import Repeat, dates_after, parse_repeat
from bot.domain.skipdates import Skip, describe_skips, skips_from_text

LONDON = ZoneInfo("Europe/London")
FIRST = datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)  # a Thursday


@pytest.mark.parametrize(
    ("text", "skips"),
    [
        ("weekly except 2026-12-24", ((date(2026, 12, 24), date(2026, 12, 24)),)),
        ("weekly except 24/12/2026, 31/12", ((date(2026, 12, 24),) * 2, (date(2026, 12, 31),) * 2)),
        ("weekly except 24 dec and 7 jan", ((date(2026, 12, 24),) * 2, (date(2027, 1, 7),) * 2)),
        ("weekly except 2027-02-15..2027-02-19", ((date(2027, 2, 15), date(2027, 2, 19)),)),
        ("weekly except 15 Feb to 19 Feb", ((date(2027, 2, 15), date(2027, 2, 19)),)),
        ("weekly excluding 24/12 x6", ((date(2026, 12, 24),) * 2,)),
    ],
)
def test_the_except_grammar(text: str, skips: tuple[tuple[date, date], ...]) -> None:
    rule = parse_repeat(text, FIRST)
    assert rule is not None
    assert tuple((s.first, s.last) for s in rule.skips) == skips


def test_a_limit_may_come_after_the_dates() -> None:
    rule = parse_repeat("weekly except 2026-12-24 x6", FIRST)
    assert rule is not None and rule.count == 6 and rule.skips


def test_skipped_dates_round_trip_through_storage() -> None:
    rule = parse_repeat("weekly except 2026-12-24, 2027-02-15..2027-02-19", FIRST)
    assert rule is not None
    back = Repeat.from_rrule(rule.to_rrule(), rule.skips_text())
    assert back == rule
    assert skips_from_text("") == ()


@pytest.mark.parametrize(
    ("skip", "shown"),
    [
        (Skip(date(2026, 12, 24), date(2026, 12, 24)), "24 Dec 2026"),
        (Skip(date(2027, 2, 15), date(2027, 2, 19)), "15–19 Feb 2027"),
        (Skip(date(2027, 3, 29), date(2027, 4, 2)), "29 Mar–2 Apr 2027"),
        (Skip(date(2026, 12, 30), date(2027, 1, 2)), "30 Dec 2026–2 Jan 2027"),
    ],
)
def test_a_skip_is_shown_briefly(skip: Skip, shown: str) -> None:
    assert skip.describe() == shown


def test_several_skips_read_as_a_list() -> None:
    one, two = (
        Skip(date(2026, 12, 24), date(2026, 12, 24)),
        Skip(date(2027, 1, 7), date(2027, 1, 7)),
    )
    assert describe_skips((one, two)) == "24 Dec 2026 and 7 Jan 2027"


def test_too_many_skips_are_refused() -> None:
    many = ",".join(f"{day}/1" for day in range(1, 23))
    with pytest.raises(BadInput):
        parse_repeat(f"weekly except {many}", FIRST)


def test_a_top_up_continues_from_the_last_date_made_and_leaves_out_skips() -> None:
    rule = parse_repeat("weekly except 2026-12-24", FIRST)
    assert rule is not None
    last = datetime(2026, 12, 17, 10, 0)  # naive, on the London wall clock
    horizon = datetime(2027, 1, 8, tzinfo=UTC)
    assert dates_after(rule, last, LONDON, horizon) == [
        datetime(2026, 12, 31, 10, 0),
        datetime(2027, 1, 7, 10, 0),
    ]
    assert dates_after(rule, datetime(2027, 1, 7, 10, 0), LONDON, horizon) == []


def test_bring_forward_finds_friday_for_a_saturday_message() -> None:
    quiet = QuietHours(time(18, 0), time(8, 0), True, LONDON)
    saturday = datetime(2026, 12, 12, 14, 0, tzinfo=LONDON)
    assert quiet.bring_forward(saturday, timedelta(days=3)) == datetime(
        2026, 12, 11, 14, 0, tzinfo=LONDON
    )
    evening = datetime(2026, 12, 12, 19, 0, tzinfo=LONDON)
    assert quiet.bring_forward(evening, timedelta(days=3)) == datetime(
        2026, 12, 11, 17, 30, tzinfo=LONDON
    )
    assert quiet.bring_forward(saturday, timedelta(hours=12)) is None
