"""Clock changes as organisers and members meet them: the hour that happens twice is refused
kindly, and a session the clocks change during shows its true length, in chat and in .ics."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from bot.app import App
from tests.helpers import PLANNER, Run, ok, rows, schedule, scheduled


def ics_events(run: Run) -> dict[str, object]:
    reply = ok(run("ann", "calendar"))
    assert reply.attachment is not None
    found = Calendar.from_ical(reply.attachment.content).walk("VEVENT")
    return {str(event["SUMMARY"]).split(" (")[0]: event for event in found}


@pytest.mark.parametrize(
    "when", ["2027-10-31 01:30", '"31 Oct 2027 1am" duration=60m', "2027-10-31 01:59 repeat=weekly"]
)
def test_the_repeated_autumn_hour_is_refused_kindly_and_nothing_is_stored(
    app: App, run: Run, when: str
) -> None:
    reply = run(PLANNER, f'schedule "Night circle" {when}')
    assert reply.error == "when.ambiguous"
    assert "happens twice on 31 Oct 2027" in reply.text
    assert "clocks go back" in reply.text
    for table in ("sessions", "series", "deliveries"):
        assert rows(app, f"SELECT * FROM {table}") == []


def test_moving_a_session_into_the_repeated_hour_is_refused_too(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 2027-10-30 10:00 60m')
    reply = run(PLANNER, f'edit {session} when="2027-10-31 01:30"')
    assert reply.error == "when.ambiguous"
    assert rows(app, "SELECT start_utc FROM sessions")[0]["start_utc"].startswith("2027-10-30")


@pytest.mark.parametrize(
    ("when", "length", "shown"),
    [
        # Autumn: 00:30 BST for two hours ends at 01:30 GMT.
        ("2027-10-31 00:30", "2h", "00:30–01:30 (Europe/London), 2 hours: the clocks go back"),
        # Spring: 00:30 GMT for an hour and a half ends at 03:00 BST.
        (
            "2027-03-28 00:30",
            "90m",
            "00:30–03:00 (Europe/London), 1 hour and 30 minutes: the clocks go forward",
        ),
    ],
)
def test_a_session_across_a_change_says_its_true_length(
    app: App, run: Run, when: str, length: str, shown: str
) -> None:
    preview = ok(run(PLANNER, f'schedule "Night circle" {when} {length}'))
    assert shown in "\n".join(preview.items[0].lines)
    reply = scheduled(run, f'"Night circle" {when} {length}')
    card = "\n".join(reply.items[0].lines)
    assert shown in card
    listed = "\n".join(line for item in ok(run("ann", "sessions")).items for line in item.lines)
    assert shown in listed


def test_an_ordinary_session_is_shown_as_before(app: App, run: Run) -> None:
    reply = ok(run(PLANNER, 'schedule "Circle" 2027-10-30 23:30 2h'))
    card = "\n".join(reply.items[0].lines)
    assert "Sat 30 Oct 2027, 23:30–01:30 (Europe/London)" in card
    assert "clocks" not in card


@pytest.mark.parametrize(
    ("when", "length", "minutes"),
    [
        ("2027-10-31 00:30", "2h", 120),
        ("2027-10-30 23:45", "2h", 120),
        ("2027-03-28 00:30", "90m", 90),
    ],
)
def test_the_calendar_file_keeps_the_true_length_across_a_change(
    app: App, run: Run, when: str, length: str, minutes: int
) -> None:
    schedule(run, f'"Night circle" {when} {length}')
    event = ics_events(run)["Night circle"]
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=minutes)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
