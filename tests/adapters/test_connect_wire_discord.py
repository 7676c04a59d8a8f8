"""CONNECT introductions on Discord's wire (gateway): one private thread per group, and
every button in it answered for the person who pressed it and seen only by them."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

from typing import Any

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.domain.context import Actor, Reply
from bot.frontend import SendFailed
from bot.scheduling.courier import Courier
from bot.storage.members import Member
from tests.adapters.conftest_discord import adapter, app, dc, planner, set_bot_permissions
from tests.adapters.test_connect_wire import CHOICES, INTRO, answers, round_of
from tests.fakes.fake_discord import FakeDiscord, PostedMessage


async def discord_pair(dc: FakeDiscord, app: App, adapter: DiscordAdapter) -> list[int]:
    """ana (health) and ben (education) ask, and a round is made and sent; their user ids."""
    users = [dc.add_user(name) for name in ("ana", "ben")]
    for user, sector in zip(users, ("health", "education"), strict=True):
        await dc.invoke(dc.slash("cop", "sector", {"choose": sector}, user_id=user))
        await dc.invoke(dc.slash("cop", "connect", {"choose": "on"}, user_id=user))
    reply = app.dispatcher.handle_line(planner(dc), "post-now connect")
    assert "1 introduction(s)" in reply.text, reply.text
    await Courier(app.community, adapter).flush()
    return users


def discord_member(app: App, user: int) -> Member:
    found = app.community.members.by_platform_id("discord", str(user))
    assert found is not None
    return found


async def test_discord_introduces_a_pair_in_one_private_thread(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    users = await discord_pair(dc, app, adapter)

    [intro] = [m for m in dc.messages if INTRO in (m.content or "")]
    thread = dc.threads[intro.channel_id]
    assert thread["type"] == 12 and thread["thread_metadata"]["invitable"] is False
    assert int(thread["parent_id"]) == dc.channel_id
    assert dc.thread_members[intro.channel_id] == {dc.bot_user_id, *users}
    assert intro.visible_to == frozenset({dc.bot_user_id, *users})
    assert sorted(mentioned_users(intro)) == sorted(str(u) for u in users)  # pings only them
    assert all(f"<@{u}>" in (intro.content or "") for u in users)
    assert "Health, Education" in (intro.content or "")
    assert not [m for m in dc.messages if m.channel_id in {dc.dm_channel_id(u) for u in users}]
    rows = app.community.db.execute_returning_dicts(
        "SELECT status, reason FROM deliveries WHERE kind = 'connect'"
    )
    assert rows == [{"status": "sent", "reason": "in a private thread"}] * 2


async def test_discord_each_button_in_the_thread_answers_only_the_presser(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    ana, ben = await discord_pair(dc, app, adapter)
    [intro] = [m for m in dc.messages if INTRO in (m.content or "")]
    ids = [c["custom_id"] for row in intro.components for c in row.get("components") or []]
    values = [i.removeprefix("cop:") for i in ids]
    assert [v.rsplit(" ", 1)[0] if v[-1].isdigit() else v for v in values[:5]] == list(CHOICES)
    round_id, a, b = round_of(values), discord_member(app, ana), discord_member(app, ben)
    posts_before = len(dc.messages)

    async def press(n: int, user: int) -> Any:
        return await dc.invoke(
            dc.button(ids[n], message=intro.id, user_id=user, channel_id=intro.channel_id)
        )

    met = await press(0, ana)
    assert answers(app, round_id) == {a.id: "met", b.id: ""}
    cant = await press(1, ben)
    assert answers(app, round_id) == {a.id: "met", b.id: "cant"}
    not_again = await press(2, ben)
    assert app.community.connect.not_again() == [(b.id, a.id)]
    skip = await press(3, ana)
    assert app.community.connect.skipping(a.id) != "" and app.community.connect.skipping(b.id) == ""
    stop = await press(4, ana)
    assert not app.community.connect.is_in(a.id) and app.community.connect.is_in(b.id)

    assert "Lovely, thank you" in _content(met.data) and "another round" in _content(cant.data)
    assert "won't be introduced to them again" in _content(not_again.data)
    assert "No introduction for you" in _content(skip.data) and "are off" in _content(stop.data)
    for callback in (met, cant, not_again, skip, stop):
        assert callback.type == 4 and callback.flags & 64  # ephemeral: only the presser sees it
    assert len(dc.messages) == posts_before  # nothing new in the thread for the other to read


async def test_discord_without_private_threads_sends_a_dm_each(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    set_bot_permissions(dc, False, "create_private_threads")

    users = await discord_pair(dc, app, adapter)

    intros = [m for m in dc.messages if INTRO in (m.content or "")]
    assert sorted(m.channel_id for m in intros) == sorted(dc.dm_channel_id(u) for u in users)
    assert all(m.allowed_mentions == {"parse": []} for m in intros)
    assert dc.threads == {}


def mentioned_users(post: PostedMessage) -> list[str]:
    return [str(u) for u in (post.allowed_mentions or {}).get("users", [])]


def _content(data: Any) -> str:
    parts = [str((data or {}).get("content") or "")]
    parts += [str(e.get("description") or "") for e in (data or {}).get("embeds") or []]
    return "\n".join(parts)


async def test_discord_a_dm_refused_in_the_fallback_is_remembered(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    set_bot_permissions(dc, False, "create_private_threads")
    ana, ben = dc.add_user("ana"), dc.add_user("ben")
    dc.refuse_dms(ben)
    for user in (ana, ben):
        await dc.invoke(dc.slash("cop", "connect", {"choose": "on"}, user_id=user))
    app.dispatcher.handle_line(planner(dc), "post-now connect")

    await Courier(app.community, adapter).flush()

    refused = discord_member(app, ben)
    assert app.community.members.preferences(refused.id).dm_blocked
    assert not app.community.members.preferences(discord_member(app, ana).id).dm_blocked


async def test_discord_forget_me_takes_the_member_out_of_their_introduction_thread(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    ana, ben = await discord_pair(dc, app, adapter)
    [intro] = [m for m in dc.messages if INTRO in (m.content or "")]
    assert ana in dc.thread_members[intro.channel_id]

    await dc.invoke(dc.slash("cop", "forget-me", {"confirm": "yes"}, user_id=ana))
    await Courier(app.community, adapter).flush()

    assert ana not in dc.thread_members[intro.channel_id]
    assert ben in dc.thread_members[intro.channel_id]  # the other stays in their conversation
    dump = "\n".join(app.community.db.conn.iterdump())
    assert str(ana) not in dump


async def test_discord_a_second_try_of_an_introduction_posts_nothing_new(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    """After a try whose answer never came, the courier tries again: the conversation's
    label gives the post the same nonce, so Discord hands back the first post."""
    members = []
    for name in ("ana", "ben"):
        user = dc.add_user(name)
        members.append(app.community.register(Actor("discord", str(user), name)))
    reply = Reply("Hello ana and ben! A CONNECT conversation.", ledger_key="connect:1:1:")
    reached: list[tuple[int, bool]] = []

    def report(who: list[Member], failure: SendFailed | None, note: str) -> None:
        reached.extend((m.id, failure is None) for m in who)

    for _ in range(2):
        await adapter.send_to_members("connect:1:1:", members, reply, report)

    posts = [m for m in dc.messages if "A CONNECT conversation" in (m.content or "")]
    assert len(posts) == 1
    assert len(dc.threads) == 1  # the same thread both times
    assert reached == [(m.id, True) for m in members] * 2
