"""The listing's answer is drawn for Slack once for everyone who reads the same page, and a
change to the calendar is in the very next answer.

`/cop sessions` hands members who share a zone and hold no place on the page one shared
reply (see `commands/sessions.py`); the Slack listener keeps what it drew of the last few
replies (`Drawn`), so the blocks are built once, not once a member. A signup makes a new
listing, hence new replies, hence a fresh drawing: nothing stale can be shown.
"""

from __future__ import annotations

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.blocks import Drawn
from bot.app import App
from bot.domain.context import Reply
from tests.adapters.conftest import add_session, cop
from tests.fakes.fake_slack import FakeSlack


def places_line(body: dict[str, object]) -> str:
    text = str(body["text"])
    return next(line for line in text.splitlines() if "places" in line)


async def test_members_reading_the_same_page_share_one_drawing(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    add_session(app, capacity=5)
    for user in ("U1", "U2", "U3"):
        await cop(slack, "sessions", user)  # first contact: each answer carries the welcome
    drawn = adapter.listeners.drawn
    before = drawn.misses

    answers = [await cop(slack, "sessions", user) for user in ("U1", "U2", "U3")]

    assert drawn.misses == before + 1
    assert answers[0] == answers[1] == answers[2]
    assert "5 of 5 places left" in places_line(answers[0])


async def test_a_signup_shows_in_the_next_answer_for_everyone(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app, capacity=5)
    for user in ("U1", "U2"):
        await cop(slack, "sessions", user)
    assert "5 of 5 places left" in places_line(await cop(slack, "sessions", "U2"))

    await cop(slack, f"signup {session}", "U1")

    assert "4 of 5 places left" in places_line(await cop(slack, "sessions", "U2"))
    mine = await cop(slack, "sessions", "U1")
    assert "4 of 5 places left" in places_line(mine) and "cancel" in str(mine["blocks"])


def test_a_reply_is_drawn_again_once_it_has_left_the_kept_few() -> None:
    drawn = Drawn(limit=2)
    first, second, third = Reply("one"), Reply("two"), Reply("three")
    for reply in (first, second, first, third, first):
        drawn.message(reply)
    assert drawn.misses == 3 and len(drawn) == 2  # `second` went: least recently used
    drawn.message(second)
    assert drawn.misses == 4
    shown = drawn.message(first)
    shown["response_type"] = "ephemeral"  # the caller's own field stays the caller's
    assert "response_type" not in drawn.message(first)
