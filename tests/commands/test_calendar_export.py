"""The calendar file and the attendee list: what other programs will read."""

from __future__ import annotations

import csv
import io

from icalendar import Calendar

from bot.app import App
from bot.calendar.attendees import COLUMNS
from tests.helpers import PLANNER, Run, ok, schedule


def events(content: bytes) -> list:
    return [c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT"]


def test_the_calendar_has_one_event_per_session(app: App, run: Run) -> None:
    kept = schedule(run, '"Circle" 3 Dec 14:00 where="Civic Hall"')
    dropped = schedule(run, '"Walk and talk" 2027-06-10 11:00 2h where=Park')
    ok(run(PLANNER, f"cancel-session {dropped} Rain"))
    reply = ok(run("ann", "calendar"))
    assert reply.attachment is not None
    assert reply.attachment.mimetype == "text/calendar"
    assert reply.attachment.filename.endswith(".ics")
    calendar = Calendar.from_ical(reply.attachment.content)
    zones = [c for c in calendar.walk() if c.name == "VTIMEZONE"]
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]
    found = {str(e["UID"]): e for e in events(reply.attachment.content)}
    assert len(found) == 2
    first = next(e for e in found.values() if "Circle" in str(e["SUMMARY"]))
    second = next(e for e in found.values() if "Walk" in str(e["SUMMARY"]))
    for event in (first, second):
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event["DTEND"].params["TZID"] == "Europe/London"
    assert first["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == "2026-12-03 14:00"
    assert first["DTEND"].dt.strftime("%H:%M") == "15:30"
    assert second["DTSTART"].dt.strftime("%Y-%m-%d %H:%M %Z") == "2027-06-10 11:00 BST"
    assert second["DTEND"].dt.strftime("%H:%M") == "13:00"
    assert (str(first["LOCATION"]), str(second["LOCATION"])) == ("Civic Hall", "Park")
    assert (str(first["STATUS"]), str(second["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert str(first["UID"]) != str(second["UID"]) and str(first["UID"]).startswith(
        f"session-{kept}"
    )


def test_my_calendar_holds_only_my_sessions(app: App, run: Run) -> None:
    mine = schedule(run, '"Circle" 3 Dec 14:00')
    schedule(run, '"Walk and talk" 4 Dec 11:00')
    ok(run("ann", f"signup {mine}"))
    reply = ok(run("ann", "calendar mine"))
    assert reply.attachment is not None
    found = events(reply.attachment.content)
    assert [str(e["UID"]) for e in found] == [f"session-{mine}@copbot"]


def test_attendees_come_as_a_csv(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    ok(run("ann", f"signup {session}"))
    ok(run('=HYPERLINK("http://evil.example","click")', f"signup {session}"))
    ok(run("+cmd|' /C calc'!A0", f"signup {session}"))
    reply = ok(run(PLANNER, f"attendees {session}"))
    assert "1 confirmed, 2 waiting" in reply.text
    assert reply.items[0].lines[0] == "ann"
    assert reply.attachment is not None and reply.attachment.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(reply.attachment.content.decode("utf-8"))))
    assert tuple(table[0]) == COLUMNS
    body = [dict(zip(COLUMNS, row, strict=True)) for row in table[1:]]
    assert [(r["status"], r["waitlist_position"]) for r in body] == [
        ("confirmed", ""),
        ("waitlisted", "1"),
        ("waitlisted", "2"),
    ]
    assert body[0]["name"] == "ann" and body[0]["title"] == "Circle"
    assert body[0]["starts"] == "Thu 3 Dec 2026, 14:00"
    assert body[1]["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert body[2]["name"].startswith("'+cmd")
    assert not any(cell[:1] in "=+-@" for row in table[1:] for cell in row if cell)
