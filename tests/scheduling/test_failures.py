"""When a send fails: permanent failures are recorded, transient ones retried, then given up."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.context import Reply
from bot.frontend import Reached, SendFailed
from bot.scheduling.courier import Pacer
from bot.scheduling.kinds import kind_of
from bot.scheduling.retries import next_wait, retry_until
from bot.storage.members import Member
from tests.scheduling.conftest import Recorder, ThreadRecorder, World, Worlds, local

DUE = local("2026-12-09 14:00")  # the 1-day reminder for a session on 10 December


async def setup(world: World, *names: str) -> int:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    for name in names:
        world.member(name)
        world.run(name, f"signup {session}")
    await world.advance(DUE - timedelta(minutes=10))
    world.platform.sent.clear()
    world.platform.calls.clear()
    return session


def day_key(world: World, session: int, name: str) -> str:
    return f"reminder:{session}:{world.member_named(name).id}:1d:20261210T1400Z"


async def test_a_permanent_failure_is_recorded_and_never_retried(world: World) -> None:
    session = await setup(world, "alice", "bob")
    world.platform.fail_next(
        "alice", SendFailed("member does not accept direct messages", permanent=True)
    )

    await world.advance(DUE + timedelta(hours=2))

    row = world.ledger(key=day_key(world, session, "alice"))[0]
    assert (row["status"], row["reason"], row["attempts"]) == (
        "failed",
        "member does not accept direct messages",
        1,
    )
    assert world.platform.calls.count("alice") == 1
    assert world.platform.reminders("alice") == []
    assert len(world.platform.reminders("bob")) == 1  # the others were not held up


async def test_a_refused_direct_message_is_remembered_so_none_is_tried_again(
    worlds: Worlds,
) -> None:
    """The front end only reports that DMs are closed; the courier keeps the member's choice
    of route, so the next message goes to the session's thread and no DM is attempted."""
    world = await worlds(start=local("2026-12-01 10:00"), platform=ThreadRecorder)
    session = await setup(world, "alice")
    world.set_prefs("alice", via="dm")
    closed = SendFailed("member does not accept direct messages", permanent=True, dms_closed=True)
    world.platform.fail_next("alice", closed)

    await world.advance(DUE + timedelta(minutes=5))

    prefs = world.community.members.preferences(world.member_named("alice").id)
    assert prefs.dm_blocked and prefs.via_on("dm") == "thread"
    world.platform.calls.clear()
    world.run("organiser", f'edit {session} where="Room 2"')
    await world.advance(DUE + timedelta(minutes=15))
    assert "alice" not in world.platform.calls
    assert [s.together for s in world.platform.sent if s.to == "thread"][-1] == ("alice",)


async def test_a_transient_failure_is_retried_after_the_time_asked(world: World) -> None:
    session = await setup(world, "alice")
    world.platform.fail_next("alice", SendFailed("rate limited", permanent=False, retry_after=120))
    key = day_key(world, session, "alice")

    await world.advance(DUE)
    row = world.ledger(key=key)[0]
    assert (row["status"], row["reason"], row["attempts"]) == ("pending", "rate limited", 1)
    assert row["due_utc"] == "2026-12-09T14:02:00+00:00"
    assert world.platform.reminders("alice") == []

    await world.advance(DUE + timedelta(minutes=10))
    row = world.ledger(key=key)[0]
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert [s.at for s in world.platform.reminders("alice")] == [DUE + timedelta(minutes=10)]
    await world.advance(DUE + timedelta(hours=1))
    assert len(world.platform.reminders("alice")) == 1


@dataclass
class OutagePlatform(Recorder):
    """A platform that answers every send with a 503 between `down_from` and `down_until`."""

    down_from: datetime | None = None
    down_until: datetime | None = None

    def _attempt(self, name: str) -> None:
        now, start, end = self.clock.now(), self.down_from, self.down_until
        if start is not None and end is not None and start <= now < end:
            self.calls.append(name)
            raise SendFailed("slack error 503", permanent=False)
        super()._attempt(name)


async def test_an_18_minute_outage_delays_reminders_still_ahead_and_misses_only_the_started(
    worlds: Worlds,
) -> None:
    world = await worlds(
        platform=OutagePlatform, reminder_offsets=(timedelta(hours=1), timedelta(minutes=15))
    )
    assert isinstance(world.platform, OutagePlatform)
    early = world.schedule('"Early circle" 2026-12-09 13:55 60m CONNECT 20 Civic Hall')
    later = world.schedule('"Later circle" 2026-12-09 14:40 60m CONNECT 20 Civic Hall')
    names = ["alice", "bob", "carol"]
    for name in names:
        world.member(name)
        world.run(name, f"signup {early}")
        world.run(name, f"signup {later}")
    await world.advance(local("2026-12-09 13:30"))
    world.platform.sent.clear()
    world.platform.down_from, world.platform.down_until = (
        local("2026-12-09 13:40"),
        local("2026-12-09 13:58"),
    )

    await world.advance(local("2026-12-09 15:00"), step=timedelta(minutes=1))

    rows = world.ledger("reminder")
    assert "failed" not in {r["status"] for r in rows}
    for name in names:
        me = world.member_named(name).id
        # Due at 13:40 for a session at 14:40, tried through the outage, sent once after it:
        # recorded late against the time it was meant for, which the retries kept.
        [ahead] = world.ledger(key=f"reminder:{later}:{me}:1h:20261209T1440Z")
        assert ahead["status"] == "late"
        assert ahead["first_due_utc"] == "2026-12-09T13:40:00+00:00"
        assert ahead["done_utc"] >= "2026-12-09T13:58:00+00:00"
        assert ahead["attempts"] > 5  # more tries than the old budget of five allowed
        # Due at 13:40 for a session that began at 13:55, mid-outage: missed, never sent.
        [started] = world.ledger(key=f"reminder:{early}:{me}:15m:20261209T1355Z")
        assert (started["status"], started["reason"]) == (
            "missed",
            "the session had already started",
        )
        got = [s.text for s in world.platform.reminders(name)]
        assert len(got) == len(set(got)) == 2  # the later circle's two reminders, once each
        assert all("Later circle" in text for text in got)


def test_each_kind_is_retried_for_as_long_as_it_means_something() -> None:
    zone = ZoneInfo("Europe/London")
    first = local("2026-06-10 23:30")  # summer: 22:30 UTC, still the 10th in Leeds
    start = local("2026-06-11 09:00")
    assert retry_until(kind_of("reminder").retry, first, start, zone) == start
    assert retry_until(kind_of("promoted").retry, first, start, zone) == start
    assert retry_until(kind_of("pick-dm").retry, first, None, zone) == local("2026-06-11 00:00")
    assert retry_until(kind_of("connect").retry, first, None, zone) == first + timedelta(days=1)
    assert retry_until(kind_of("reminder").retry, first, None, zone) == first + timedelta(days=1)


def test_retries_back_off_with_jitter_and_honour_a_retry_after() -> None:
    pick = random.Random(7)
    waits = [next_wait(tries, None, pick) for tries in range(1, 10)]
    assert timedelta(seconds=15) <= waits[0] <= timedelta(seconds=30)
    assert timedelta(seconds=30) <= waits[1] <= timedelta(seconds=60)
    assert all(timedelta(minutes=2, seconds=30) <= w <= timedelta(minutes=5) for w in waits[5:])
    assert len(set(waits)) == len(waits)  # jittered, not in lockstep
    assert next_wait(3, 120, pick) == timedelta(seconds=120)


@dataclass
class BuggyRecorder(Recorder):
    """A front end with a bug: sending to one member raises something unexpected."""

    broken_for: str = ""

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        if member.display_name == self.broken_for:
            self.calls.append(member.display_name)
            raise RuntimeError("a bug in the front end")
        await super().send_to_member(member, reply)


async def test_an_unexpected_error_for_one_member_does_not_hold_up_the_others(
    worlds: Worlds,
) -> None:
    world = await worlds(platform=BuggyRecorder)
    assert isinstance(world.platform, BuggyRecorder)
    names = ["alice", "bob", "carol", "dan"]
    session = await setup(world, *names)
    world.platform.broken_for = "bob"

    await world.advance(DUE + timedelta(hours=1), step=timedelta(minutes=1))

    for name in ("alice", "carol", "dan"):
        assert len(world.platform.reminders(name)) == 1, name
        assert world.status(day_key(world, session, name)) == "sent"
    row = world.ledger(key=day_key(world, session, "bob"))[0]
    # A bug is retried like a passing failure, backing off, while the reminder still means
    # something (the session is a day away), and recorded each time.
    assert row["status"] == "pending"
    assert "RuntimeError" in row["reason"]
    assert 5 < world.platform.calls.count("bob") < 30


async def test_a_thread_platform_sends_one_post_per_session_and_offset(worlds: Worlds) -> None:
    world = await worlds(platform=ThreadRecorder)
    session = await setup(world, "alice", "bob", "carol")
    world.run("bob", "timezone America/New_York")
    world.set_prefs("carol", via="dm")

    await world.advance(DUE)

    together = [s for s in world.platform.sent if s.to == "thread"]
    assert len(together) == 1
    assert sorted(together[0].together) == ["alice", "bob"]
    assert together[0].session_id == session
    # One post read by several people shows the community's time, whoever is named last.
    assert "Thu 10 Dec 2026, 14:00–15:30 (Europe/London)" in together[0].text
    assert len(world.platform.reminders("carol")) == 1  # she asked for direct messages
    for name in ("alice", "bob"):
        row = world.ledger(key=day_key(world, session, name))[0]
        assert (row["status"], row["reason"]) == ("sent", "together in the session thread")


async def test_a_failed_thread_post_is_retried_for_everyone_named(worlds: Worlds) -> None:
    world = await worlds(platform=ThreadRecorder)
    session = await setup(world, "alice", "bob")
    failures = [SendFailed("discord error 502", permanent=False, retry_after=60)]
    original = world.platform.send_together

    async def flaky(members: list[Member], reply: Reply, session_id: int, report: Reached) -> None:
        if failures:
            raise failures.pop()
        await original(members, reply, session_id, report)

    world.platform.send_together = flaky  # type: ignore[method-assign]
    await world.advance(DUE)
    assert {world.status(day_key(world, session, n)) for n in ("alice", "bob")} == {"pending"}
    await world.advance(DUE + timedelta(minutes=10))
    assert {world.status(day_key(world, session, n)) for n in ("alice", "bob")} == {"sent"}
    assert len([s for s in world.platform.sent if s.to == "thread"]) == 1


async def test_the_pacer_never_fits_more_than_a_seconds_worth_into_a_second() -> None:
    """Even when the loop is busy now and then, a late send is not made up for by bunching:
    a platform counting 200 a second would refuse the 201st."""
    rate, sends = 200, 300
    pacer = Pacer(per_target=1.0, overall=1 / rate)
    released: list[float] = []
    stop = asyncio.Event()

    async def busy_loop() -> None:
        while not stop.is_set():
            time.sleep(0.003)  # a command holding the loop for 3 ms
            await asyncio.sleep(0.011)

    hiccups = asyncio.create_task(busy_loop())
    try:
        for n in range(sends):
            await pacer.wait(f"member{n}")
            released.append(time.monotonic())
    finally:
        stop.set()
        await hiccups
    tolerance = 0.001  # a platform's own clock is not exact to the microsecond
    crowded = [i for i in range(rate, sends) if released[i] - released[i - rate] < 1.0 - tolerance]
    assert not crowded, f"{len(crowded)} sends were one more than {rate} in a second"
    assert len(released) == sends and released[-1] - released[0] > 1.0  # paced, not a burst


async def test_a_cancellation_on_a_thread_platform_is_one_post_not_a_dm_each(
    worlds: Worlds,
) -> None:
    """Discord flags bots that DM many members: cancelling a full session must not."""
    world = await worlds(platform=ThreadRecorder)
    session = await setup(world, "alice", "bob", "carol")
    world.set_prefs("carol", via="dm")
    world.run("organiser", f'cancel-session {session} "Room flooded"')
    await world.advance_by(timedelta(minutes=10))

    [post] = [s for s in world.platform.sent if s.to == "thread"]
    assert sorted(post.together) == ["alice", "bob"] and post.session_id == session
    assert "Room flooded" in post.text
    assert [s.to for s in world.platform.sent if "Room flooded" in s.text] == ["thread", "carol"]


async def test_a_member_who_refuses_dms_gets_booking_news_in_the_thread_and_nothing_else_is_tried(
    worlds: Worlds,
) -> None:
    world = await worlds(start=local("2026-12-01 10:00"), platform=ThreadRecorder)
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 1 Civic Hall')
    world.member("alice")
    world.member("bob")
    world.run("alice", f"signup {session}")
    world.run("bob", f"signup {session}")  # waitlisted
    world.set_prefs("bob", via="thread", dm_blocked=True)  # as after Discord's error 50007
    world.run("bob", "suggest https://example.org/list DEVELOP Reading list")
    [pending] = world.community.library.with_status("pending")
    world.run("organiser", f"approve {pending.id}")
    world.run("alice", f"cancel {session}")  # bob is given the place
    world.platform.calls.clear()
    await world.advance_by(timedelta(minutes=10))

    [post] = [s for s in world.platform.sent if s.to == "thread"]
    assert post.together == ("bob",) and "place" in post.text
    assert "bob" not in world.platform.calls  # no direct message tried
    [suggestion] = world.ledger("suggestion")
    assert (suggestion["status"], suggestion["reason"]) == (
        "skipped",
        "member does not accept direct messages",
    )
