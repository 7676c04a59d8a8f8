"""Repeating sessions: reading what organisers type, storing it, and finding the dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.domain.recurrence import Repeat, occurrences, parse_repeat

LONDON = ZoneInfo("Europe/London")
# Thursday 3 December 2026, 14:00: the first Thursday of its month.
FIRST = datetime(2026, 12, 3, 14, 0, tzinfo=LONDON)
FAR = datetime(2040, 1, 1, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def weekly(
    weekday: int = 3, interval: int = 1, count: int | None = None, until: date | None = None
) -> Repeat:
    return Repeat("weekly", interval, weekday, None, count, until)


def monthly(
    weekday: int = 3,
    nth: int = 1,
    interval: int = 1,
    count: int | None = None,
    until: date | None = None,
) -> Repeat:
    return Repeat("monthly", interval, weekday, nth, count, until)


def repeat_error(text: str, first: datetime = FIRST) -> BadInput:
    with pytest.raises(BadInput) as caught:
        parse_repeat(text, first)
    return caught.value


# --- parse_repeat ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "none", "None", "once", "no", "No.", "never"])
def test_one_off_words_mean_no_repeat(text: str) -> None:
    assert parse_repeat(text, FIRST) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly", weekly()),
        ("Weekly", weekly()),
        ("every week", weekly()),
        ("weekly on thursdays", weekly()),
        ("every thursday", weekly()),
        ("every week on Thursday", weekly()),
        ("fortnightly", weekly(interval=2)),
        ("every fortnight", weekly(interval=2)),
        ("every other week", weekly(interval=2)),
        ("every other thursday", weekly(interval=2)),
        ("every 2 weeks", weekly(interval=2)),
        ("every 3 weeks", weekly(interval=3)),
        ("every 8 weeks", weekly(interval=8)),
        ("monthly", monthly()),
        ("every month", monthly()),
        ("first thursday", monthly()),
        ("monthly first thursday", monthly()),
        ("monthly on the 1st Thursday", monthly()),
        ("every first thursday", monthly()),
        ("first thursday of the month", monthly()),
        ("first thursday of every month", monthly()),
        ("every 2 months", monthly(interval=2)),
        ("every 12 months", monthly(interval=12)),
        ("quarterly", monthly(interval=3)),
    ],
)
def test_accepted_repeats(text: str, expected: Repeat) -> None:
    assert parse_repeat(text, FIRST) == expected


def test_last_friday() -> None:
    last_friday = local(2026, 12, 25, 10, 0)
    assert parse_repeat("last friday", last_friday) == monthly(weekday=4, nth=-1)


def test_second_tuesday() -> None:
    second_tuesday = local(2026, 12, 8, 10, 0)
    assert parse_repeat("2nd tuesday", second_tuesday) == monthly(weekday=1, nth=2)
    assert parse_repeat("second tuesday", second_tuesday) == monthly(weekday=1, nth=2)


@pytest.mark.parametrize(
    ("first", "weekday", "nth"),
    [
        (local(2026, 12, 3, 14, 0), 3, 1),  # 3rd: first Thursday
        (local(2026, 12, 10, 14, 0), 3, 2),
        (local(2026, 12, 17, 14, 0), 3, 3),
        (local(2026, 12, 24, 14, 0), 3, 4),  # last 7 days, but only the 4th: stays 4
        (local(2026, 12, 31, 14, 0), 3, -1),  # the 5th Thursday: last
        (local(2026, 12, 29, 14, 0), 1, -1),  # the 5th Tuesday: last
        (local(2027, 2, 25, 14, 0), 3, 4),  # February's last Thursday is its 4th
    ],
)
def test_monthly_takes_its_place_in_the_month_from_the_first_session(
    first: datetime, weekday: int, nth: int
) -> None:
    assert parse_repeat("monthly", first) == monthly(weekday=weekday, nth=nth)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly x6", weekly(count=6)),
        ("weekly x 6", weekly(count=6)),
        ("Weekly, ×6.", weekly(count=6)),
        ("weekly 6 times", weekly(count=6)),
        ("weekly for 6 sessions", weekly(count=6)),
        ("weekly for 6 weeks", weekly(count=6)),
        ("every 2 weeks for 6 weeks", weekly(interval=2, count=3)),
        ("every 2 weeks for 5 weeks", weekly(interval=2, count=3)),
        ("monthly for 6 months", monthly(count=6)),
        ("first thursday x12", monthly(count=12)),
        ("weekly x1", weekly(count=1)),
        ("weekly x52", weekly(count=52)),
        ("weekly until 2027-03-01", weekly(until=date(2027, 3, 1))),
        ("weekly until 1 Mar 2027", weekly(until=date(2027, 3, 1))),
        ("weekly until the 1st of March 2027", weekly(until=date(2027, 3, 1))),
        ("weekly until 1/3/2027", weekly(until=date(2027, 3, 1))),
        ("weekly until 1 Mar", weekly(until=date(2027, 3, 1))),
        ("weekly until 3 Dec", weekly(until=date(2026, 12, 3))),
        ("monthly till 1 Mar 2027", monthly(until=date(2027, 3, 1))),
    ],
)
def test_limits(text: str, expected: Repeat) -> None:
    assert parse_repeat(text, FIRST) == expected


@pytest.mark.parametrize(
    "text", ["every friday", "weekly on fridays", "last friday", "2nd tuesday", "monthly first mon"]
)
def test_naming_another_weekday_is_a_mismatch(text: str) -> None:
    error = repeat_error(text)
    assert error.key == "repeat.mismatch"
    assert error.fields == {"text": text, "weekday": "Thursday"}


@pytest.mark.parametrize(
    "text",
    [
        "daily",
        "yes",
        "thursday",
        "every",
        "every 0 weeks",
        "every 9 weeks",
        "every 13 months",
        "every 0 months",
        "5th thursday",
        "weekly first thursday",
        "fortnightly last thursday",
        "weekly monthly",
        "weekly x0",
        "weekly x53",
        "weekly 100 times",
        "weekly for 60 weeks",
        "weekly x6 x6",
        "weekly x6 until 1 mar 2027",
        "weekly until 1 Jan 2026",
        "weekly until 31 Feb 2027",
        "weekly until someday",
        "weekly until",
        "every week for 3 months",
        "monthly for 8 weeks",
        "x6",
        "first",
        "weekly" + " please" * 40,
    ],
)
def test_bad_repeats(text: str) -> None:
    error = repeat_error(text)
    assert error.key == "repeat.bad"
    assert error.fields == {"text": text}


REPEAT_WORDS = [
    "weekly", "monthly", "fortnightly", "every", "other", "2", "9", "13", "0", "week", "weeks",
    "month", "months", "first", "last", "2nd", "5th", "thursday", "thursdays", "fri", "x6",
    "x", "53", "times", "for", "until", "1", "mar", "2027", "2027-03-01", "31", "feb", "of",
    "the", "none", "",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=60), st.lists(st.sampled_from(REPEAT_WORDS), max_size=6).map(" ".join)
    ),
    first=st.sampled_from([FIRST, local(2026, 12, 31, 9, 0), local(2027, 3, 28, 3, 0)]),
)
def test_any_text_gives_a_repeat_none_or_bad_input(text: str, first: datetime) -> None:
    try:
        result = parse_repeat(text, first)
    except BadInput as error:
        assert error.key in ("repeat.bad", "repeat.mismatch")
        assert all(isinstance(value, str) for value in error.fields.values())
    else:
        if result is not None:
            assert result.weekday == first.weekday()
            assert Repeat.from_rrule(result.to_rrule()) == result


# --- storing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repeat", "rule"),
    [
        (weekly(), "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH"),
        (weekly(interval=2, count=6), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6"),
        (
            weekly(weekday=0, until=date(2027, 3, 1)),
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;UNTIL=20270301",
        ),
        (monthly(), "FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH"),
        (monthly(weekday=4, nth=-1, interval=3), "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR"),
        (monthly(weekday=6, nth=2, count=4), "FREQ=MONTHLY;INTERVAL=1;BYDAY=2SU;COUNT=4"),
    ],
)
def test_to_rrule(repeat: Repeat, rule: str) -> None:
    assert repeat.to_rrule() == rule
    assert Repeat.from_rrule(rule) == repeat


REPEATS = st.one_of(
    st.builds(
        Repeat,
        freq=st.just("weekly"),
        interval=st.integers(1, 8),
        weekday=st.integers(0, 6),
        nth=st.none(),
        count=st.none() | st.integers(1, 52),
    ),
    st.builds(
        Repeat,
        freq=st.just("monthly"),
        interval=st.integers(1, 12),
        weekday=st.integers(0, 6),
        nth=st.sampled_from([1, 2, 3, 4, -1]),
        until=st.none() | st.dates(date(2026, 1, 1), date(2099, 12, 31)),
    ),
)


@settings(max_examples=200, deadline=None)
@given(REPEATS)
def test_rrule_round_trip(repeat: Repeat) -> None:
    assert Repeat.from_rrule(repeat.to_rrule()) == repeat


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6",
        "BYDAY=TH;COUNT=6;FREQ=WEEKLY;INTERVAL=2",
        "freq=weekly;interval=2;byday=th;count=6",
    ],
)
def test_from_rrule_reads_other_spellings(rule: str) -> None:
    assert Repeat.from_rrule(rule) == weekly(interval=2, count=6)


def test_from_rrule_defaults_interval_and_reads_datetime_until() -> None:
    rule = "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270301T235959Z"
    assert Repeat.from_rrule(rule) == monthly(weekday=4, nth=-1, until=date(2027, 3, 1))


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "nonsense",
        "FREQ=DAILY;BYDAY=TH",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=TH;BYMONTH=1",
        "FREQ=WEEKLY;BYDAY=TH;COUNT=many",
        "FREQ=WEEKLY;BYDAY=TH;UNTIL=2027",
        "FREQ=WEEKLY;BYDAY=TH;FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=1TH",
        "FREQ=MONTHLY;BYDAY=TH",
        "FREQ=MONTHLY;BYDAY=5TH",
        "FREQ=WEEKLY;INTERVAL=9;BYDAY=TH",
        "FREQ=WEEKLY;BYDAY=TH;COUNT=6;UNTIL=20270301",
    ],
)
def test_from_rrule_refuses_what_it_cannot_represent(rule: str) -> None:
    with pytest.raises(ValueError):
        Repeat.from_rrule(rule)


@pytest.mark.parametrize(
    "fields",
    [
        {"freq": "daily", "interval": 1, "weekday": 3, "nth": None},
        {"freq": "weekly", "interval": 0, "weekday": 3, "nth": None},
        {"freq": "weekly", "interval": 9, "weekday": 3, "nth": None},
        {"freq": "monthly", "interval": 13, "weekday": 3, "nth": 1},
        {"freq": "weekly", "interval": 1, "weekday": 7, "nth": None},
        {"freq": "weekly", "interval": 1, "weekday": 3, "nth": 1},
        {"freq": "monthly", "interval": 1, "weekday": 3, "nth": None},
        {"freq": "monthly", "interval": 1, "weekday": 3, "nth": 5},
        {"freq": "weekly", "interval": 1, "weekday": 3, "nth": None, "count": 0},
        {"freq": "weekly", "interval": 1, "weekday": 3, "nth": None, "count": 53},
        {"freq": "weekly", "interval": 1, "weekday": 3, "count": 2, "until": date(2027, 1, 1)},
    ],
)
def test_invalid_repeats_cannot_be_built(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Repeat(**fields)  # type: ignore[arg-type]


# --- describing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repeat", "words"),
    [
        (weekly(), "every week on Thursday"),
        (weekly(interval=2), "every 2 weeks on Thursday"),
        (weekly(weekday=6, count=6), "every week on Sunday, 6 times"),
        (weekly(count=1), "every week on Thursday, once"),
        (monthly(), "on the first Thursday of every month"),
        (monthly(weekday=4, nth=-1), "on the last Friday of every month"),
        (monthly(weekday=1, nth=2), "on the second Tuesday of every month"),
        (monthly(nth=3, interval=2), "on the third Thursday of every 2 months"),
        (
            monthly(nth=4, until=date(2027, 3, 1)),
            "on the fourth Thursday of every month, until 1 Mar 2027",
        ),
        (weekly(until=date(2027, 3, 1)), "every week on Thursday, until 1 Mar 2027"),
    ],
)
def test_describe(repeat: Repeat, words: str) -> None:
    assert repeat.describe() == words


# --- occurrences across the clock changes ----------------------------------------------------


def test_weekly_thursday_keeps_10am_when_clocks_go_forward() -> None:
    first = local(2027, 3, 18, 10, 0)
    found = occurrences(weekly(), first, LONDON, utc(2027, 4, 9))
    assert found == [
        utc(2027, 3, 18, 10),
        utc(2027, 3, 25, 10),
        utc(2027, 4, 1, 9),
        utc(2027, 4, 8, 9),
    ]
    assert {moment.astimezone(LONDON).strftime("%H:%M") for moment in found} == {"10:00"}


def test_weekly_sunday_keeps_10am_on_the_day_clocks_go_forward() -> None:
    first = local(2027, 3, 21, 10, 0)
    found = occurrences(weekly(weekday=6), first, LONDON, utc(2027, 4, 5))
    assert found == [utc(2027, 3, 21, 10), utc(2027, 3, 28, 9), utc(2027, 4, 4, 9)]


def test_weekly_thursday_keeps_10am_when_clocks_go_back() -> None:
    first = local(2027, 10, 21, 10, 0)
    found = occurrences(weekly(), first, LONDON, utc(2027, 11, 5))
    assert found == [utc(2027, 10, 21, 9), utc(2027, 10, 28, 9), utc(2027, 11, 4, 10)]
    assert {moment.astimezone(LONDON).hour for moment in found} == {10}


def test_weekly_sunday_keeps_10am_on_the_day_clocks_go_back() -> None:
    first = local(2027, 10, 24, 10, 0)
    found = occurrences(weekly(weekday=6), first, LONDON, utc(2027, 11, 8))
    assert found == [utc(2027, 10, 24, 9), utc(2027, 10, 31, 10), utc(2027, 11, 7, 10)]


def test_monthly_first_thursday_across_both_changes() -> None:
    first = local(2027, 2, 4, 10, 0)
    found = occurrences(monthly(), first, LONDON, utc(2027, 12, 1))
    assert [moment.date() for moment in found] == [
        date(2027, 2, 4), date(2027, 3, 4), date(2027, 4, 1), date(2027, 5, 6),
        date(2027, 6, 3), date(2027, 7, 1), date(2027, 8, 5), date(2027, 9, 2),
        date(2027, 10, 7), date(2027, 11, 4),
    ]  # fmt: skip
    assert [moment.hour for moment in found] == [10, 10, 9, 9, 9, 9, 9, 9, 9, 10]
    assert {moment.astimezone(LONDON).hour for moment in found} == {10}


def test_monthly_last_friday() -> None:
    first = local(2027, 1, 29, 18, 0)
    found = occurrences(monthly(weekday=4, nth=-1), first, LONDON, utc(2027, 5, 1))
    assert [moment.date() for moment in found] == [
        date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30)
    ]  # fmt: skip


def test_a_time_skipped_by_the_clocks_moves_forward_by_the_gap() -> None:
    first = local(2027, 3, 14, 1, 30)
    found = occurrences(weekly(weekday=6), first, LONDON, utc(2027, 4, 5))
    assert found == [utc(2027, 3, 14, 1, 30), utc(2027, 3, 21, 1, 30), utc(2027, 3, 28, 1, 30),
                     utc(2027, 4, 4, 0, 30)]  # fmt: skip
    assert found[2].astimezone(LONDON).strftime("%H:%M") == "02:30"
    assert found[3].astimezone(LONDON).strftime("%H:%M") == "01:30"


def test_a_time_that_happens_twice_takes_the_first() -> None:
    first = local(2027, 10, 24, 1, 30)
    found = occurrences(weekly(weekday=6), first, LONDON, utc(2027, 11, 8))
    assert found == [utc(2027, 10, 24, 0, 30), utc(2027, 10, 31, 0, 30), utc(2027, 11, 7, 1, 30)]


def test_results_are_utc() -> None:
    found = occurrences(weekly(), FIRST, LONDON, utc(2027, 1, 1))
    assert all(moment.tzinfo == UTC for moment in found)
    assert found[0] == FIRST


# --- occurrences: limits ---------------------------------------------------------------------


def test_count_includes_the_first_session() -> None:
    found = occurrences(weekly(count=3), FIRST, LONDON, FAR)
    assert found == [utc(2026, 12, 3, 14), utc(2026, 12, 10, 14), utc(2026, 12, 17, 14)]


def test_until_includes_a_session_on_that_day() -> None:
    found = occurrences(weekly(until=date(2026, 12, 17)), FIRST, LONDON, FAR)
    assert found[-1] == utc(2026, 12, 17, 14)
    assert len(found) == 3
    shorter = occurrences(weekly(until=date(2026, 12, 16)), FIRST, LONDON, FAR)
    assert len(shorter) == 2


def test_horizon_is_inclusive_and_stops_the_series() -> None:
    found = occurrences(weekly(), FIRST, LONDON, utc(2026, 12, 17, 14))
    assert found[-1] == utc(2026, 12, 17, 14)
    assert len(found) == 3
    assert occurrences(weekly(), FIRST, LONDON, utc(2026, 12, 17, 13, 59))[-1] == utc(
        2026, 12, 10, 14
    )


def test_a_first_session_after_the_horizon_gives_nothing() -> None:
    assert occurrences(weekly(), FIRST, LONDON, utc(2026, 12, 1)) == []


def test_never_more_than_104() -> None:
    found = occurrences(weekly(), FIRST, LONDON, FAR)
    assert len(found) == 104
    assert found[-1] == FIRST + timedelta(weeks=103)


def test_interval_spaces_the_sessions() -> None:
    found = occurrences(weekly(interval=3, count=4), FIRST, LONDON, FAR)
    assert [later - earlier for earlier, later in zip(found, found[1:], strict=False)] == [
        timedelta(weeks=3)
    ] * 3
    every_other_month = occurrences(monthly(interval=2, count=3), FIRST, LONDON, FAR)
    assert [moment.date() for moment in every_other_month] == [
        date(2026, 12, 3), date(2027, 2, 4), date(2027, 4, 1)
    ]  # fmt: skip


def test_a_first_session_off_the_rule_still_comes_first() -> None:
    second_thursday = local(2026, 12, 10, 14, 0)
    found = occurrences(monthly(count=3), second_thursday, LONDON, FAR)
    assert [moment.date() for moment in found] == [
        date(2026, 12, 10), date(2027, 1, 7), date(2027, 2, 4)
    ]  # fmt: skip


def test_first_given_in_utc_is_read_on_the_local_clock() -> None:
    first = utc(2027, 6, 3, 9)  # 10:00 BST
    found = occurrences(weekly(count=2), first, LONDON, FAR)
    assert found == [utc(2027, 6, 3, 9), utc(2027, 6, 10, 9)]


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2026, 1, 1), date(2035, 12, 31)),
    repeat=REPEATS,
)
def test_series_keep_their_local_time_and_weekday(start: date, repeat: Repeat) -> None:
    ahead = (repeat.weekday - start.weekday()) % 7
    first = datetime.combine(start + timedelta(days=ahead), datetime.min.time(), LONDON)
    first = first.replace(hour=10)
    assume(repeat.until is None or repeat.until >= first.date())
    found = occurrences(repeat, first, LONDON, FAR)
    assert found[0] == first
    assert 1 <= len(found) <= min(repeat.count or 104, 104)
    for moment in found:
        wall = moment.astimezone(LONDON)
        assert (wall.hour, wall.minute, wall.weekday()) == (10, 0, repeat.weekday)
