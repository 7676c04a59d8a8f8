"""The console front end: a script piped through it tells the whole story, in order."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.console import clean, render
from bot.app import App, run_console
from bot.domain.clock import FakeClock
from bot.domain.context import Action, Item, Reply
from tests.helpers import build_app


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    """The console's own app, on the shipped defaults (not the Slack app this folder's
    other tests build)."""
    built = build_app(tmp_path, clock)
    yield built
    built.close()


STORY = """\
# a planner schedules a small session, three members want it
/cop schedule "Reflective practice circle" 3 Dec 14:00 capacity=2 where="Civic Hall"
/cop schedule-confirm
/as alice
/cop signup 1
/as bob
signup 1
/as carol
signup 1
/as alice
cancel 1
/as carol
mine
calendar
/as organiser
attendees 1
/bogus
"""


async def test_a_piped_script_tells_the_whole_story(app: App, tmp_path: Path) -> None:
    out = io.StringIO()
    await run_console(app, io.StringIO(STORY), out)
    text = out.getvalue()
    assert text.startswith("copbot console for the Compassionate Leeds")

    def after(marker: str, start: int) -> int:
        found = text.find(marker, start)
        assert found >= 0, f"{marker!r} missing after position {start}:\n{text[start:]}"
        return found

    at = after('organiser> /cop schedule "Reflective practice circle"', 0)
    at = after("Here is exactly what will be posted", at)
    at = after("Thu 3 Dec 2026, 14:00", at)
    at = after("[Schedule it: /cop schedule-confirm ", at)
    at = after("[Change: /cop schedule-change ", at)
    assert "[posted in #cop-announcements]" not in text[:at]  # nothing posted before the yes
    at = after("organiser> /cop schedule-confirm", at)
    at = after("Scheduled #1 Reflective practice circle", at)
    after("[posted in #cop-announcements]", at)
    at = after('You are now "alice" (member).', at)
    at = after("You're signed up for #1 Reflective practice circle", at)
    at = after("bob> signup 1", at)
    at = after("You're signed up", at)
    at = after("carol> signup 1", at)
    at = after("you're number 1 on the waitlist", at)
    at = after("alice> cancel 1", at)
    at = after("Your place at #1 Reflective practice circle has been cancelled", at)
    at = after("[message for carol]", at)
    at = after("Good news: a place has opened up at #1 Reflective practice circle", at)
    at = after("carol> mine", at)
    at = after("Your upcoming sessions (1):", at)
    at = after("You have a place.", at)
    at = after("carol> calendar", at)
    at = after(f"(saved {tmp_path / 'exports'}/", at)
    assert text[at:].startswith(f"(saved {carol_folder(tmp_path)}/copbot.ics)")
    at = after('You are now "organiser" (planning group).', at)
    at = after("#1 Reflective practice circle: 2 confirmed, 0 waiting.", at)
    attendees = text[at : after("(saved", at)]
    assert "bob" in attendees and "carol" in attendees and "alice" not in attendees
    at = after("organiser> /bogus", at)
    after("Commands start with /cop", at)
    assert text.count("[message for carol]") == 1
    assert "[message for alice]" not in text and "[message for bob]" not in text
    calendar = carol_folder(tmp_path) / "copbot.ics"
    assert calendar.read_bytes().startswith(b"BEGIN:VCALENDAR")
    [attendees_csv] = (tmp_path / "exports").glob("*-organiser/attendees-1.csv")
    assert attendees_csv.read_text(encoding="utf-8").startswith("session,")
    assert "Traceback" not in text and "went wrong" not in text


def carol_folder(tmp_path: Path) -> Path:
    """Each member's files have their own folder, numbered, so erasing them is exact."""
    [folder] = (tmp_path / "exports").glob("*-carol")
    return folder


async def test_quit_stops_reading(app: App) -> None:
    out = io.StringIO()
    await run_console(app, io.StringIO("/cop help\n/quit\n/cop sessions\n"), out)
    text = out.getvalue()
    assert "Here is what you can ask me" in text
    assert "> /cop sessions" not in text


async def test_end_of_input_with_nothing_typed_exits_cleanly(app: App) -> None:
    out = io.StringIO()
    await run_console(app, io.StringIO(""), out)
    assert out.getvalue().count("\n") <= 2 and "copbot console" in out.getvalue()


def test_render_shows_member_text_plainly_without_terminal_escapes() -> None:
    reply = Reply(
        "@everyone <!channel> hello\x1b[2J",
        items=(
            Item("#1 <@U123> title\x07", ("line\x1b]0;x\x07",), (Action("Sign up", "signup 1"),)),
        ),
        footer="foot",
    )
    shown = render(reply)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.splitlines() == [
        "@everyone <!channel> hello[2J",
        "  #1 <@U123> title",
        "     line]0;x",
        "     [Sign up: /cop signup 1]",
        "foot",
    ]
    assert clean("a\nb\tc\x00") == "a\nbc"
