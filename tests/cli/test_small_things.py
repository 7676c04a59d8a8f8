"""Small things a member noticed: the card of a full session, one way to confirm, quiet
hours on the member's own clock, and notices held for quiet hours made visible."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.app import App, run_console
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from tests.helpers import PLANNER, Run, ok, rows, schedule


def card_lines(reply: Reply) -> list[str]:
    return [line for item in reply.items for line in item.lines]


def test_a_member_with_a_place_is_not_invited_to_join_the_waitlist(run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    ok(run("alice", f"signup {session}"))
    mine = card_lines(ok(run("alice", "mine")))
    assert "You have a place." in mine
    assert not any("sign up to be first" in line for line in mine)
    assert "Full · all 1 places taken" in mine or any("places taken" in line for line in mine)
    listed = card_lines(ok(run("alice", "sessions")))
    assert not any("sign up to be first" in line for line in listed)
    others = card_lines(ok(run("bob", "sessions")))
    assert "Full · sign up to be first on the waitlist" in others


def test_one_way_to_confirm_everywhere_and_the_old_words_still_work(app: App, run: Run) -> None:
    first = schedule(run, '"Circle" 3 Dec 14:00 weekly x3')
    asked = ok(run(PLANNER, f"cancel-session {first} scope=rest"))
    forget = ok(run("alice", "forget-me"))
    confirmations = [a.command for a in asked.actions + forget.actions]
    assert all("confirm=yes" in c.split() for c in confirmations), confirmations
    assert any(c.startswith("forget-me") for c in confirmations)

    ok(run("alice", "forget-me confirm=yes"))
    assert rows(app, "SELECT 1 FROM members WHERE display_name = 'alice'") == []
    ok(run("bob", "signup 1"))
    ok(run("bob", "forget-me confirm"))  # the words on buttons already posted
    assert rows(app, "SELECT 1 FROM members WHERE display_name = 'bob'") == []
    assert run("carol", "forget-me please").error == "error.choice"
    refusal = run("carol", "forget-me please").text
    assert "yes" in refusal and "confirm," not in refusal


def test_quiet_hours_are_shown_on_the_members_own_clock(run: Run) -> None:
    ok(run("ana", "timezone America/New_York"))
    lines = card_lines(ok(run("ana", "settings")))
    quiet = next(line for line in lines if line.startswith("Quiet hours"))
    # 18:00-08:00 in London, on 25 November, is 13:00-03:00 in New York.
    assert "between 13:00 and 03:00 (America/New_York)" in quiet
    london = card_lines(ok(run("leo", "settings")))
    assert any("between 18:00 and 08:00 (Europe/London)" in line for line in london)


async def test_a_notice_held_by_quiet_hours_is_listed_and_the_console_says_when(
    app: App, clock: FakeClock, run: Run
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run("alice", f"signup {session}"))
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=UTC))  # a Wednesday evening: quiet
    out = io.StringIO()
    await run_console(app, io.StringIO(f"edit {session} where=Library\nupcoming-posts\n"), out)
    text = out.getvalue()
    said = "[session change notice for alice: held for quiet hours, it will go Thu 26 Nov"
    assert said in text
    listing = text[text.index("organiser> upcoming-posts") :]
    assert "Written and waiting for quiet hours to end" in listing
    assert "session change notice for alice" in listing
    assert "[message for alice]" not in text


def test_upcoming_posts_lists_held_notices_on_every_front_end(
    app: App, clock: FakeClock, run: Run
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run("alice", f"signup {session}"))
    clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # a Saturday: quiet all day
    ok(run(PLANNER, f"edit {session} where=Library"))
    # Typed on the console or Slack, or chosen from Discord's menu (named options): one answer.
    for platform in ("console", "slack"):
        actor = Actor(platform, PLANNER, PLANNER, roles=("planning-group",))
        reply = ok(app.dispatcher.handle(actor, "upcoming-posts", {}))
        titles = [item.title for item in reply.items]
        assert "Written and waiting for quiet hours to end" in titles
        held = next(i for i in reply.items if i.title.startswith("Written"))
        assert held.lines == ("Mon 30 Nov 2026, 08:00: session change notice for alice",)
