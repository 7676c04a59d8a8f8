"""A listing page shared by many members is drawn into Discord's JSON once, kept by the
identity of its reply: a change to the calendar makes a new reply, so nothing stale is sent,
and a reply whose buttons hold expiring short ids is never kept."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.discord_ import answer as drawing
from bot.adapters.discord_.answer import KeptAnswers, answer_payload
from bot.app import App
from bot.domain.context import Action, Reply
from tests.adapters.conftest_discord import adapter, app, dc, schedule
from tests.fakes.fake_discord import FakeDiscord


def counting(monkeypatch: pytest.MonkeyPatch) -> list[Reply]:
    """Every reply drawn into a payload, in order."""
    drawn: list[Reply] = []
    original = drawing.answer_payload

    def counted(reply: Reply, *, ephemeral: bool) -> dict[str, Any]:
        drawn.append(reply)
        return original(reply, ephemeral=ephemeral)

    monkeypatch.setattr(drawing, "answer_payload", counted)
    return drawn


async def test_a_listing_two_members_share_is_drawn_once_and_a_change_draws_it_anew(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = schedule(app, dc)
    first, second = dc.add_user("ann"), dc.add_user("bo")
    for who in (first, second):  # each is registered by their first command
        await dc.invoke(dc.slash("cop", "sessions", user_id=who))
    drawn = counting(monkeypatch)

    ann = await dc.invoke(dc.slash("cop", "sessions", user_id=first))
    bo = await dc.invoke(dc.slash("cop", "sessions", user_id=second))
    assert ann.data == bo.data and "Circle" in ann.data["content"]
    assert len(drawn) <= 1  # one draw for both (none if kept from the calls before)

    drawn.clear()
    await dc.invoke(dc.slash("cop", "signup", {"session": session}, user_id=first))
    after = await dc.invoke(dc.slash("cop", "sessions", user_id=second))
    assert after.data != bo.data  # the place ann took shows at once: a new page, drawn
    assert len(drawn) == 2  # the signup's answer, and the new page


async def test_a_reply_with_a_button_held_behind_a_short_id_is_never_kept(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    long = Reply("Next page", actions=(Action("More", "search " + "word " * 40),))
    adapter.dispatcher.handle = lambda *args, **kwargs: long  # type: ignore[method-assign]
    first = await dc.invoke(dc.slash("cop", "sessions"))
    second = await dc.invoke(dc.slash("cop", "sessions"))
    ids = [
        row["components"][0]["custom_id"]
        for callback in (first, second)
        for row in callback.data["components"]
    ]
    assert len(ids) == 2 and all(i.startswith("cop:~") for i in ids)
    assert len(adapter.kept) == 0


def test_kept_answers_hold_at_most_their_size_and_only_the_very_reply() -> None:
    kept = KeptAnswers(size=3)
    replies = [Reply(f"Answer {n}") for n in range(5)]
    for reply in replies:
        assert kept.keep(reply, private=True) == answer_payload(reply, ephemeral=True)
    assert len(kept) == 3
    assert kept.get(replies[0], private=True) is None  # the oldest went first
    assert kept.get(replies[4], private=True) is not None
    assert kept.get(replies[4], private=False) is None  # another flag is another answer
    assert kept.get(Reply("Answer 4"), private=True) is None  # equal is not the same reply
