"""News about a member's place on Discord: quiet hours hold direct messages only, and a notice
whose session is cancelled while it waits is simply not sent."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from bot.scheduling.courier import Courier
from bot.scheduling.runtime import Runtime
from tests.adapters.conftest_discord import adapter, app, dc, planner, schedule
from tests.fakes.fake_discord import FakeDiscord

EVENING = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)  # a Monday, 19:00 in London


def booked(app: App, dc: FakeDiscord, sid: int, name: str) -> int:
    user = dc.add_user(name)
    member = app.community.register(Actor("discord", str(user), name))
    session = app.community.sessions.get(sid)
    assert session is not None
    app.community.signups.signup(session, member.id, app.community.clock.now())
    return member.id


def notice_rows(app: App, kind: str) -> dict[int, dict[str, object]]:
    rows = app.community.db.execute_returning_dicts(
        "SELECT * FROM deliveries WHERE kind = ?", [kind]
    )
    return {int(str(r["member_id"])): r for r in rows}


async def test_quiet_hours_hold_direct_messages_but_not_the_session_thread(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, SCHEDULE_20)
    in_thread = booked(app, dc, sid, "thread-reader")
    by_dm = booked(app, dc, sid, "dm-reader")
    members = app.community.members
    members.save_preferences(by_dm, replace(members.preferences(by_dm), via="dm"))
    courier = Courier(app.community, adapter)
    await courier.flush()
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    clock.set(EVENING)

    reply = app.dispatcher.handle_line(planner(dc), f'/cop edit {sid} "where=Town Hall"')
    assert not reply.error, reply.text
    await courier.flush()

    rows = notice_rows(app, "changed")
    assert rows[in_thread]["status"] == "sent"
    assert rows[by_dm]["status"] == "pending"
    assert str(rows[by_dm]["due_utc"]).startswith("2026-12-01T08:00")
    dm_channel = dc.dm_channel_id(int(members.get(by_dm).platform_user_id))  # type: ignore[union-attr]
    assert not [m for m in dc.messages if m.channel_id == dm_channel]


async def test_a_notice_whose_session_is_cancelled_while_it_waits_is_skipped_quietly(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    sid = schedule(app, dc, SCHEDULE_20)
    for name in ("a", "b"):
        booked(app, dc, sid, name)
    courier = Courier(app.community, adapter)
    await courier.flush()
    reply = app.dispatcher.handle_line(planner(dc), f'/cop edit {sid} "where=Town Hall"')
    assert not reply.error, reply.text
    waiting = courier.pacer.wait

    async def cancelled_meanwhile(target: str) -> None:
        """A planner cancels the session while the notice waits its turn."""
        await waiting(target)
        community = app.community
        if not community.sessions.get(sid).cancelled:  # type: ignore[union-attr]
            community.sessions.cancel(sid, "", community.clock.now())

    courier.pacer.wait = cancelled_meanwhile  # type: ignore[method-assign]
    before = len(dc.messages)
    with caplog.at_level(logging.WARNING):
        await courier.flush()

    rows = notice_rows(app, "changed")
    assert {r["status"] for r in rows.values()} == {"skipped"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [m for m in dc.messages[before:] if "Town Hall" in (m.content or "")]


SCHEDULE_20 = '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall'


async def test_a_new_title_renames_the_event_and_both_threads(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, SCHEDULE_20)
    booked(app, dc, sid, "reader")
    courier = Courier(app.community, adapter)
    await courier.flush()  # the announcement (and its public thread), the event
    await adapter.sync_places(sid)  # the private thread
    reply = app.dispatcher.handle_line(planner(dc), f'/cop edit {sid} "title=Reflective circle"')
    assert not reply.error, reply.text
    await courier.flush()

    refs = app.community.sessions.refs(sid)
    [room] = app.community.rooms.rooms(sid)
    assert dc.threads[int(refs["discord_thread"])]["name"] == "Reflective circle"
    assert dc.threads[int(room.room_id)]["name"] == "Reflective circle"
    assert dc.events[int(refs["discord_event"])]["name"] == "Reflective circle"


async def test_an_event_location_never_reads_as_a_mention(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    line = '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 20 @everyone <@123> Hall'
    sid = schedule(app, dc, line)
    await adapter.sync_session(sid)
    event = dc.events[int(app.community.sessions.refs(sid)["discord_event"])]
    location = event["entity_metadata"]["location"]
    assert "Hall" in location and "@everyone" not in location and "<@" not in location


async def test_a_reminder_refused_as_a_dm_goes_to_the_private_thread_instead(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, SCHEDULE_20)
    member_id = booked(app, dc, sid, "closed-dms")
    members = app.community.members
    members.save_preferences(member_id, replace(members.preferences(member_id), via="dm"))
    user = members.get(member_id).platform_user_id  # type: ignore[union-attr]
    dc.refuse_dms(int(user))
    runtime = Runtime(app.community, adapter)
    await runtime.tick()
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    clock.set(datetime(2026, 12, 2, 14, 5, tzinfo=UTC))

    await runtime.tick()

    [room] = app.community.rooms.rooms(sid)
    [post] = [m for m in dc.messages if m.channel_id == int(room.room_id)]
    assert [str(u) for u in (post.allowed_mentions or {}).get("users", [])] == [user]
    assert "A reminder" in (post.content or "")
    rows = app.community.db.execute_returning_dicts(
        "SELECT status FROM deliveries WHERE kind = 'reminder' AND key LIKE '%:1d:%'"
    )
    assert [r["status"] for r in rows] == ["sent"]
