"""Session reminders: each offset, each member's own time, BST, quiet hours, edits, cancels."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.scheduling.conftest import (
    LONDON,
    NEW_YORK,
    World,
    Worlds,
    lead,
    local,
    local_times,
)


async def test_reminders_at_7d_1d_1h_in_each_members_own_time(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    alice = world.member("alice")
    bob = world.member("bob", "America/New_York")
    world.run("alice", f"signup {session}")
    world.run("bob", f"signup {session}")
    # Carol signs up on Saturday 5 December: after the 7-day point, before the 1-day one.
    await world.advance(local("2026-12-05 12:00"))
    world.member("carol")
    world.run("carol", f"signup {session}")

    await world.advance(local("2026-12-11 00:00"))

    expected = ["Thu 2026-12-03 14:00", "Wed 2026-12-09 14:00", "Thu 2026-12-10 13:00"]
    for name in ("alice", "bob"):
        sent = world.platform.reminders(name)
        assert local_times(sent) == expected, name
        assert [lead(s.text) for s in sent] == ["1 week", "1 day", "1 hour"]
    assert all(
        "Thu 10 Dec 2026, 14:00–15:30 (Europe/London)" in s.text
        for s in world.platform.reminders("alice")
    )
    assert all(
        "Thu 10 Dec 2026, 09:00–10:30 (America/New_York)" in s.text
        for s in world.platform.reminders("bob")
    )
    assert local_times(world.platform.reminders("bob"), NEW_YORK) == [
        "Thu 2026-12-03 09:00",
        "Wed 2026-12-09 09:00",
        "Thu 2026-12-10 08:00",
    ]
    carol = world.platform.reminders("carol")
    assert local_times(carol) == expected[1:]
    assert [lead(s.text) for s in carol] == ["1 day", "1 hour"]
    # The ledger holds one key per member and offset, each sent once.
    for member, labels in ((alice.id, ["1w", "1d", "1h"]), (bob.id, ["1w", "1d", "1h"])):
        for label in labels:
            assert world.status(f"reminder:{session}:{member}:{label}:20261210T1400Z") == "sent"
    assert len(world.ledger("reminder")) == 8


async def test_a_7_day_reminder_held_by_the_weekend_skips_those_who_signed_up_since(
    world: World,
) -> None:
    session = world.schedule('"Saturday circle" 2026-12-12 10:00 60m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    # The 7-day point is Saturday 5 December, 10:00: a weekend, so it waits for Monday 08:00.
    # Erin signs up on the Sunday in between: after the point, so she has no 7-day reminder.
    await world.advance(local("2026-12-06 12:00"))
    world.member("erin")
    world.run("erin", f"signup {session}")

    await world.advance(local("2026-12-13 00:00"))

    alice = world.platform.reminders("alice")
    assert local_times(alice) == [
        "Mon 2026-12-07 08:00",
        "Fri 2026-12-11 10:00",
        "Sat 2026-12-12 09:00",  # a weekend, but the session is about to start
    ]
    assert [lead(s.text) for s in alice] == ["5 days and 2 hours", "1 day", "1 hour"]
    erin = world.platform.reminders("erin")
    assert local_times(erin) == ["Fri 2026-12-11 10:00", "Sat 2026-12-12 09:00"]


async def test_a_10_00_session_gets_its_1h_reminder_at_09_00_either_side_of_bst(
    worlds: Worlds,
) -> None:
    spring = await worlds(datetime(2027, 3, 15, tzinfo=UTC), db="spring.db")
    autumn = await worlds(datetime(2027, 10, 18, tzinfo=UTC), db="autumn.db")
    for world, first in ((spring, "2027-03-23"), (autumn, "2027-10-26")):
        series = world.schedule(f'"Circle" {first} 10:00 60m DEVELOP 20 repeat=weekly')
        world.member("alice")
        world.run("alice", f"signup {series}")
        world.run("alice", f"signup {series + 1}")
    await spring.advance(datetime(2027, 4, 1, tzinfo=UTC))
    await autumn.advance(datetime(2027, 11, 4, tzinfo=UTC))

    hour = [s for s in spring.platform.reminders("alice") if lead(s.text) == "1 hour"]
    assert local_times(hour) == ["Tue 2027-03-23 09:00", "Tue 2027-03-30 09:00"]
    assert [s.at.hour for s in hour] == [9, 8]  # GMT, then BST
    day = [s for s in spring.platform.reminders("alice") if lead(s.text) == "1 day"]
    assert local_times(day) == ["Mon 2027-03-22 10:00", "Mon 2027-03-29 10:00"]

    hour = [s for s in autumn.platform.reminders("alice") if lead(s.text) == "1 hour"]
    assert local_times(hour) == ["Tue 2027-10-26 09:00", "Tue 2027-11-02 09:00"]
    assert [s.at.hour for s in hour] == [8, 9]  # BST, then GMT
    assert all("10:00–11:00 (Europe/London)" in s.text for s in hour)


async def test_a_friday_evening_follow_up_waits_for_monday_morning(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-04 17:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.member("dan")
    world.set_prefs("dan", quiet_hours=False)
    for name in ("alice", "dan"):
        world.run(name, f"signup {session}")

    await world.advance(local("2026-12-08 00:00"))

    thanks = world.platform.to("alice", "has now taken place")
    assert local_times(thanks) == ["Mon 2026-12-07 08:00"]
    # Dan chose no quiet hours: his arrives at the nominal time, 30 minutes after the end.
    assert local_times(world.platform.to("dan", "has now taken place")) == ["Fri 2026-12-04 19:00"]
    weekend = [
        s
        for s in world.platform.to("alice")
        if local("2026-12-04 18:00") <= s.at < local("2026-12-07 08:00")
    ]
    assert weekend == []


async def test_a_reminder_is_not_held_when_the_session_is_about_to_start(world: World) -> None:
    early = world.schedule('"Breakfast circle" 2026-12-07 08:30 60m CONNECT 20 Civic Hall')
    weekend = world.schedule('"Saturday walk" 2026-12-05 10:00 60m CONNECT 20 Park')
    world.member("alice")
    world.member("dan")
    world.set_prefs("dan", quiet_hours=False)
    for name in ("alice", "dan"):
        world.run(name, f"signup {early}")
        world.run(name, f"signup {weekend}")

    await world.advance(local("2026-12-08 00:00"))

    def hour_before(name: str, title: str) -> list[str]:
        found = [s for s in world.platform.reminders(name) if title in s.text]
        return local_times([s for s in found if lead(s.text) == "1 hour"])

    # 07:30 on a Monday is in quiet hours, but the session is about to start.
    assert hour_before("alice", "Breakfast circle") == ["Mon 2026-12-07 07:30"]
    # Holding Saturday's 09:00 reminder to Monday would be after the walk: it goes at 09:00.
    assert hour_before("alice", "Saturday walk") == ["Sat 2026-12-05 09:00"]
    assert hour_before("dan", "Breakfast circle") == ["Mon 2026-12-07 07:30"]
    # The 1-day reminder for the walk is due on Friday at 10:00: not quiet, sent as planned.
    day = [s for s in world.platform.reminders("alice") if "Saturday walk" in s.text]
    assert local_times(day)[:1] == ["Fri 2026-12-04 10:00"]
    # Dan opted out of quiet hours: Sunday 08:30 is when his 1-day reminder arrives.
    dans_day = [
        s
        for s in world.platform.reminders("dan")
        if "Breakfast circle" in s.text and lead(s.text) == "1 day"
    ]
    assert local_times(dans_day) == ["Sun 2026-12-06 08:30"]
    # Nothing reaches Alice on Sunday: only reminders for a session about to start break quiet.
    assert [s for s in world.platform.to("alice") if s.at.astimezone(LONDON).weekday() == 6] == []


async def test_an_edited_session_is_reminded_at_its_new_time_only(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    alice = world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-02 12:00"))
    world.run("organiser", f'edit {session} when="2026-12-11 15:00"')

    await world.advance(local("2026-12-12 00:00"))

    sent = world.platform.reminders("alice")
    assert local_times(sent) == [
        "Fri 2026-12-04 15:00",
        "Thu 2026-12-10 15:00",
        "Fri 2026-12-11 14:00",
    ]
    assert all("Fri 11 Dec 2026, 15:00–16:30" in s.text for s in sent)
    keys = [r["key"] for r in world.ledger("reminder")]
    assert keys == [
        f"reminder:{session}:{alice.id}:1w:20261211T1500Z",
        f"reminder:{session}:{alice.id}:1d:20261211T1500Z",
        f"reminder:{session}:{alice.id}:1h:20261211T1500Z",
    ]
    assert len(world.platform.to("#cop-announcements", "Starting in 15 minutes")) == 1
    assert [r["due_utc"] for r in world.ledger("soon")] == ["2026-12-11T14:45:00+00:00"]
    # She was told about the change itself, once.
    assert len(world.platform.to("alice", "Fri 11 Dec")) == 4


async def test_a_cancelled_sessions_pending_reminders_are_skipped(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    alice = world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-03 13:50"))
    # The 7-day reminder falls due and is queued; before the courier sends it, the session
    # is cancelled.
    world.clock.set(local("2026-12-03 14:00"))
    assert await world.runtime.plan(world.clock.now()) >= 1
    key = f"reminder:{session}:{alice.id}:1w:20261210T1400Z"
    assert world.status(key) == "pending"
    world.run("organiser", f"cancel-session {session} reason=unwell")

    await world.runtime.tick()
    await world.advance(local("2026-12-11 00:00"))

    row = world.ledger("reminder", key=key)[0]
    assert (row["status"], row["reason"]) == ("skipped", "session cancelled")
    assert world.platform.reminders("alice") == []
    assert len(world.ledger("reminder")) == 1  # nothing more was planned for it
    assert world.platform.to("#cop-announcements", "Starting in 15 minutes") == []
    assert len(world.platform.to("alice", "cancelled")) == 1  # the cancellation notice


async def test_a_member_in_new_york_is_shown_new_york_time_after_moving(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-05 00:00"))
    world.run("alice", "timezone America/New_York")  # composed when sent, not when planned
    await world.advance(local("2026-12-11 00:00"))
    texts = [s.text for s in world.platform.reminders("alice")]
    assert "(Europe/London)" in texts[0]
    assert all("09:00–10:30 (America/New_York)" in t for t in texts[1:])
    assert len(texts) == 3


async def test_a_reminder_quiet_hours_would_push_past_a_closer_one_comes_on_friday(
    world: World,
) -> None:
    # Monday 08:30: the 1-day reminder (Sunday 08:30) would be held to Monday 08:00, after
    # the 1-hour one at 07:30. Monday 08:00: holding it would pass the start. Sending it on
    # Sunday would break the weekend, so it comes at the same time on Friday instead.
    half_past = world.schedule('"Early circle" 2026-12-07 08:30 60m CONNECT 20 Civic Hall')
    on_the_hour = world.schedule('"Dawn circle" 2026-12-14 08:00 60m CONNECT 20 Civic Hall')
    world.member("alice")
    world.member("dan")
    world.set_prefs("dan", quiet_hours=False)
    for name in ("alice", "dan"):
        world.run(name, f"signup {half_past}")
        world.run(name, f"signup {on_the_hour}")

    await world.advance(local("2026-12-14 09:00"))

    def leads(name: str, title: str) -> list[str]:
        return [lead(s.text) for s in world.platform.reminders(name) if title in s.text]

    assert leads("alice", "Early circle") == ["1 week", "3 days", "1 hour"]
    assert leads("alice", "Dawn circle") == ["1 week", "3 days", "1 hour"]
    fridays = [s for s in world.platform.reminders("alice") if lead(s.text) == "3 days"]
    assert local_times(fridays) == ["Fri 2026-12-04 08:30", "Fri 2026-12-11 08:00"]
    assert [s for s in world.platform.to("alice") if s.at.astimezone(LONDON).weekday() >= 5] == []
    # Dan keeps no quiet hours, so he gets every reminder at its time.
    assert leads("dan", "Dawn circle") == ["1 week", "1 day", "1 hour"]


async def test_a_late_reminder_says_how_long_is_really_left(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    await world.advance(local("2026-12-02 13:00"))
    # The bot is down from 13:00 to 14:30; the 1-day reminder (due 14:00) goes late.
    world.clock.set(local("2026-12-02 14:30"))
    await world.runtime.tick()

    [late] = [s for s in world.platform.reminders("alice") if s.at == local("2026-12-02 14:30")]
    assert lead(late.text) == "23 hours and 30 minutes"
