"""Reminders and news about a place on Discord: to each session's private thread, naming
only those it is for, within Discord's limits, each member marked exactly as reached."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.adapters.discord_ import DiscordAdapter, discord_invite_url
from bot.app import App
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.scheduling.courier import GROUP_SLICE, Courier
from bot.scheduling.runtime import Runtime
from bot.storage.members import Member
from tests.adapters.conftest_discord import adapter, app, dc, schedule, set_bot_permissions
from tests.adapters.test_discord_resilience import warnings_at_start
from tests.counting import statements
from tests.fakes.fake_discord import FakeDiscord, PostedMessage

BIG = '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 400 Civic Hall'
DAY_BEFORE = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)


def book(app: App, dc: FakeDiscord, session_id: int, count: int) -> list[Member]:
    """`count` members of the server, each with a place; returns them."""
    community, booked = app.community, []
    session = community.sessions.get(session_id)
    assert session is not None
    for n in range(count):
        user = dc.add_user(f"member{n}")
        member = community.register(Actor("discord", str(user), f"Member {n}"))
        community.signups.signup(session, member.id, community.clock.now())
        booked.append(member)
    return booked


def mentioned(post: PostedMessage) -> list[str]:
    return [str(u) for u in (post.allowed_mentions or {}).get("users", [])]


async def reminders_due(app: App, adapter: DiscordAdapter) -> Runtime:
    """Send what a new session queues, then move to the day before it and send the rest."""
    runtime = Runtime(app.community, adapter)
    await runtime.tick()
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    clock.set(DAY_BEFORE)
    return runtime


async def announced(
    app: App, dc: FakeDiscord, adapter: DiscordAdapter, line: str = ""
) -> tuple[int, Courier]:
    """A session scheduled (from `line`, if given) and its announcement sent; its id and the
    courier that sent it."""
    sid = schedule(app, dc, line) if line else schedule(app, dc)
    courier = Courier(app.community, adapter)
    await courier.flush()
    return sid, courier


async def booking(dc: FakeDiscord, sid: int, user: int, words: str = "signup") -> None:
    """`user` types `/cop signup` (or `words`) for the session."""
    await dc.invoke(dc.slash("cop", words, {"session": sid}, user_id=user))


def reminder_rows(app: App) -> list[dict[str, object]]:
    return app.community.db.execute_returning_dicts(
        "SELECT * FROM deliveries WHERE kind = 'reminder' AND key LIKE '%:1d:%'"
    )


async def test_a_reminder_to_250_reaches_each_once_and_shows_the_list_to_nobody_else(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, BIG)
    booked = book(app, dc, sid, 250)
    outsider = dc.add_user("not-booked")
    runtime = await reminders_due(app, adapter)
    before = len(dc.messages)

    await runtime.tick()

    users = {m.platform_user_id for m in booked}
    posts = [p for p in dc.messages[before:] if set(mentioned(p)) & users]
    named = [u for p in posts for u in mentioned(p)]
    assert sorted(named) == sorted(users)  # everyone, once
    for post in posts:
        assert dc.threads[post.channel_id]["type"] == 12  # a private thread
        assert post.visible_to is not None and set(map(str, post.visible_to)) >= set(
            mentioned(post)
        )
        readers = {str(u) for u in post.visible_to} - {str(dc.bot_user_id)}
        assert readers <= users and str(outsider) not in readers
        assert len(mentioned(post)) <= 100 and len(post.content or "") <= 2000
        assert "Circle" in (post.content or "") and "A reminder" in (post.content or "")
        assert post.allowed_mentions is not None and post.allowed_mentions["parse"] == []
    # Nothing anyone else can read names a booked member.
    public = [p for p in dc.messages if p.visible_to is None]
    assert not any(u in (p.content or "") for p in public for u in users)
    rows = reminder_rows(app)
    assert len(rows) == 250
    assert {(r["status"], r["reason"]) for r in rows} == {
        ("sent", "in the session's private thread")
    }


async def test_a_failed_post_marks_only_its_own_members(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc, BIG)
    booked = book(app, dc, sid, 120)
    runtime = await reminders_due(app, adapter)
    # The first post in a thread fails (not the week's pick, which may go first: the courier
    # sends channel posts beside the thread's).
    in_thread = rf"/channels/(?!{dc.channel_id}/)\d+/messages"
    dc.script("POST", in_thread, 403, {"code": 50013, "message": "no"}, times=1)

    await runtime.tick()

    rows = {r["member_id"]: r for r in reminder_rows(app)}
    failed = {m for m, r in rows.items() if r["status"] == "failed"}
    sent = {m for m, r in rows.items() if r["status"] == "sent"}
    assert failed and sent and failed | sent == {m.id for m in booked}
    first_post = [p for p in dc.messages if mentioned(p)][0]
    reached = {int(u) for u in mentioned(first_post)}
    assert {int(m.platform_user_id) for m in booked if m.id in sent} == reached


async def test_checking_a_big_group_gives_the_loop_back_between_slices(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    """Thousands of members are checked in slices, so commands are answered meanwhile."""
    sid = schedule(app, dc, BIG.replace(" 400 ", " 2000 "))
    session = app.community.sessions.get(sid)
    assert session is not None
    community, now = app.community, app.community.clock.now()
    for n in range(1000):
        member = community.register(Actor("discord", f"{n}", f"M{n}"))
        community.signups.signup(session, member.id, now)
        key = f"reminder:{sid}:{member.id}:1d:x"
        community.deliveries.enqueue(key, "reminder", now, member_id=member.id, session_id=sid)
    batch = [d for d in community.deliveries.claim_due(now, 5000) if d.kind == "reminder"]
    turns = 0

    async def another_task() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    other = asyncio.create_task(another_task())
    await asyncio.sleep(0)
    wanted = await Courier(community, adapter)._still_wanted(batch)
    other.cancel()
    assert len(wanted) == 1000
    assert turns >= 1000 // GROUP_SLICE - 1


async def test_booking_lets_a_member_in_and_giving_up_the_place_takes_them_out(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid, courier = await announced(app, dc, adapter)
    user = dc.add_user("bea")
    await booking(dc, sid, user)
    await courier.flush()
    [room] = app.community.rooms.rooms(sid)
    assert user in dc.thread_members[int(room.room_id)]
    await booking(dc, sid, user, "cancel")
    await courier.flush()
    assert user not in dc.thread_members[int(room.room_id)]
    assert app.community.rooms.rooms(sid)[0].members == frozenset()


async def test_a_booking_reads_only_that_members_place_however_big_the_session(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    courier = Courier(app.community, adapter)
    counted = []
    for size in (5, 50):
        sid = schedule(app, dc, BIG)
        book(app, dc, sid, size)
        await adapter.sync_places(sid)  # everyone booked so far is in the thread
        await courier.flush()
        user = dc.add_user(f"late{size}")
        await booking(dc, sid, user)
        with statements(app.community.db) as seen:
            await courier.flush()
        [room] = app.community.rooms.rooms(sid)
        assert user in dc.thread_members[int(room.room_id)]
        assert len(room.members) == size + 1
        counted.append(len(seen))
    assert counted[0] == counted[1]


async def test_a_booking_is_let_into_the_thread_before_discord_acknowledges_the_answer(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    runtime = Runtime(app.community, adapter)
    adapter.after_command.connect(runtime.after_command)
    await runtime.courier.flush()
    user = dc.add_user("eve")
    dc.callback_gate = asyncio.Event()  # the answer arrives; its acknowledgement waits

    await booking(dc, sid, user)

    async def let_in() -> None:
        while not any(user in members for members in dc.thread_members.values()):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(let_in(), timeout=5)
    assert not dc.callback_gate.is_set()  # let in while the answer was still on its way
    dc.callback_gate.set()
    await adapter.after_command.settled()


async def test_booking_and_giving_up_before_the_courier_runs_leaves_them_out(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid, courier = await announced(app, dc, adapter)
    stays, goes = dc.add_user("stays"), dc.add_user("goes")
    for user, words in ((goes, "signup"), (stays, "signup"), (goes, "cancel"), (stays, "cancel")):
        await booking(dc, sid, user, words)
    await booking(dc, sid, stays)

    await courier.flush()  # five changes of places, in whatever order they are taken

    [room] = app.community.rooms.rooms(sid)
    assert stays in dc.thread_members[int(room.room_id)]
    assert goes not in dc.thread_members[int(room.room_id)]
    [member] = room.members
    assert app.community.members.get(member).platform_user_id == str(stays)  # type: ignore[union-attr]


async def test_the_ledger_forgets_whose_place_changed_once_they_are_in(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid, courier = await announced(app, dc, adapter)
    user = dc.add_user("dee")
    await booking(dc, sid, user)
    member = app.community.members.by_platform_id("discord", str(user))
    assert member is not None

    def syncs() -> list[str]:
        rows = app.community.db.execute("SELECT payload FROM deliveries WHERE kind = 'sync'")
        return [str(r[0]) for r in rows]

    assert any(f'"member": {member.id}' in p for p in syncs())
    await courier.flush()
    assert not any('"member"' in p for p in syncs())


async def test_bookings_fill_a_thread_then_start_the_next(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.adapters.discord_.rooms.ROOM_SIZE", 3)
    sid, courier = await announced(app, dc, adapter, BIG)
    for n in range(4):
        user = dc.add_user(f"guest{n}")
        await booking(dc, sid, user)
        await courier.flush()
    assert [len(r.members) for r in app.community.rooms.rooms(sid)] == [3, 1]


async def test_forget_me_takes_the_member_out_of_the_thread_and_then_forgets_their_id(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    courier = Courier(app.community, adapter)
    user = dc.add_user("cat")
    await booking(dc, sid, user)
    await courier.flush()
    [room] = app.community.rooms.rooms(sid)
    assert user in dc.thread_members[int(room.room_id)]

    await dc.invoke(dc.slash("cop", "forget-me", {"confirm": "yes"}, user_id=user))
    await courier.flush()

    assert user not in dc.thread_members[int(room.room_id)]
    dump = "\n".join(app.community.db.conn.iterdump())
    assert str(user) not in dump


async def test_the_invite_gives_the_bot_what_private_threads_need(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    url = discord_invite_url("1234", events=True)
    invited = parse_qs(urlparse(url).query)["permissions"][0]
    dc.roles[dc.bot_role_id]["permissions"] = invited
    dc.roles[dc.everyone_role_id]["permissions"] = "0"
    sid = schedule(app, dc)
    [someone] = book(app, dc, sid, 1)
    reached: list[int] = []
    await adapter.send_together(
        [someone], Reply("hello"), sid, lambda ms, f, n: reached.extend(m.id for m in ms if not f)
    )
    assert reached == [someone.id]


async def test_without_manage_threads_the_start_up_check_says_so(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    set_bot_permissions(dc, False, "manage_threads", "create_private_threads")
    [warning] = await warnings_at_start(dc, tmp_path, caplog)
    assert "Create Private Threads" in warning and "Manage Threads" in warning


async def test_a_locked_thread_is_replaced_and_the_ledger_says_why(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    booked = book(app, dc, sid, 3)  # the third is waiting for a place, so is not reminded
    runtime = await reminders_due(app, adapter)
    await adapter.sync_places(sid)
    [old] = app.community.rooms.rooms(sid)
    dc.lock_thread(int(old.room_id))

    await runtime.tick()

    [new] = app.community.rooms.rooms(sid)
    assert new.room_id != old.room_id and new.members == {m.id for m in booked}
    posts = [p for p in dc.messages if p.channel_id == int(new.room_id)]
    assert sorted(u for p in posts for u in mentioned(p)) == sorted(
        m.platform_user_id for m in booked[:2]
    )
    rows = reminder_rows(app)
    assert {(r["status"], r["reason"]) for r in rows} == {
        ("sent", "the session's private thread was locked, so a new one was started")
    }


async def test_a_deleted_thread_is_replaced_for_the_next_post(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    booked = book(app, dc, sid, 2)
    await adapter.sync_places(sid)
    [old] = app.community.rooms.rooms(sid)
    dc.delete_thread(int(old.room_id))
    notes: list[str] = []
    await adapter.send_together(booked, Reply("hello"), sid, lambda ms, f, n: notes.append(n))
    [new] = app.community.rooms.rooms(sid)
    assert new.room_id != old.room_id and int(new.room_id) in dc.threads
    assert notes == ["the session's private thread was deleted, so a new one was started"]


async def test_an_archived_thread_is_reopened_to_let_someone_in(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    book(app, dc, sid, 1)
    await adapter.sync_places(sid)
    [room] = app.community.rooms.rooms(sid)
    dc.archive_thread(int(room.room_id))
    [late] = book(app, dc, sid, 1)
    await adapter.sync_places(sid)
    assert app.community.rooms.rooms(sid) == [replace(room, members=room.members | {late.id})]


async def test_a_session_bigger_than_a_thread_spreads_over_several(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord keeps a thread to 1,000 members; here the fake allows 4 and the bot fills 3."""
    monkeypatch.setattr("bot.adapters.discord_.rooms.ROOM_SIZE", 3)
    dc.max_thread_members = 4
    sid = schedule(app, dc, BIG)
    booked = book(app, dc, sid, 7)
    reached: list[int] = []
    await adapter.send_together(
        booked, Reply("hello"), sid, lambda ms, f, n: reached.extend(m.id for m in ms if not f)
    )
    rooms = app.community.rooms.rooms(sid)
    assert [len(r.members) for r in rooms] == [3, 3, 1]
    assert sorted(reached) == sorted(m.id for m in booked)
    for room in rooms:
        users = {int(app.community.members.get(m).platform_user_id) for m in room.members}  # type: ignore[union-attr]
        assert dc.thread_members[int(room.room_id)] == users | {dc.bot_user_id}
        [post] = [p for p in dc.messages if p.channel_id == int(room.room_id)]
        assert {int(u) for u in mentioned(post)} == users
