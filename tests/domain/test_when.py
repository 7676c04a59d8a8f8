"""Reading session times and durations, and showing them back to members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.domain.when import format_day, format_local, format_time, parse_duration, parse_when

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, midday (GMT, so UTC and London agree).
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def error_from(text: str, now: datetime = NOW) -> BadInput:
    with pytest.raises(BadInput) as caught:
        parse_when(text, now, LONDON)
    return caught.value


# --- accepted forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 14:00", local(2026, 12, 3, 14, 0)),
        ("2026-12-03T14:00", local(2026, 12, 3, 14, 0)),
        ("2026-12-03T14:00:00", local(2026, 12, 3, 14, 0)),
        ("3 Dec 14:00", local(2026, 12, 3, 14, 0)),
        ("3 December 2026 2pm", local(2026, 12, 3, 14, 0)),
        ("Thursday 2pm", local(2026, 12, 3, 14, 0)),
        ("next Thursday 2pm", local(2026, 12, 3, 14, 0)),
        ("next thursday 14:00", local(2026, 12, 3, 14, 0)),
        ("tomorrow 10:00", local(2026, 12, 1, 10, 0)),
        ("today 16:30", local(2026, 11, 30, 16, 30)),
        ("3/12 14:00", local(2026, 12, 3, 14, 0)),
        ("14:00 3 Dec", local(2026, 12, 3, 14, 0)),
        ("3/12/2026 14:00", local(2026, 12, 3, 14, 0)),
        ("3/12/26 9:15", local(2026, 12, 3, 9, 15)),
        ("December 3 14:00", local(2026, 12, 3, 14, 0)),
        ("3rd of December at 2pm", local(2026, 12, 3, 14, 0)),
        ("Thu 3 Dec, 2:30 p.m.", local(2026, 12, 3, 14, 30)),
        ("thurs 3 dec 2 pm", local(2026, 12, 3, 14, 0)),
        ("14.00 3 dec", local(2026, 12, 3, 14, 0)),
        ("noon tomorrow", local(2026, 12, 1, 12, 0)),
        ("tomorrow 12am", local(2026, 12, 1, 0, 0)),
        ("tomorrow 12pm", local(2026, 12, 1, 12, 0)),
        ("  TOMORROW   10:00  ", local(2026, 12, 1, 10, 0)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    result = parse_when(text, NOW, LONDON)
    assert result == expected
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert result.tzinfo == LONDON


def test_summer_time_is_read_on_the_local_clock() -> None:
    result = parse_when("2027-06-03 14:00", NOW, LONDON)
    assert result.utcoffset() == timedelta(hours=1)
    assert result.astimezone(UTC) == datetime(2027, 6, 3, 13, 0, tzinfo=UTC)


def test_other_zones_read_their_own_wall_clock() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    result = parse_when("3 Dec 14:00", NOW, tokyo)
    assert result.astimezone(UTC) == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


# --- weekdays --------------------------------------------------------------------------------


def test_a_weekday_can_mean_later_today() -> None:
    assert parse_when("Monday 14:00", NOW, LONDON) == local(2026, 11, 30, 14, 0)
    assert parse_when("this monday 14:00", NOW, LONDON) == local(2026, 11, 30, 14, 0)


def test_a_weekday_whose_time_has_gone_today_means_next_week() -> None:
    assert parse_when("Monday 11:00", NOW, LONDON) == local(2026, 12, 7, 11, 0)


def test_next_weekday_never_means_today() -> None:
    assert parse_when("next Monday 14:00", NOW, LONDON) == local(2026, 12, 7, 14, 0)
    assert parse_when("next Tuesday 09:00", NOW, LONDON) == local(2026, 12, 1, 9, 0)
    assert parse_when("next sun 09:00", NOW, LONDON) == local(2026, 12, 6, 9, 0)


def test_weekday_uses_the_local_date_not_the_utc_date() -> None:
    # 23:30 UTC on Sunday 31 May 2026 is already Monday 1 June in London (BST).
    late = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert parse_when("today 10:00", late, LONDON) == local(2026, 6, 1, 10, 0)
    assert parse_when("tuesday 10:00", late, LONDON) == local(2026, 6, 2, 10, 0)


# --- dates without a year --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1 Nov 10:00", "29/11 10:00", "Sun 29 Nov 10:00"])
def test_date_without_year_already_gone_is_refused_not_moved_a_year(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_when(text, NOW, LONDON)
    assert caught.value.key == "when.past_this_year"
    assert caught.value.fields["next_year"] in ("1 Nov 2027", "29 Nov 2027")


def test_date_without_year_nearer_next_year_means_next_year() -> None:
    december = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    assert parse_when("5 Jan 10:00", december, LONDON) == local(2027, 1, 5, 10, 0)
    assert parse_when("2/1 10:00", december, LONDON) == local(2027, 1, 2, 10, 0)


def test_yesterday_is_read_so_it_can_be_said_to_have_passed() -> None:
    with pytest.raises(BadInput) as caught:
        parse_when("yesterday 14:00", NOW, LONDON)
    assert caught.value.key == "when.past"


def test_date_without_year_still_ahead_means_this_year() -> None:
    assert parse_when("1 Dec 10:00", NOW, LONDON) == local(2026, 12, 1, 10, 0)
    assert parse_when("30 Nov 14:00", NOW, LONDON) == local(2026, 11, 30, 14, 0)


def test_todays_date_without_year_but_earlier_time_is_past_not_next_year() -> None:
    error = error_from("30 Nov 11:00")
    assert error.key == "when.past"
    assert error.fields == {"when": "Mon 30 Nov 2026, 11:00"}


def test_29_february_without_year_finds_the_next_leap_year() -> None:
    assert parse_when("29 Feb 10:00", NOW, LONDON) == local(2028, 2, 29, 10, 0)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "14:00",
        "3 Dec",
        "Thursday",
        "tomorrow",
        "14:00 15:00 3 Dec",
        "Fri 3 Dec 14:00",
        "3 Smarch 14:00",
        "3 Dec 26 14:00",
        "next 14:00",
        "2026-12-03 14:00Z",
        "3 Dec 14:00" + " please" * 40,
    ],
)
def test_unreadable(text: str) -> None:
    error = error_from(text)
    assert error.key == "when.unreadable"
    assert error.fields == {"text": text}


@pytest.mark.parametrize(
    "text",
    [
        "31 Feb 10:00",
        "2027-02-29 10:00",
        "30/2 10:00",
        "32/12 14:00",
        "0/12 14:00",
        "3/13 14:00",
        "2026-00-10 10:00",
        "25:00 3 Dec",
        "24:00 3 Dec",
        "3 Dec 14:60",
        "13pm 3 Dec",
        "0am 3 Dec",
        "14:00pm 3 Dec",
        "0000-01-01 10:00",
    ],
)
def test_impossible(text: str) -> None:
    error = error_from(text)
    assert error.key == "when.impossible"
    assert error.fields == {"text": text}


@pytest.mark.parametrize("text", ["2027-03-28 01:30", "28 Mar 2027 1:00am", "28/3/2027 01:59"])
def test_times_skipped_when_clocks_go_forward_do_not_exist(text: str) -> None:
    error = error_from(text)
    assert error.key == "when.nonexistent"
    assert error.fields == {"text": text}


def test_the_first_minute_after_clocks_go_forward_exists() -> None:
    result = parse_when("2027-03-28 02:00", NOW, LONDON)
    assert result.astimezone(UTC) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2027-10-31 01:30", "2027-10-31 01:00", "31 Oct 2027 1:59"])
def test_a_time_the_clocks_go_back_over_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_when(text, NOW, LONDON)
    assert caught.value.key == "when.ambiguous"
    assert caught.value.fields["day"] == "31 Oct 2027"


@pytest.mark.parametrize(("text", "utc_hour"), [("2027-10-31 00:59", 23), ("2027-10-31 02:00", 2)])
def test_either_side_of_the_repeated_hour_is_fine(text: str, utc_hour: int) -> None:
    assert parse_when(text, NOW, LONDON).astimezone(UTC).hour == utc_hour


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2025-01-01 10:00", "Wed 1 Jan 2025, 10:00"),
        ("today 09:00", "Mon 30 Nov 2026, 09:00"),
        ("today 12:00", "Mon 30 Nov 2026, 12:00"),
        ("3 December 2025 2pm", "Wed 3 Dec 2025, 14:00"),
    ],
)
def test_past(text: str, shown: str) -> None:
    error = error_from(text)
    assert error.key == "when.past"
    assert error.fields == {"when": shown}


def test_past_is_shown_in_summer_time_when_it_applied() -> None:
    error = error_from("2026-07-01 10:00")
    assert error.fields == {"when": "Wed 1 Jul 2026, 10:00"}


def test_one_minute_ahead_is_not_past() -> None:
    assert parse_when("today 12:01", NOW, LONDON) == local(2026, 11, 30, 12, 1)


# --- fuzzing ---------------------------------------------------------------------------------

WORDS = [
    "3", "31", "29", "0", "12", "dec", "december", "feb", "thu", "thursday", "next", "this",
    "today", "tomorrow", "2026", "2027", "0000", "9999", "14:00", "25:00", "01:30", "2pm",
    "12am", "13pm", "noon", "3/12", "31/2", "3/12/26", "2027-03-28", "2027-10-31", "9999-12-31",
    "0001-01-01", "at", "on", "the", "of", "t", ",", "p.m.", "1st",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=60), st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join)
    ),
    now=st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from([LONDON, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")]),
)
def test_any_text_gives_a_future_time_or_bad_input(
    text: str, now: datetime, zone: ZoneInfo
) -> None:
    try:
        result = parse_when(text, now, zone)
    except BadInput as error:
        assert error.key.startswith("when.")
        assert all(isinstance(value, str) for value in error.fields.values())
    else:
        assert result.tzinfo == zone
        assert result > now


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("90m", 90),
        ("90min", 90),
        ("90 mins", 90),
        ("1h", 60),
        ("1h30", 90),
        ("1h30m", 90),
        ("1 hour 30 minutes", 90),
        ("1:30", 90),
        ("0:45", 45),
        ("2 hours", 120),
        ("1.5h", 90),
        ("1.1h", 66),
        ("  2H ", 120),
        ("10", 10),
        ("12h", 720),
        ("720", 720),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "9",
        "9m",
        "0",
        "-30",
        "721",
        "12h1",
        "13h",
        "1.33h",
        "1:75",
        "1h30x",
        "h",
        "m",
        "1.5",
        "1:30:00",
        "90 seconds",
        "9" * 50,
        "１２０",
    ],
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_duration(text)
    assert caught.value.key == "duration.bad"
    assert caught.value.fields == {"text": text}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.from_regex(r"[0-9.: hminrsu]{1,12}", fullmatch=True)))
def test_any_duration_text_gives_a_sane_length_or_bad_input(text: str) -> None:
    try:
        length = parse_duration(text)
    except BadInput as error:
        assert error.key == "duration.bad"
        assert all(isinstance(value, str) for value in error.fields.values())
    else:
        assert timedelta(minutes=10) <= length <= timedelta(hours=12)
        assert length.total_seconds() % 60 == 0


# --- formatting ------------------------------------------------------------------------------


def test_format_local_in_winter() -> None:
    moment = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert format_local(moment, LONDON) == "Thu 3 Dec 2026, 14:00"


def test_format_local_in_summer_shows_the_local_hour() -> None:
    moment = datetime(2027, 6, 3, 8, 5, tzinfo=UTC)
    assert format_local(moment, LONDON) == "Thu 3 Jun 2027, 09:05"
    assert format_time(moment, LONDON) == "09:05"


def test_format_local_with_two_digit_day() -> None:
    moment = datetime(2027, 1, 17, 18, 45, tzinfo=UTC)
    assert format_local(moment, LONDON) == "Sun 17 Jan 2027, 18:45"


def test_format_time_converts_to_the_zone() -> None:
    assert format_time(datetime(2026, 12, 3, 14, 0, tzinfo=UTC), ZoneInfo("Asia/Tokyo")) == "23:00"


def test_format_day() -> None:
    assert format_day(datetime(2027, 3, 1).date()) == "1 Mar 2027"


def test_formatting_a_naive_moment_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        format_local(datetime(2026, 12, 3, 14, 0), LONDON)
