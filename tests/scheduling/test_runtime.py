"""The runtime as the front ends run it: APScheduler in the loop, the console's simulated clock,
and the planning group's view of (and push on) what the bot will send."""

from __future__ import annotations

import asyncio
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.app import App, run_console
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.domain.when import format_local
from bot.frontend import SendFailed
from bot.scheduling.kinds import SCHEDULED
from bot.scheduling.runtime import MARK, TICK_SECONDS
from bot.storage.members import Member
from tests.counting import add_members, add_places
from tests.scheduling.conftest import LONDON, MONDAY, PLANNER, World, Worlds, lead, local

CHANNEL = "#cop-announcements"


async def test_start_runs_a_tick_and_leaves_one_utc_interval_job_in_the_loop(
    world: World,
) -> None:
    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    runtime = world.runtime
    await runtime.start()
    try:
        scheduler = runtime.scheduler
        assert scheduler is not None and scheduler.running
        assert str(scheduler.timezone) == "UTC"
        assert [job.id for job in scheduler.get_jobs()] == ["tick"]
        job = scheduler.get_job("tick")
        assert job.trigger.interval == timedelta(seconds=TICK_SECONDS)
        # start() ticked once: the announcement queued by `schedule` went out.
        assert len(world.platform.to(CHANNEL, "New session: Circle")) == 1

        # APScheduler itself runs the tick, inside this loop, when the job is due.
        world.schedule('"Second circle" 2026-12-11 14:00 90m CONNECT 20 Civic Hall')
        scheduler.modify_job("tick", next_run_time=datetime.now(UTC))
        for _ in range(100):
            if world.platform.to(CHANNEL, "New session: Second circle"):
                break
            await asyncio.sleep(0.01)
        assert len(world.platform.to(CHANNEL, "New session: Second circle")) == 1

        # After a command, what it queued goes out straight away, with no planning.
        world.schedule('"Third circle" 2026-12-12 14:00 90m CONNECT 20 Civic Hall')
        assert await runtime.after_command() == 1
        assert len(world.platform.to(CHANNEL, "New session: Third circle")) == 1
    finally:
        runtime.stop()
    assert runtime.scheduler is None
    await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next pass
    assert not scheduler.running


async def test_the_console_clock_prints_what_falls_due(worlds: Worlds) -> None:
    """Through the console front end, as the planning group rehearses."""
    app = App.build(Config(database=worlds.folder / "console.db"), FakeClock(MONDAY))
    script = io.StringIO(
        '/cop schedule "Circle" 2026-12-03 16:00 90m CONNECT 20 Civic Hall\n'
        "/cop schedule-confirm\n"
        "/as alice\n"
        "/cop signup 1\n"
        "/clock 2026-12-02 09:00\n"
        "/clock +1d\n"
        "/clock +8h\n"
        "/clock nonsense\n"
    )
    out = io.StringIO()
    try:
        await run_console(app, script, out)
    finally:
        app.close()
    text = out.getvalue()
    before, rest = text.split("alice> /clock +1d")
    first, second = rest.split("alice> /clock +8h")
    assert "A reminder:" not in before.split("alice> /clock 2026-12-02 09:00")[1]
    assert "[message for alice]\nA reminder: #1 Circle starts in 1 day" in first
    assert "(The simulated clock now reads Thu 3 Dec 2026, 09:00" in first
    assert "A reminder:" not in second.split("[message for alice]\nA reminder")[0]
    assert "[message for alice]\nA reminder: #1 Circle starts in 1 hour" in second
    assert "Starting in 15 minutes: #1 Circle" in second
    assert second.count("A reminder:") == 1
    assert "Move the simulated clock with" in second


def upcoming(world: World) -> Counter[str]:
    reply = world.run(PLANNER, "upcoming-posts")
    lines = reply.items[0].lines if reply.items else ()
    found: Counter[str] = Counter()
    for line in lines:
        match = re.fullmatch(r"(.+) × (\d+)", line)
        assert match, line
        found[match[1]] += int(match[2])
    return found


async def test_upcoming_posts_lists_exactly_what_the_next_14_days_then_bring(
    world: World,
) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    for name in ("alice", "bob"):
        world.member(name)
        world.run(name, f"signup {session}")
    world.run("alice", "subscribe prompts")
    world.set_prefs("bob", quiet_hours=False)
    start = world.clock.now()

    promised = upcoming(world)
    say = world.community.messages
    assert promised[f"{format_local(local('2026-11-30 09:30'), LONDON)}: {say('kind.prompt')}"] == 1
    assert (
        promised[f"{format_local(local('2026-12-03 14:00'), LONDON)}: {say('kind.reminder')}"] == 2
    )
    assert (
        promised[f"{format_local(local('2026-12-10 16:00'), LONDON)}: {say('kind.followup')}"] == 2
    )
    assert sum(promised.values()) == 15  # 4 prompts, 2 picks, 6 reminders, soon, 2 thanks

    member = world.app.dispatcher.handle_line(Actor("console", "alice", "alice"), "upcoming-posts")
    assert member.error  # the planning group's view only

    await world.advance(start + timedelta(days=14))
    delivered: Counter[str] = Counter()
    for row in world.ledger():
        due = datetime.fromisoformat(row["due_utc"])
        if row["kind"] in SCHEDULED and start < due <= start + timedelta(days=14):
            assert row["status"] == "sent", row
            delivered[f"{format_local(due, LONDON)}: {say('kind.' + row['kind'])}"] += 1
    assert delivered == promised


async def test_post_now_queues_and_the_next_tick_sends(world: World) -> None:
    dawn = world.schedule('"Dawn circle" 2026-12-02 09:00 60m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {dawn}")
    await world.advance(local("2026-12-01 10:05"))
    before = len(world.platform.sent)
    mondays_prompt = world.platform.to(CHANNEL, "This week's reflection")[0].text

    # Monday's prompt went out at 09:30 yesterday: posting it by hand would repeat it.
    assert "already been posted" in world.run(PLANNER, "post-now prompt").text
    for what in ("pick", "reminders"):
        assert world.run(PLANNER, f"post-now {what}").text.startswith("Done: ")
    assert len(world.platform.sent) == before  # queued, not yet sent
    refused = world.app.dispatcher.handle_line(Actor("console", "alice", "alice"), "post-now pick")
    assert refused.error

    await world.runtime.tick()

    new = world.platform.sent[before:]
    assert [s.to for s in new].count(CHANNEL) == 1
    assert [s.text for s in new if "This week's reflection" in s.text] == []
    assert mondays_prompt
    assert len([s for s in new if s.to == CHANNEL and "resource:" in s.text]) == 1
    reminder = [s for s in new if s.to == "alice"]
    assert len(reminder) == 1
    assert lead(reminder[0].text) == "22 hours and 55 minutes"
    assert "unsubscribe reminders" in reminder[0].commands
    # Sent once: later ticks do not repeat them, nor does Wednesday's scheduled pick.
    await world.advance(local("2026-12-02 13:00"))
    picks = [s for s in world.platform.sent[before:] if s.to == CHANNEL and "resource:" in s.text]
    assert len(picks) == 2  # the one posted by hand (last week's) and Wednesday's own


async def test_upcoming_posts_shows_what_could_not_be_sent_and_why(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    world.platform.fail_next(
        "alice", SendFailed("the member's account is inactive", permanent=True)
    )

    await world.advance(local("2026-12-02 15:00"))

    reply = world.run(PLANNER, "upcoming-posts")
    [problems] = [i for i in reply.items if i.title.startswith("Recent problems")]
    assert len(problems.lines) == 1
    assert "session reminder for alice" in problems.lines[0]
    assert "the member's account is inactive" in problems.lines[0]


async def test_after_a_command_only_what_it_queued_goes_out_and_nothing_is_planned(
    world: World,
) -> None:
    """The after-command hook sends what the command queued at once, but never plans: a
    reminder that fell due meanwhile waits for the scheduler's tick (issue 12)."""
    session = world.schedule('"Circle" 2026-12-02 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    await world.runtime.tick()
    mark = world.community.meta.get(MARK)
    world.clock.set(local("2026-12-01 14:30"))  # the day-before reminder is now due

    world.schedule('"Second circle" 2026-12-09 14:00 90m CONNECT 20 Civic Hall')
    assert await world.runtime.after_command() == 1

    assert len(world.platform.to(CHANNEL, "New session: Second circle")) == 1
    assert world.platform.reminders("alice") == []
    assert world.community.meta.get(MARK) == mark  # the planner did not run
    await world.runtime.tick()
    assert len(world.platform.reminders("alice")) == 1


def claims_counted(world: World) -> list[datetime]:
    """From now on, the time of each claim the courier makes (each a write transaction)."""
    claims: list[datetime] = []
    deliveries = world.community.deliveries
    claim_due = deliveries.claim_due

    def counted(now: datetime, *args: object, **kwargs: object) -> object:
        claims.append(now)
        return claim_due(now, *args, **kwargs)  # type: ignore[arg-type]

    deliveries.claim_due = counted  # type: ignore[method-assign,assignment]
    return claims


async def test_after_a_command_that_wrote_nothing_nothing_is_claimed(world: World) -> None:
    """A listing queues nothing, so the after-command hook claims nothing (a claim is a
    write transaction, and most commands are reads); the next command that queues something
    still has it sent at once (issue 12)."""
    world.member("alice")
    world.run("alice", "sessions")
    await world.runtime.after_command()  # what registering alice wrote may be claimed once
    claims = claims_counted(world)
    for _ in range(3):
        world.run("alice", "sessions")
        assert await world.runtime.after_command() == 0
    assert claims == []

    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    assert await world.runtime.after_command() == 1
    assert claims
    assert len(world.platform.to(CHANNEL, "New session: Circle")) == 1


async def test_what_the_courier_marks_sets_off_no_second_run(world: World) -> None:
    """Marking what went out is a write, but queues nothing: the command after it, a
    listing, claims nothing (a claim is a write transaction on every busy bot's path)."""
    world.member("alice")
    world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    assert await world.runtime.after_command() == 1
    claims = claims_counted(world)
    world.run("alice", "sessions")
    assert await world.runtime.after_command() == 0
    assert claims == []


async def test_a_wave_starts_going_out_before_the_whole_of_it_is_planned(worlds: Worlds) -> None:
    world = await worlds(db="wave.db")
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT none Civic Hall')
    db = world.community.db
    members = add_members(db, 2_500, world.clock.now())
    add_places(db, session, members, world.clock.now())
    await world.advance(local("2026-12-02 13:50"))
    queued_when_first_sent: list[int] = []
    send = world.platform.send_to_member

    async def noting_the_queue(member: Member, reply: Reply) -> None:
        if not queued_when_first_sent:
            reminders = "SELECT count(*) FROM deliveries WHERE kind = 'reminder'"
            queued_when_first_sent.append(int(db.execute(reminders).fetchone()[0]))
        await send(member, reply)

    world.platform.send_to_member = noting_the_queue  # type: ignore[method-assign]
    await world.advance(local("2026-12-02 14:10"))

    reminded = Counter(s.to for s in world.platform.sent if "A reminder:" in s.text)
    assert len(reminded) == 2_500 and set(reminded.values()) == {1}
    # The courier started once the first batch was queued, not after all 2,500.
    assert 0 < queued_when_first_sent[0] < 2_500
