"""Typed `schedule` does exactly what was typed: a word that looks like a length, a number of
places, an objective or a repeat but cannot be used is refused with what is allowed, and never
slips into the place; dates that have passed or do not exist say so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from bot.domain.recurrence import MAX_COUNT
from tests.helpers import PLANNER, Run, rows, snapshot

DAY = "2026-12-03 14:00"

# (what follows the date, the error, words the reply must contain: the allowed range)
REFUSED = [
    ("60m CONNECT 0 Hall", "error.capacity", ["1 to 10000"]),
    ("60m CONNECT -5 Hall", "error.capacity", ["1 to 10000"]),
    ("60m CONNECT 1e9 Hall", "error.capacity", ["1 to 10000"]),
    ("60m CONNECT 10001 Hall", "error.capacity", ["1 to 10000"]),
    ("0 Hall", "error.capacity", ["1 to 10000"]),
    ("2.5 Hall", "error.capacity", ["1 to 10000"]),
    ("5m CONNECT 5 Hall", "duration.bad", ["10 minutes", "12 hours"]),
    ("0m Hall", "duration.bad", ["10 minutes", "12 hours"]),
    ("13h Hall", "duration.bad", ["10 minutes", "12 hours"]),
    ("5 minutes Hall", "duration.bad", ["10 minutes", "12 hours"]),
    ("60m CONECT Hall", "objective.bad", ["DEVELOP", "CONNECT", "INFLUENCE"]),
    ("weekly x-1 Hall", "repeat.count", [f"1 to {MAX_COUNT}"]),
    ("weekly x0 Hall", "repeat.count", [f"1 to {MAX_COUNT}"]),
    ("weekly x999 Hall", "repeat.count", [f"1 to {MAX_COUNT}"]),
    ("every 0 weeks Hall", "repeat.interval", ["1 to 8 weeks", "1 to 12 months"]),
    ("every 9 weeks Hall", "repeat.interval", ["1 to 8 weeks", "1 to 12 months"]),
    ("every 13 months Hall", "repeat.interval", ["1 to 8 weeks", "1 to 12 months"]),
]


def sessions_made(app: App) -> int:
    return int(rows(app, "SELECT count(*) AS n FROM sessions")[0]["n"])


@pytest.mark.parametrize(("typed", "key", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_word_out_of_range_is_refused_with_the_range_and_never_becomes_the_place(
    app: App, run: Run, typed: str, key: str, says: list[str]
) -> None:
    run(PLANNER, "help")  # the planner is known before the snapshot
    before = snapshot(app)
    reply = run(PLANNER, f'schedule "Circle" {DAY} {typed}')
    assert reply.error == key, reply.text
    assert reply.private
    for words in says:
        assert words in reply.text
    assert snapshot(app) == before


def test_a_fifth_weekday_is_refused_with_the_weekdays_a_month_has(app: App, run: Run) -> None:
    # 29 January 2027 is the fifth Friday of its month.
    reply = run(PLANNER, 'schedule "Circle" 2027-01-29 14:00 fifth friday Hall')
    assert reply.error == "repeat.nth", reply.text
    assert "first, second, third, fourth or last" in reply.text
    assert sessions_made(app) == 0


@pytest.mark.parametrize(
    "place", ["First floor, Civic Hall", "3rd floor", "Every Voice Centre", "Connect Centre"]
)
def test_ordinary_places_that_start_with_such_words_are_still_places(
    app: App, run: Run, place: str
) -> None:
    reply = run(PLANNER, f'schedule "Circle" {DAY} 60m DEVELOP {place}')
    assert not reply.error, reply.text
    assert place in "\n".join(line for item in reply.items for line in item.lines)


def on(app: App, moment: datetime) -> None:
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    clock.set(moment)


@pytest.mark.parametrize(
    "when", ["3 Dec 14:00", "3/12 14:00", "Thu 3 Dec 2pm", "3rd December 14:00"]
)
def test_a_date_without_a_year_that_has_passed_is_not_moved_to_next_year(
    app: App, run: Run, when: str
) -> None:
    on(app, datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    reply = run(PLANNER, f'schedule "Circle" {when} Civic Hall')
    assert reply.error == "when.past_this_year", reply.text
    assert "3 Dec 2026" in reply.text and "3 Dec 2027" in reply.text
    assert sessions_made(app) == 0


def test_a_date_early_next_year_still_needs_no_year_in_december(app: App, run: Run) -> None:
    on(app, datetime(2026, 12, 20, 10, 0, tzinfo=UTC))
    reply = run(PLANNER, 'schedule "Circle" 5 Jan 10:00 Civic Hall')
    assert not reply.error, reply.text
    assert "5 Jan 2027" in "\n".join(line for item in reply.items for line in item.lines)


@pytest.mark.parametrize(
    ("when", "key"),
    [
        ("2026-11-24 14:00 60m CONNECT Civic Hall", "when.past"),
        ("2026-11-24 14:00 Civic Hall", "when.past"),
        ("yesterday 14:00", "when.past"),
        ("yesterday 14:00 60m Civic Hall", "when.past"),
        ("today 8am 60m Civic Hall", "when.past"),
        ("2027-03-28 01:30 60m CONNECT Civic Hall", "when.nonexistent"),
        ("28 Mar 2027 01:30 Civic Hall", "when.nonexistent"),
    ],
)
def test_a_past_or_missing_time_followed_by_more_words_says_why(
    app: App, run: Run, when: str, key: str
) -> None:
    reply = run(PLANNER, f'schedule "Circle" {when}')
    assert reply.error == key, reply.text
    assert sessions_made(app) == 0


HIDDEN = ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\x07"]


@pytest.mark.parametrize("char", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
@pytest.mark.parametrize("field", ["title", "where", "when"])
def test_hidden_characters_are_refused_in_named_options_too(
    app: App, char: str, field: str
) -> None:
    """Discord's options and both forms arrive named, not typed: the same rule applies."""
    options = {"title": "Circle", "when": DAY, "where": "Civic Hall"}
    options[field] = options[field][:3] + char + options[field][3:]
    planner = Actor("console", PLANNER, PLANNER)
    reply = app.dispatcher.handle(planner, "schedule", options)
    assert reply.error == "error.control", reply.text
    assert sessions_made(app) == 0


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f"])
def test_text_direction_characters_are_refused_when_typed(app: App, run: Run, char: str) -> None:
    reply = run(PLANNER, f'schedule "Cir{char}cle" {DAY}')
    assert reply.error == "error.control", reply.text


@pytest.mark.parametrize(
    ("typed", "split"),
    [
        ("12 Civic Hall", ("12", "Civic Hall")),
        ("-5 Hall", ("-5", "Hall")),
        ("1e9 Hall", ("1e9", "Hall")),
        ("none Online", ("none", "Online")),
        ("Civic Hall", ("", "Civic Hall")),
    ],
)
def test_the_discord_form_reads_places_the_way_the_typed_command_does(
    typed: str, split: tuple[str, str]
) -> None:
    from bot.adapters.discord_.modal import split_place

    assert split_place(typed) == split
