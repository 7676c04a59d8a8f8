"""What the Discord adapter sends on its own: DMs, channel posts with session threads, one
thread post naming several members, scheduled events, escaping, and the invite link."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from bot.adapters.discord_ import DiscordAdapter, discord_invite_url
from bot.adapters.discord_.render import ZWSP
from bot.app import App
from bot.domain.context import Actor, Reply
from bot.frontend import SendFailed
from bot.scheduling.courier import Courier
from bot.scheduling.notices import Notices
from bot.storage.members import Member
from bot.storage.sessions import EDITABLE
from tests.adapters.conftest_discord import adapter, app, dc, schedule
from tests.fakes.fake_discord import FakeDiscord

INJECTION = '/cop schedule "@everyone <@&123> <@456>" 2026-12-03 14:00 90m CONNECT 2 Civic Hall'


def member(app: App, user_id: int, name: str = "Member") -> Member:
    return app.community.register(Actor("discord", str(user_id), name))


async def test_dm_refused_is_permanent_and_only_reported(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    """The adapter says what happened; remembering it is the courier's rule, not the wire's."""
    someone = member(app, dc.add_user("someone"))
    dc.refuse_dms(int(someone.platform_user_id))
    before = app.community.members.preferences(someone.id)
    with pytest.raises(SendFailed) as err:
        await adapter.send_to_member(someone, Reply("Your session starts soon"))
    assert err.value.permanent and err.value.dms_closed
    assert app.community.members.preferences(someone.id) == before


async def test_dm_server_error_is_transient(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    someone = member(app, dc.add_user("someone"))
    channel = dc.dm_channel_id(int(someone.platform_user_id))
    dc.script("POST", rf"/channels/{channel}/messages", 503, {"message": "down", "code": 0})
    with pytest.raises(SendFailed) as err:
        await adapter.send_to_member(someone, Reply("hello"))
    assert not err.value.permanent


async def test_dm_is_delivered(dc: FakeDiscord, app: App, adapter: DiscordAdapter) -> None:
    someone = member(app, dc.add_user("someone"))
    await adapter.send_to_member(someone, Reply("hello"))
    [sent] = dc.messages
    assert sent.channel_id == dc.dm_channel_id(int(someone.platform_user_id))
    assert sent.content == "hello" and sent.allowed_mentions == {"parse": []}


async def test_announcement_post_starts_a_thread(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    await adapter.post(str(dc.channel_id), Reply("New session: Circle"), session_id=sid)
    [post] = dc.messages
    refs = app.community.sessions.refs(sid)
    assert refs["discord_message"] == str(post.id)
    assert dc.threads[int(refs["discord_thread"])]["name"] == "Circle"


def ignore(members: list[Member], failure: SendFailed | None, note: str) -> None:
    """A report nobody reads, for tests that look at the wire only."""


async def test_send_together_posts_in_a_private_thread_pinging_only_them(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    a, b = member(app, dc.add_user("a"), "A"), member(app, dc.add_user("b"), "B")
    c = member(app, dc.add_user("c"), "C")
    reached: list[str] = []
    await adapter.send_together(
        [a, b],
        Reply("Starts in an hour"),
        sid,
        lambda ms, f, n: reached.extend(m.display_name for m in ms),
    )
    [room] = app.community.rooms.rooms(sid)
    thread_id = int(room.room_id)
    assert dc.threads[thread_id]["type"] == 12
    assert dc.threads[thread_id]["thread_metadata"]["invitable"] is False
    assert dc.thread_members[thread_id] == {
        dc.bot_user_id,
        int(a.platform_user_id),
        int(b.platform_user_id),
    }
    [post] = [m for m in dc.messages if m.channel_id == thread_id]
    assert post.content is not None
    assert f"<@{a.platform_user_id}>" in post.content and f"<@{b.platform_user_id}>" in post.content
    assert post.allowed_mentions is not None and post.allowed_mentions["parse"] == []
    users = {str(u) for u in post.allowed_mentions["users"]}
    assert users == {a.platform_user_id, b.platform_user_id}
    assert int(c.platform_user_id) not in (post.visible_to or set())
    assert sorted(reached) == ["A", "B"]
    # a second reminder reuses the same thread, and adds nobody twice
    adds = len([r for r in dc.requests if "/thread-members/" in r.path])
    await adapter.send_together([a], Reply("Starting now"), sid, ignore)
    assert len(dc.threads) == 1 and dc.messages[-1].channel_id == thread_id
    assert len([r for r in dc.requests if "/thread-members/" in r.path]) == adds


async def test_mention_injection_is_neutralised_everywhere(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, INJECTION)
    someone = member(app, dc.add_user("someone"))
    reply = app.dispatcher.handle(Actor("discord", "1", "P"), "sessions", {})
    await adapter.post(str(dc.channel_id), reply, session_id=sid)
    await adapter.send_to_member(someone, reply)
    await adapter.send_together([someone], reply, sid, ignore)
    await dc.invoke(dc.slash("cop", "sessions"))
    await dc.invoke(dc.button(f"cop:signup {sid}"))
    bodies = [m.payload for m in dc.messages] + [c.data for c in dc.callbacks if c.data]
    assert len(bodies) == 5
    for body in bodies:
        assert body["allowed_mentions"]["parse"] == []
        assert set(body["allowed_mentions"].get("users", [])) <= {int(someone.platform_user_id)}
        embeds = body.get("embeds") or []
        text = " ".join([body.get("content") or ""] + [e.get("title", "") for e in embeds])
        assert "@everyone" not in text and f"@{ZWSP}everyone" in text
    thread_name = dc.threads[int(app.community.sessions.refs(sid)["discord_thread"])]["name"]
    assert "@everyone" not in thread_name and f"@{ZWSP}everyone" in thread_name


async def test_thread_and_event_names_show_titles_as_written(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    """Discord draws no markdown in these names, so escaping it would show backslashes."""
    title = "Parents_and_carers *circle*"
    sid = schedule(app, dc, f'/cop schedule "{title}" 2026-12-03 14:00 90m CONNECT 20 Civic Hall')
    reply = app.dispatcher.handle(Actor("discord", "1", "P"), "sessions", {})
    await adapter.post(str(dc.channel_id), reply, session_id=sid)
    await adapter.sync_session(sid)
    refs = app.community.sessions.refs(sid)
    assert dc.threads[int(refs["discord_thread"])]["name"] == title
    assert dc.events[int(refs["discord_event"])]["name"] == title


async def test_sync_session_creates_edits_and_cancels_event(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    await adapter.sync_session(sid)
    event_id = int(app.community.sessions.refs(sid)["discord_event"])
    event = dc.events[event_id]
    assert event["name"] == "Circle"
    assert event["entity_metadata"] == {"location": "Civic Hall"}
    assert event["scheduled_start_time"].startswith("2026-12-03T14:00")

    assert "title" in EDITABLE
    app.community.db.execute("UPDATE sessions SET title = 'Circle (moved)' WHERE id = ?", [sid])
    await adapter.sync_session(sid)
    assert dc.events[event_id]["name"] == "Circle (moved)"

    now = app.community.clock.now()
    app.community.sessions.cancel(sid, "ill", now)
    await adapter.sync_session(sid)
    actions = [action for action, eid, _ in dc.event_actions if eid == event_id]
    assert actions == ["create", "edit", "edit"]
    assert dc.events[event_id]["status"] == discord.EventStatus.cancelled.value


async def test_sync_session_refusal_is_logged_and_raised_as_permanent(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    sid = schedule(app, dc)
    body = {"message": "Missing Permissions", "code": 50013}
    dc.script("POST", rf"/guilds/{dc.guild_id}/scheduled-events", 403, body)
    with pytest.raises(SendFailed) as err:
        await adapter.sync_session(sid)
    assert err.value.permanent
    assert err.value.reason == (
        f"Discord refused to create the event for session {sid}: Missing Permissions (50013)"
    )
    assert f"could not create the scheduled event for session {sid}" in caplog.text
    assert "discord_event" not in app.community.sessions.refs(sid)
    assert app.community.sessions.get(sid) is not None  # the session itself stands


async def test_sync_session_server_error_is_transient(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    await adapter.sync_session(sid)
    event_id = app.community.sessions.refs(sid)["discord_event"]
    body = {"message": "Service Unavailable", "code": 0}
    dc.script("PATCH", rf"/guilds/{dc.guild_id}/scheduled-events/{event_id}", 503, body)
    with pytest.raises(SendFailed) as err:
        await adapter.sync_session(sid)
    assert not err.value.permanent
    assert err.value.reason.startswith(f"Discord failed to update the event for session {sid}")


async def test_failed_sync_reaches_the_ledger_through_the_courier(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)  # scheduling queues a sync delivery for the new session
    body = {"message": "Missing Permissions", "code": 50013}
    dc.script("POST", rf"/guilds/{dc.guild_id}/scheduled-events", 403, body)
    await Courier(app.community, adapter).flush()
    [sync] = [d for d in app.community.deliveries.with_status("failed") if d.kind == "sync"]
    assert sync.session_id == sid
    assert sync.reason == (
        f"Discord refused to create the event for session {sid}: Missing Permissions (50013)"
    )


def test_invite_url_has_scopes_and_least_permissions() -> None:
    url = discord_invite_url("1234", events=True)
    query = parse_qs(urlparse(url).query)
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    perms = discord.Permissions(int(query["permissions"][0]))
    assert perms.send_messages and perms.create_public_threads and perms.manage_events
    assert not perms.administrator and not perms.mention_everyone
    quiet = discord.Permissions(
        int(parse_qs(urlparse(discord_invite_url("1234", False)).query)["permissions"][0])
    )
    assert not quiet.manage_events and not perms.connect
    in_voice = discord.Permissions(
        int(parse_qs(urlparse(discord_invite_url("1234", True, True)).query)["permissions"][0])
    )
    assert in_voice.connect and in_voice.manage_events  # Discord's rule for voice events


async def test_start_connects_syncs_and_stop_closes(dc: FakeDiscord, app: App) -> None:
    fresh = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    with dc.patch_discord():
        await fresh.start()
        try:
            await asyncio.wait_for(fresh.ready.wait(), 5)
            assert [c["name"] for c in dc.synced_commands[dc.guild_id]] == ["cop", "cop-plan"]
        finally:
            await fresh.stop()
    assert fresh.client.is_closed()


def test_planner_usage_is_written_for_the_cop_plan_group() -> None:
    from bot.adapters.discord_.render import with_plan_group
    from bot.domain.context import Item, Reply

    reply = Reply(
        "How to use it: /cop edit 12 when=... and /cop cancel 3, /cop cancel-session 4",
        items=(Item("/cop schedule", ("/cop signup 1",)),),
    )
    fixed = with_plan_group(reply, ["edit", "schedule", "cancel-session"])
    assert fixed.text == (
        "How to use it: /cop-plan edit 12 when=... and /cop cancel 3, /cop-plan cancel-session 4"
    )
    assert fixed.items[0].title == "/cop-plan schedule"
    assert fixed.items[0].lines == ("/cop signup 1",)


def test_member_text_cannot_pose_as_a_link_a_mention_or_a_ping() -> None:
    from bot.adapters.discord_.render import neutralise

    shown = neutralise("[Click here](https://evil.example) <@456> <#9> <@&7> @here")
    assert "](" not in shown  # no masked link
    assert "<@" not in shown and "<#" not in shown  # no mention or channel lookalikes
    assert "@here" not in shown
    assert "https://evil.example" in shown  # the address itself stays visible


async def test_a_dm_that_timed_out_but_was_posted_is_not_posted_again(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    someone = member(app, dc.add_user("someone"))
    Notices(app.community).notify([someone.id], "notice", Reply("See you on Thursday"))
    [delivery] = [d for d in app.community.deliveries.with_status("pending") if d.member_id]
    courier = Courier(app.community, adapter)
    courier.send_timeout = 0.3
    dc.post_delay = 1.5  # Discord posts it, but answers after the courier has given up

    assert await courier.flush() == 0
    row = app.community.deliveries.get(delivery.key)
    assert row is not None and (row.status, row.unsure) == ("pending", True)
    dc.post_delay = 0
    app.community.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]

    assert await courier.flush() == 1

    # Both tries carried the same nonce, with enforce_nonce; Discord answered the second
    # with the first's message, so the member has it once.
    tries = [r for r in dc.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(tries) == 2
    assert len({t.json["nonce"] for t in tries}) == 1
    assert all(t.json["enforce_nonce"] for t in tries)
    assert [m.content for m in dc.messages] == ["See you on Thursday"]
    row = app.community.deliveries.get(delivery.key)
    assert row is not None and row.status == "sent"
