"""Suggestion to pick, end to end, as the planning group would rehearse it on the console."""

from __future__ import annotations

import io
from collections.abc import Callable

from bot.app import App, run_console

STORY = """\
/as alice
/cop suggest https://example.net/wombats DEVELOP Wombat wisdom for reflective teams
/as bob
/cop suggest https://example.net/quolls CONNECT Quoll circles across services
/cop resources wombat
/as organiser
/cop review
/cop approve s1
/cop approve s2
/as bob
/cop resources wombat
/clock 2026-11-25 12:30
/clock 2026-12-02 12:30
"""


def reader(text: str) -> Callable[[str, int], int]:
    """`after(marker, start)`: where `marker` next appears, failing if it does not."""

    def after(marker: str, start: int) -> int:
        found = text.find(marker, start)
        assert found >= 0, f"{marker!r} missing after position {start}:\n{text[start:]}"
        return found

    return after


async def test_a_suggestion_is_reviewed_approved_and_posted_as_the_pick(app: App) -> None:
    out = io.StringIO()
    await run_console(app, io.StringIO(STORY), out)
    text = out.getvalue()
    after = reader(text)

    at = after("alice> /cop suggest https://example.net/wombats DEVELOP", 0)
    at = after("Thank you for suggesting Wombat wisdom for reflective teams [s1]", at)
    at = after("bob> /cop resources wombat", at)
    at = after('I couldn\'t find a resource matching "wombat"', at)
    at = after("organiser> /cop review", at)
    at = after("2 suggestion(s) waiting", at)
    at = after("Wombat wisdom for reflective teams [s1]", at)
    at = after("[Approve: /cop approve s1]", at)
    at = after("[Reject: /cop reject s1]", at)
    at = after("organiser> /cop approve s1", at)
    at = after("Approved [s1] Wombat wisdom for reflective teams", at)
    at = after("[message for alice]", at)
    at = after("Good news: your suggestion Wombat wisdom for reflective teams has been added", at)
    at = after("organiser> /cop approve s2", at)
    at = after("[message for bob]", at)
    at = after("bob> /cop resources wombat", at)
    at = after("Wombat wisdom for reflective teams [s1]", at)
    at = after("https://example.net/wombats", at)

    # This Wednesday at 12:30 is DEVELOP's turn: the new DEVELOP suggestion goes first.
    at = after("bob> /clock 2026-11-25 12:30", at)
    at = after("[posted in #cop-announcements]", at)
    at = after("This week's DEVELOP resource: Wombat wisdom for reflective teams (document).", at)
    at = after("https://example.net/wombats", at)
    at = after("(The simulated clock now reads", at)
    # A week later it is CONNECT's turn, and bob's suggestion goes first there.
    at = after("bob> /clock 2026-12-02 12:30", at)
    at = after("This week's CONNECT resource: Quoll circles across services (document).", at)

    assert text.count("This week's DEVELOP resource") == 1
    assert text.count("This week's CONNECT resource") == 1
    assert text.count("[message for alice]") == 1 and text.count("[message for bob]") == 1
    assert "Traceback" not in text and "went wrong" not in text
    history = app.community.posted.history("pick")
    assert history == [("2026-11-25", "s1"), ("2026-12-02", "s2")]
