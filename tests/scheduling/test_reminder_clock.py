"""Reminders by the wall clock: a week before is the same local time, either side of a clock
change, and a Sunday session's 1-day reminder comes on Friday rather than not at all."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.scheduling.conftest import LONDON, NEW_YORK, Worlds, lead, local, local_times


async def test_the_7_day_reminder_keeps_its_local_time_across_both_bst_changes(
    worlds: Worlds,
) -> None:
    spring = await worlds(datetime(2027, 3, 15, tzinfo=UTC), db="spring.db")
    autumn = await worlds(datetime(2027, 10, 18, tzinfo=UTC), db="autumn.db")
    # Clocks go forward on 28 Mar 2027 and back on 31 Oct 2027.
    for world, day in ((spring, "2027-03-30"), (autumn, "2027-11-02")):
        session = world.schedule(f'"Circle" {day} 10:00 60m DEVELOP 20 Civic Hall')
        world.member("alice")
        world.member("bob", "America/New_York")
        world.run("alice", f"signup {session}")
        world.run("bob", f"signup {session}")
    await spring.advance(datetime(2027, 3, 31, tzinfo=UTC))
    await autumn.advance(datetime(2027, 11, 3, tzinfo=UTC))

    for world, week_before, utc_hour in (
        (spring, "Tue 2027-03-23 10:00", 10),
        (autumn, "Tue 2027-10-26 10:00", 9),
    ):
        [week] = [s for s in world.platform.reminders("alice") if lead(s.text) == "1 week"]
        assert local_times([week]) == [week_before]
        assert week.at.hour == utc_hour  # GMT in March, BST in October
    # Bob's is a week before at his own wall-clock time: New York changes its clocks on other
    # dates (14 Mar and 7 Nov 2027), so the sessions are at 05:00 and 06:00 for him.
    for world, his_time in ((spring, "Tue 05:00"), (autumn, "Tue 06:00")):
        [week] = [s for s in world.platform.reminders("bob") if lead(s.text) == "1 week"]
        assert week.at.astimezone(NEW_YORK).strftime("%a %H:%M") == his_time
        assert f"{his_time[4:]}–" in week.text


async def test_the_1_day_reminder_keeps_its_local_time_across_a_change(worlds: Worlds) -> None:
    world = await worlds(datetime(2027, 3, 15, tzinfo=UTC))
    session = world.schedule('"Sunday circle" 2027-03-28 14:00 60m DEVELOP 20 Civic Hall')
    world.member("dan")
    world.set_prefs("dan", quiet_hours=False)  # so Saturday is an ordinary day for him
    world.run("dan", f"signup {session}")
    await world.advance(datetime(2027, 3, 29, tzinfo=UTC))
    [day] = [s for s in world.platform.reminders("dan") if lead(s.text) == "1 day"]
    assert local_times([day]) == ["Sat 2027-03-27 14:00"]


async def test_a_sunday_session_s_1_day_reminder_comes_on_friday(worlds: Worlds) -> None:
    world = await worlds()
    afternoon = world.schedule('"Sunday circle" 2026-12-13 14:00 60m CONNECT 20 Civic Hall')
    evening = world.schedule('"Sunday evening" 2026-12-13 19:00 60m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {afternoon}")
    world.run("alice", f"signup {evening}")
    # Erin signs up on Saturday, after the Friday reminders: hers is the 1-hour one.
    await world.advance(local("2026-12-12 10:00"))
    world.member("erin")
    world.run("erin", f"signup {afternoon}")

    await world.advance(local("2026-12-14 00:00"))

    sent = world.platform.reminders("alice")
    friday = [s for s in sent if s.at.astimezone(LONDON).weekday() == 4]
    # The same time on Friday if that is open; otherwise half an hour before quiet hours.
    assert local_times(friday) == ["Fri 2026-12-11 14:00", "Fri 2026-12-11 17:30"]
    assert [lead(s.text) for s in friday] == ["2 days", "2 days and 1 hour"]
    weekend = [s for s in sent if s.at.astimezone(LONDON).weekday() >= 5]
    assert sorted(lead(s.text) for s in weekend) == ["1 hour", "1 hour"]  # about to start
    assert [lead(s.text) for s in world.platform.reminders("erin")] == ["1 hour"]


async def test_a_reminder_for_a_session_across_the_change_says_its_true_length(
    worlds: Worlds,
) -> None:
    world = await worlds(datetime(2027, 10, 25, tzinfo=UTC))
    session = world.schedule('"Night walk" 2027-10-31 00:30 2h CONNECT 20 Park')
    world.member("dan")
    world.set_prefs("dan", quiet_hours=False)
    world.run("dan", f"signup {session}")
    await world.advance(datetime(2027, 10, 31, 1, tzinfo=UTC))
    sent = world.platform.reminders("dan")
    assert [lead(s.text) for s in sent] == ["1 day", "1 hour"]
    assert all(
        "Sun 31 Oct 2027, 00:30–01:30 (Europe/London), 2 hours: the clocks go back" in s.text
        for s in sent
    )
