"""Series as typed: counts are honoured in full, far-off starts work, dates can be left out."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from bot.app import App
from tests.helpers import PLANNER, Run, ok, rows, schedule, scheduled


def series_starts(app: App, session: int) -> list[str]:
    """Local (London) dates of every session in `session`'s series, in order."""
    found = rows(
        app,
        "SELECT start_utc FROM sessions WHERE series_id ="
        " (SELECT series_id FROM sessions WHERE id = ?) ORDER BY start_utc",
        [session],
    )
    return [datetime.fromisoformat(r["start_utc"]).date().isoformat() for r in found]


def test_weekly_x40_makes_all_40_sessions(app: App, run: Run) -> None:
    reply = scheduled(run, '"Forty" 2026-12-03 10:00 weekly x40 Civic Hall')
    first = int(reply.items[0].key.removeprefix("session:"))
    starts = series_starts(app, first)
    assert len(starts) == 40
    assert (starts[0], starts[-1]) == ("2026-12-03", "2027-09-02")
    assert "40 sessions are in the calendar" in reply.text


def test_a_series_starting_more_than_26_weeks_ahead_is_scheduled(app: App, run: Run) -> None:
    # The test clock says 25 November 2026: 1 July 2027 is 31 weeks ahead.
    first = schedule(run, '"Later" 2027-07-01 10:00 weekly x3')
    assert series_starts(app, first) == ["2027-07-01", "2027-07-08", "2027-07-15"]


def test_an_open_ended_series_far_ahead_starts_with_its_first_session(app: App, run: Run) -> None:
    first = schedule(run, '"Later" 2027-07-01 10:00 weekly')
    assert series_starts(app, first) == ["2027-07-01"]


def test_an_open_ended_series_is_written_26_weeks_ahead(app: App, run: Run) -> None:
    first = schedule(run, '"Open" 2026-12-03 10:00 weekly')
    starts = series_starts(app, first)
    # 25 Nov 2026 + 26 weeks = 26 May 2027: Thursdays from 3 Dec to 20 May.
    assert (starts[0], starts[-1], len(starts)) == ("2026-12-03", "2027-05-20", 25)


def test_an_end_date_making_too_many_sessions_is_refused_kindly(app: App, run: Run) -> None:
    reply = run(PLANNER, 'schedule "Long" 2026-12-03 10:00 weekly until 2030-01-01')
    assert reply.error == "repeat.too_many"
    assert "104" in reply.text
    assert rows(app, "SELECT * FROM sessions") == []


@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        (
            "weekly x6 except 2026-12-24,2026-12-31",
            ["2026-12-03", "2026-12-10", "2026-12-17", "2027-01-07", "2027-01-14", "2027-01-21"],
        ),
        (
            "weekly x5 except 24/12, 31/12",
            ["2026-12-03", "2026-12-10", "2026-12-17", "2027-01-07", "2027-01-14"],
        ),
        (
            "weekly until 2027-03-04 except 2027-02-15..2027-02-19",
            [
                "2026-12-03",
                "2026-12-10",
                "2026-12-17",
                "2026-12-24",
                "2026-12-31",
                "2027-01-07",
                "2027-01-14",
                "2027-01-21",
                "2027-01-28",
                "2027-02-04",
                "2027-02-11",
                "2027-02-25",
                "2027-03-04",
            ],
        ),
    ],
)
def test_a_series_leaves_out_the_dates_after_except(
    app: App, run: Run, repeat: str, expected: list[str]
) -> None:
    first = schedule(run, f'"Circle" 2026-12-03 10:00 repeat="{repeat}" where="Civic Hall"')
    assert series_starts(app, first) == expected


def test_left_out_dates_are_shown_in_the_reply_and_the_announcement(app: App, run: Run) -> None:
    line = (
        '"Circle" 2026-12-03 10:00 weekly except 2026-12-24,2026-12-31'
        " and 2027-02-15..2027-02-19 Civic Hall"
    )
    said = "except 24 Dec 2026, 31 Dec 2026 and 15–19 Feb 2027"
    preview = ok(run(PLANNER, f"schedule {line}"))
    [card] = preview.items
    assert said in card.lines[0]  # the announcement's words, as the preview shows them
    assert "17 Dec 2026, 7 Jan 2027" in card.lines[-1]  # the dates themselves, without them
    reply = scheduled(run, line)
    assert said in reply.text
    announced = rows(app, "SELECT payload FROM deliveries WHERE kind = 'announcement'")
    assert len(announced) == 1
    assert said in json.loads(announced[0]["payload"])["text"]
    stored = rows(app, "SELECT skips FROM series")
    assert stored == [{"skips": "2026-12-24,2026-12-31,2027-02-15..2027-02-19"}]
    location = rows(app, "SELECT DISTINCT location FROM sessions")
    assert location == [{"location": "Civic Hall"}]


@pytest.mark.parametrize(
    ("repeat", "error"),
    [
        ("weekly except 2026-12-25", "repeat.except_off"),  # a Friday, not a Thursday
        ("weekly except 2026-12-03", "repeat.except_first"),
        ("weekly except 2026-12-01..2026-12-10", "repeat.except_first"),
        ("weekly except", "repeat.bad"),
        ("weekly except soon", "repeat.bad"),
        ("weekly except 2027-02-19..2027-02-15", "repeat.bad"),
        ("weekly except 2027-02-30", "repeat.bad"),
        ("weekly x3 except 2027-01-07", "repeat.except_off"),  # after the third session
    ],
)
def test_a_date_left_out_by_mistake_is_refused_and_nothing_is_scheduled(
    app: App, run: Run, repeat: str, error: str
) -> None:
    reply = run(PLANNER, f'schedule "Circle" 2026-12-03 10:00 repeat="{repeat}"')
    assert reply.error == error, reply.text
    assert rows(app, "SELECT * FROM sessions") == []


def test_skipped_dates_are_kept_as_written(app: App, run: Run) -> None:
    schedule(run, '"Circle" 2026-12-03 10:00 repeat="weekly except 24 Dec to 2 Jan"')
    assert rows(app, "SELECT skips FROM series")[0]["skips"] == "2026-12-24..2027-01-02"
    assert date(2027, 1, 2).isoformat() in rows(app, "SELECT skips FROM series")[0]["skips"]
