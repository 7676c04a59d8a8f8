"""Buttons whose command does not fit Discord's 100-character custom_id: a series cancellation
with a reason, the next page of a long search. The command waits behind a short id."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import re
from datetime import timedelta

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.domain.clock import FakeClock
from tests.adapters.conftest_discord import adapter, app, dc, schedule
from tests.fakes.fake_discord import Callback, FakeDiscord
from tests.helpers import met_the_welcome

SERIES = '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 20 Hall repeat="weekly x3"'
LONG_SEARCH = "trauma informed practice with children young people families carers wellbeing"


def button_ids(cb: Callback) -> list[str]:
    rows = (cb.data or {}).get("components") or []
    return [c["custom_id"] for row in rows for c in row.get("components") or []]


def button_labelled(cb: Callback, label: str) -> str:
    rows = (cb.data or {}).get("components") or []
    [found] = [
        c["custom_id"] for r in rows for c in r.get("components") or [] if c["label"] == label
    ]
    return str(found)


def still_on(app: App) -> int:
    return sum(1 for s in app.community.sessions.all() if not s.cancelled)


async def test_cancelling_a_series_without_a_reason_works_from_the_button(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc, SERIES)
    sid = min(s.id for s in app.community.sessions.all())  # the first of the series
    asked = await dc.invoke(
        dc.slash("cop-plan", "cancel-session", {"session": sid, "scope": "rest"})
    )
    [button] = button_ids(asked)
    assert still_on(app) == 3
    done = await dc.invoke(dc.button(button))
    assert "needs a" not in (done.data or {}).get("content", "")
    assert still_on(app) == 0


async def test_a_long_reason_still_gets_its_confirm_button_and_keeps_the_reason(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc, SERIES)
    sid = min(s.id for s in app.community.sessions.all())  # the first of the series
    reason = "The venue has closed for refurbishment until the spring, so sorry"
    assert len(reason) >= 63
    options = {"session": sid, "scope": "rest", "reason": reason}
    asked = await dc.invoke(dc.slash("cop-plan", "cancel-session", options))
    [button] = button_ids(asked)
    assert len(button) <= 100
    await dc.invoke(dc.button(button))
    assert {s.cancel_reason for s in app.community.sessions.all()} == {reason}


async def test_the_more_button_stays_for_a_long_search_and_shows_the_next_page(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    met_the_welcome(app.community, "discord", str(dc.user_id))
    first = await dc.invoke(dc.slash("cop", "resources", {"words": LONG_SEARCH}))
    more = button_labelled(first, app.community.messages("action.more"))
    assert len(more) <= 100
    second = await dc.invoke(dc.button(more))
    titles, earlier = card_titles(second), card_titles(first)
    assert titles and not set(titles) & set(earlier)


def card_titles(cb: Callback) -> list[str]:
    """The cards an answer shows: those in its text (bold titles), then those in embeds."""
    data = cb.data or {}
    shown = re.findall(r"\*\*(.+?)\*\*", data.get("content") or "")
    return shown + [e["title"] for e in data.get("embeds") or []]


async def test_a_held_button_kept_past_its_time_says_so_kindly_and_changes_nothing(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc, SERIES)
    sid = min(s.id for s in app.community.sessions.all())  # the first of the series
    options = {"session": sid, "scope": "rest", "reason": "x" * 80}
    asked = await dc.invoke(dc.slash("cop-plan", "cancel-session", options))
    [button] = button_ids(asked)
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(days=8))
    late = await dc.invoke(dc.button(button))
    assert app.community.messages("button.expired") in (late.data or {}).get("content", "")
    assert late.flags & 64
    assert still_on(app) == 3
