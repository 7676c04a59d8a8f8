"""The Discord front end when things go wrong or take time, at the wire level through
FakeDiscord: a dropped gateway, a rate limit, members who refuse direct messages, setup
mistakes in config.toml, files, and commands slow enough to need a deferred answer."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.config import Config, PlanningGroup, Secrets
from bot.dispatch.registry import Command
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.frontend import SetupError
from bot.scheduling.courier import Courier
from bot.scheduling.notices import Notices
from bot.scheduling.runtime import Runtime
from bot.serve import serve
from bot.storage.members import Member
from tests.adapters.conftest_discord import (
    adapter,
    app,
    build_app,
    dc,
    schedule,
    set_bot_permissions,
)
from tests.fakes.fake_discord import FakeDiscord, PostedMessage
from tests.helpers import met_the_welcome

EPHEMERAL = 64
ADAPTER_LOG = "bot.adapters.discord_.adapter"


def member(app: App, user_id: int, name: str = "Member") -> Member:
    return app.community.register(Actor("discord", str(user_id), name))


def dms_to(dc: FakeDiscord, user_id: int) -> list[PostedMessage]:
    channel = dc.dm_channel_id(user_id)
    return [m for m in dc.messages if m.channel_id == channel]


def statuses(app: App) -> dict[str, str]:
    """Every delivery's status in the ledger, by the text it carries."""
    rows = app.community.db.execute_returning_dicts("SELECT payload, status FROM deliveries")
    found: dict[str, str] = {}
    for row in rows:
        text = str(row["payload"])
        for word in ("before the drop", "during the drop", "after the resume"):
            if word in text:
                found[word] = row["status"]
    return found


async def test_dropped_gateway_resumes_and_sends_each_delivery_once(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    courier = Courier(app.community, adapter)
    adapter.after_command.connect(courier.flush)  # as serve() wires the runtime
    a, b, c = (member(app, dc.add_user(n), n) for n in ("a", "b", "c"))
    Notices(app.community).notify([a.id], "changed", Reply("before the drop"))
    assert await courier.flush() == 1

    resumed = asyncio.ensure_future(adapter.client.wait_for("resumed", timeout=5))
    await dc.drop_gateway()
    Notices(app.community).notify([b.id], "changed", Reply("during the drop"))
    assert await courier.flush() == 1  # REST does not need the gateway
    await resumed
    assert dc.resumes == 1 and dc.identifies == 1

    Notices(app.community).notify([c.id], "changed", Reply("after the resume"))
    cb = await dc.invoke(dc.slash("cop", "sessions"))  # answered, then flushes the ledger
    assert cb.type == 4
    await dc.wait_until(lambda: len(dms_to(dc, int(c.platform_user_id))) == 1)
    await dc.wait_until(lambda: statuses(app).get("after the resume") == "sent")
    assert await courier.flush() == 0  # nothing left, nothing sent twice

    for who, text in ((a, "before the drop"), (b, "during the drop"), (c, "after the resume")):
        [dm] = dms_to(dc, int(who.platform_user_id))
        assert dm.content is not None and dm.content.startswith(text)
    assert len(dc.messages) == 3
    assert statuses(app) == dict.fromkeys(
        ("before the drop", "during the drop", "after the resume"), "sent"
    )


async def test_rate_limited_post_is_retried_and_lands_once(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    route = rf"/channels/{dc.channel_id}/messages"
    limit = dc.rate_limit("POST", route, retry_after=0.1)
    Notices(app.community).announce("news:1", "announcement", Reply("Welcome, everyone"))
    assert await Courier(app.community, adapter).flush() == 1
    assert limit.hits == 1
    tries = [r for r in dc.requests if r.method == "POST" and r.path == route]
    assert [r.status for r in tries] == [429, 200]
    [post] = dc.messages
    assert post.channel_id == dc.channel_id and post.content == "Welcome, everyone"
    delivery = app.community.deliveries.get("news:1")
    assert delivery is not None and delivery.status == "sent"


async def test_dm_wave_with_one_refuser(dc: FakeDiscord, app: App, adapter: DiscordAdapter) -> None:
    sid = schedule(app, dc)
    users = [dc.add_user(n) for n in ("ann", "bo", "cy")]
    for user in users:  # each has a place, and opts in to direct messages themselves
        await dc.invoke(dc.slash("cop", "signup", {"session": sid}, user_id=user))
        cb = await dc.invoke(dc.slash("cop", "direct-messages", {"choice": "on"}, user_id=user))
        assert cb.type == 4 and not (cb.content or "").startswith("Sorry")
    wave = [member(app, user) for user in users]
    assert all(app.community.members.preferences(m.id).via == "dm" for m in wave)
    refuser = wave[1]
    dc.refuse_dms(users[1])

    courier = Courier(app.community, adapter)
    await courier.flush()  # the new session's own announcement and event, out of the way
    posted = len(dc.messages)
    Notices(app.community).notify(
        [m.id for m in wave], "changed", Reply("Circle moved"), session_id=sid
    )
    assert await courier.flush() == 3
    assert len(dc.messages) == posted + 3

    for user in (users[0], users[2]):
        [dm] = dms_to(dc, user)
        assert dm.content is not None and dm.content.startswith("Circle moved")
    assert dms_to(dc, users[1]) == []
    # Refused as a DM, the notice reaches the refuser in the session's private thread.
    [room] = app.community.rooms.rooms(sid)
    [post] = [m for m in dc.messages if m.channel_id == int(room.room_id)]
    assert [str(u) for u in (post.allowed_mentions or {}).get("users", [])] == [str(users[1])]
    assert "Circle moved" in (post.content or "")
    assert app.community.deliveries.with_status("failed") == []
    sent = [d for d in app.community.deliveries.with_status("sent") if d.kind == "changed"]
    assert sorted(d.member_id for d in sent) == sorted(m.id for m in wave)
    prefs = app.community.members.preferences(refuser.id)
    assert prefs.dm_blocked and prefs.via_on(app.community.default_via("discord")) == "thread"

    notice = app.community.messages("notice.dm_blocked")
    cb = await dc.invoke(dc.slash("cop", "sessions", user_id=users[1]))
    assert cb.flags & EPHEMERAL and notice in (cb.content or "")
    again = await dc.invoke(dc.slash("cop", "sessions", user_id=users[1]))
    assert notice not in (again.content or "")  # told once
    other = await dc.invoke(dc.slash("cop", "sessions", user_id=users[0]))
    assert notice not in (other.content or "")


MISSING = "998877665544332211"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing channel", f"announcement channel '{MISSING}' was not found"),
        ("voice channel", "is not a text channel"),
        ("missing role", f"planning-group role {MISSING} was not found in the server"),
    ],
)
async def test_setup_mistakes_are_named_at_start_and_commands_still_work(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, case: str, expected: str
) -> None:
    overrides: dict[str, Any] = {
        "missing channel": {"announce_channel": MISSING},
        "voice channel": {"announce_channel": str(dc.voice_channel_id)},
        "missing role": {"planning_group": PlanningGroup(discord_role=MISSING)},
    }[case]
    built = build_app(tmp_path, dc, "setup.db", **overrides)
    caplog.set_level(logging.WARNING, logger=ADAPTER_LOG)
    started = DiscordAdapter(built.parts(), guild_ready_timeout=0.05)
    try:
        with dc.patch_discord():
            await started.start()
            try:
                await asyncio.wait_for(started.ready.wait(), 5)
                warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
                [warning] = warnings
                assert expected in warning and "config.toml" in warning
                cb = await dc.invoke(dc.slash("cop", "sessions"))
                assert cb.type == 4
            finally:
                await started.stop()
    finally:
        built.close()


async def test_good_setup_warns_about_nothing(
    dc: FakeDiscord, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=ADAPTER_LOG)
    started = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    async with dc.run(started.client):
        await started.ready.wait()
    assert [r for r in caplog.records if r.name == ADAPTER_LOG] == []


async def test_calendar_arrives_as_a_file_on_the_callback(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc)
    cb = await dc.invoke(dc.slash("cop", "calendar"))
    assert cb.type == 4
    [sent] = [r for r in dc.requests if r.path.endswith("/callback")]
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert sent.files == ["copbot.ics"]
    assert sent.json["data"]["attachments"][0]["filename"] == "copbot.ics"


async def test_slow_command_defers_then_follows_up(dc: FakeDiscord, app: App) -> None:
    ran: list[str] = []

    def report(ctx: Any) -> Reply:
        ran.append(ctx.member.platform_user_id)
        return Reply("Report ready")

    # A planner's command: /cop already holds Discord's 25 subcommands.
    app.registry.add(Command("slow-report", report, planners_only=True, slow=True))
    # the tree is built from the registry
    slow = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    async with dc.run(slow.client):
        await slow.ready.wait()
        met_the_welcome(app.community, "discord", str(dc.user_id))
        cb = await dc.invoke(dc.slash("cop-plan", "slow-report"))
        assert cb.type == 5 and cb.flags & EPHEMERAL  # deferred, "thinking", privately
        await dc.wait_until(lambda: dc.followups)
    [follow] = dc.followups
    assert follow.kind == "followup" and follow.content == "Report ready"
    assert follow.flags & EPHEMERAL
    assert ran == [str(dc.user_id)]
    paths = [r.path for r in dc.requests if "/interactions/" in r.path or "/webhooks/" in r.path]
    assert paths[0].endswith("/callback") and paths[1].startswith(f"/webhooks/{dc.app_id}/")


async def warnings_at_start(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture, **config: Any
) -> list[str]:
    """Start the bot with this config, wait for its setup check, and return its warnings."""
    caplog.clear()
    caplog.set_level(logging.WARNING, logger=ADAPTER_LOG)
    built = build_app(tmp_path, dc, "setup.db", **config)
    try:
        started = DiscordAdapter(built.parts(), guild_ready_timeout=0.05)
        async with dc.run(started.client):
            await started.ready.wait()
    finally:
        built.close()
    return [r.getMessage() for r in caplog.records if r.name == ADAPTER_LOG]


async def test_a_permission_the_bot_lacks_is_named_with_how_to_grant_it(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    set_bot_permissions(dc, False, "embed_links", "create_public_threads")
    [warning] = await warnings_at_start(dc, tmp_path, caplog)
    assert "lacks Embed Links, Create Public Threads in #cop" in warning
    assert "Server Settings > Roles" in warning and "copbot discord-invite" in warning


async def test_events_permission_is_needed_only_when_events_are_mirrored(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    set_bot_permissions(dc, False, "manage_events")
    assert await warnings_at_start(dc, tmp_path, caplog, discord_events=False) == []
    [warning] = await warnings_at_start(dc, tmp_path, caplog)
    assert "lacks Manage Events" in warning


async def test_global_sync_replaces_the_servers_own_copy(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await warnings_at_start(dc, tmp_path, caplog)
    assert [c["name"] for c in dc.synced_commands[dc.guild_id]] == ["cop", "cop-plan"]
    assert await warnings_at_start(dc, tmp_path, caplog, discord_sync_globally=True) == []
    assert [c["name"] for c in dc.synced_commands[None]] == ["cop", "cop-plan"]
    assert dc.synced_commands[dc.guild_id] == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [(4014, "refused an intent"), (4004, "no longer accepts DISCORD_TOKEN")],
)
async def test_a_connection_refused_for_good_stops_the_bot_with_the_reason(
    dc: FakeDiscord, app: App, code: int, expected: str
) -> None:
    """Rather than staying up deaf: serve() ends with words the operator can act on."""
    started = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    with dc.patch_discord():
        running = asyncio.ensure_future(serve(started, Runtime(app.community, started)))
        await asyncio.wait_for(started.ready.wait(), 5)
        resumed = asyncio.ensure_future(started.client.wait_for("resumed", timeout=5))
        await dc.drop_gateway()  # a network blip: discord.py resumes, and the bot runs on
        await resumed
        assert not running.done()
        await dc.drop_gateway(code=code)
        with pytest.raises(SetupError) as ended:
            await asyncio.wait_for(running, 10)
    assert expected in str(ended.value)
    assert started.client.is_closed()


@pytest.mark.parametrize(
    ("where", "granted", "expected"),
    [
        ("voice", ("connect",), ""),
        ("voice", (), "lacks Connect in voice channel #cop-voice"),
        ("stage", (), "lacks Manage Channels, Mute Members, Move Members in stage channel"),
        ("text", (), "is not a voice or stage channel"),
    ],
)
async def test_the_event_channel_is_checked_at_start(
    dc: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    where: str,
    granted: tuple[str, ...],
    expected: str,
) -> None:
    """Discord requires Connect to hold an event in a voice channel, and three moderator
    permissions in a stage channel; a text channel cannot hold one at all."""
    channel = {"voice": dc.voice_channel_id, "stage": dc.stage_channel_id, "text": dc.channel_id}
    set_bot_permissions(dc, True, *granted)
    warnings = await warnings_at_start(
        dc, tmp_path, caplog, discord_event_channel=str(channel[where])
    )
    if not expected:
        assert warnings == []
    else:
        [warning] = warnings
        assert expected in warning
        assert ("use a voice channel" in warning) == (where == "stage")


@pytest.mark.parametrize("how", ["session invalidated", "asked to reconnect"])
async def test_a_new_gateway_session_keeps_commands_working_and_does_start_up_once(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, how: str
) -> None:
    """After a fresh IDENTIFY (session invalidated) discord.py fires on_ready again; the
    commands must not be synced again, nor the setup checked twice. After op 7 it resumes."""
    syncs = [r for r in dc.requests if r.method == "PUT" and r.path.endswith("/commands")]
    if how == "session invalidated":

        async def at_once(shard_id: int | None, *, initial: bool = False) -> None:
            """discord.py waits 5 s before identifying again; nothing to wait for here."""

        adapter.client.before_identify_hook = at_once  # type: ignore[method-assign]
        ready_again = asyncio.ensure_future(adapter.client.wait_for("ready", timeout=5))
        await dc.drop_gateway(code=4000, invalidate=True)
        await ready_again
        assert dc.identifies == 2
    else:
        resumed = asyncio.ensure_future(adapter.client.wait_for("resumed", timeout=5))
        await dc.request_reconnect()
        await resumed
        assert (dc.identifies, dc.resumes) == (1, 1)
    sid = schedule(app, dc)
    cb = await dc.invoke(dc.slash("cop", "signup", {"session": sid}))
    assert cb.type == 4 and len(app.community.signups.attendees(sid)) == 1
    # on_ready runs as its own task; by the time a command has been answered, a second
    # sync would have reached the fake
    assert [r for r in dc.requests if r.method == "PUT" and r.path.endswith("/commands")] == syncs
