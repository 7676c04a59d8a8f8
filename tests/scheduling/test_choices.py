"""A member's choices are read when each message is sent, and every message offers a way out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.domain.context import Reply
from bot.storage.members import Member
from tests.scheduling.conftest import Recorder, World, Worlds, local


async def queue_the_week_ahead_reminders(world: World, session: int) -> None:
    """Bring the clock to the 7-day point and queue (not yet send) the reminders due then."""
    await world.advance(local("2026-12-03 13:50"))
    world.clock.set(local("2026-12-03 14:00"))
    assert await world.runtime.plan(world.clock.now()) >= 1


async def test_pause_and_unsubscribe_made_after_queueing_are_honoured_at_send_time(
    world: World,
) -> None:
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT 20 Civic Hall')
    members = {name: world.member(name) for name in ("alice", "bob", "carol")}
    for name in members:
        world.run(name, f"signup {session}")
    await queue_the_week_ahead_reminders(world, session)
    queued = {r["member_id"]: r["status"] for r in world.ledger("reminder")}
    assert set(queued.values()) == {"pending"} and len(queued) == 3

    world.run("alice", "pause 2")
    world.run("bob", "unsubscribe reminders")
    await world.runtime.tick()

    def row(name: str, label: str) -> tuple[str, str]:
        key = f"reminder:{session}:{members[name].id}:{label}:20261210T1400Z"
        found = world.ledger(key=key)[0]
        return found["status"], found["reason"]

    assert row("alice", "1w") == ("skipped", "paused")
    assert row("bob", "1w") == ("skipped", "member turned off reminders")
    assert row("carol", "1w") == ("sent", "")
    assert world.platform.reminders("alice") == world.platform.reminders("bob") == []

    # Subscribing again ends Alice's pause; Bob stays unsubscribed.
    await world.advance(local("2026-12-08 12:00"))
    world.run("alice", "subscribe reminders")
    await world.advance(local("2026-12-11 00:00"))
    assert [s.at for s in world.platform.reminders("alice")] == [
        local("2026-12-09 14:00"),
        local("2026-12-10 13:00"),
    ]
    assert world.platform.reminders("bob") == []
    assert world.platform.to("bob", "has now taken place") == []
    assert row("bob", "1d") == ("skipped", "member turned off reminders")
    assert len(world.platform.reminders("carol")) == 3


async def test_a_pause_runs_out_on_its_own(world: World) -> None:
    world.member("alice")
    world.run("alice", "subscribe prompts")
    world.run("alice", "pause 1")  # Monday 30 November, 00:00, for one week
    await world.advance(local("2026-12-15 00:00"))
    copies = world.platform.to("alice", "This week's reflection")
    assert [s.at for s in copies] == [local("2026-12-07 09:30"), local("2026-12-14 09:30")]
    skipped = [r for r in world.ledger("prompt-dm") if r["status"] == "skipped"]
    assert [(r["due_utc"][:10], r["reason"]) for r in skipped] == [("2026-11-30", "paused")]


@dataclass
class HookedRecorder(Recorder):
    """Runs `hook` once, after `after` messages have gone out: something happening mid-wave."""

    after: int = 0
    hook: list = field(default_factory=list)

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        await super().send_to_member(member, reply)
        if len(self.sent) == self.after and self.hook:
            self.hook.pop()()


async def test_a_member_who_erases_their_data_mid_wave_gets_nothing_more(worlds: Worlds) -> None:
    world = await worlds(platform=HookedRecorder)
    platform = world.platform
    assert isinstance(platform, HookedRecorder)
    session = world.schedule('"Circle" 2026-12-10 14:00 90m CONNECT none Civic Hall')
    names = [f"member{i}" for i in range(8)]
    for name in names:
        world.run(name, f"signup {session}")
        world.run(name, "subscribe prompts")
    await world.advance(local("2026-12-03 13:50"))
    platform.sent.clear()
    gone: list[str] = []

    def erase_someone_still_waiting() -> None:
        waiting = [r for r in world.ledger("reminder") if r["status"] == "claimed"]
        assert len(waiting) >= 3, "the wave is still going"
        member = world.community.members.get(waiting[-1]["member_id"])
        gone.append(member.display_name)
        world.run(member.display_name, "forget-me confirm")

    platform.after, platform.hook = 2, [erase_someone_still_waiting]
    await world.advance(local("2026-12-11 00:00"))

    assert len(gone) == 1
    assert world.community.members.by_name("console", gone[0]) is None
    assert platform.to(gone[0]) == []
    reminded = sorted({s.to for s in platform.sent if "A reminder:" in s.text})
    assert reminded == sorted(set(names) - set(gone))
    # Nothing about them is left in the ledger either.
    held = world.community.db.execute(
        "SELECT count(*) FROM deliveries WHERE member_id NOT IN (SELECT id FROM members)"
    ).fetchone()[0]
    assert held == 0


async def test_every_direct_message_offers_a_way_to_stop_it(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall')
    world.member("alice")
    world.run("alice", f"signup {session}")
    world.run("alice", "subscribe prompts")
    world.run("alice", "subscribe picks")

    await world.advance(local("2026-12-04 00:00"))

    kinds = {
        "A reminder:": "unsubscribe reminders",
        "has now taken place": "unsubscribe reminders",
        "This week's reflection": "unsubscribe prompts",
        "resource:": "unsubscribe picks",
    }
    dms = world.platform.to("alice")
    assert len(dms) == 5  # the prompt, the pick, the 1-day and 1-hour reminders, a follow-up
    seen = set()
    for dm in dms:
        assert any(c.startswith("unsubscribe ") for c in dm.commands), dm.text
        assert "support" in dm.commands, "support is one step away from every DM"
        assert dm.reply.footer, "says why it was sent"
        for words, stop in kinds.items():
            if words in dm.text:
                assert stop in dm.commands, dm.text
                seen.add(words)
    assert seen == set(kinds)
    # Pressing the button works, and stops that kind only.
    world.run("alice", "unsubscribe prompts")
    await world.advance(local("2026-12-10 00:00"))
    assert len(world.platform.to("alice", "This week's reflection")) == 1
    assert len(world.platform.to("alice", "resource:")) == 2


async def test_subscribing_to_prompts_later_brings_the_next_one_only(world: World) -> None:
    await world.advance(local("2026-12-01 00:00"))
    world.member("alice")
    world.run("alice", "subscribe prompts")
    await world.advance_by(timedelta(days=7))
    copies = world.platform.to("alice", "This week's reflection")
    assert [s.at for s in copies] == [local("2026-12-07 09:30")]


async def test_a_paused_member_still_hears_that_a_place_is_theirs(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT 1 Civic Hall')
    world.member("alice")
    world.member("bob")
    world.run("alice", f"signup {session}")
    world.run("bob", f"signup {session}")  # waitlisted
    world.run("bob", "pause 2")
    world.run("alice", f"cancel {session}")

    await world.advance(local("2026-11-30 11:00"))

    [notice] = world.platform.to("bob", "a place has opened up")
    assert f"cancel {session}" in notice.commands  # the way out: give the place up
    assert not world.platform.reminders("bob")  # the pause still holds for reminders


async def test_a_held_notice_that_is_no_longer_true_is_not_sent(world: World) -> None:
    session = world.schedule('"Circle" 2026-12-03 14:00 90m CONNECT 1 Civic Hall')
    world.member("alice")
    world.member("bob")
    world.run("alice", f"signup {session}")
    world.run("bob", f"signup {session}")
    await world.advance(local("2026-11-30 19:00"))  # quiet hours: notices wait for morning
    world.run("alice", f"cancel {session}")  # bob is promoted; his notice waits
    world.run("organiser", f"cancel-session {session} Room unavailable")

    await world.advance(local("2026-12-01 09:00"))

    assert world.platform.to("bob", "has been cancelled")
    assert not world.platform.to("bob", "a place has opened up")
    [held] = world.ledger("promoted")
    assert held["status"] == "skipped"


async def test_giving_up_a_place_after_the_session_promotes_nobody(world: World) -> None:
    session = world.schedule('"Circle" 2026-11-30 14:00 60m CONNECT 1 Civic Hall')
    world.member("alice")
    world.member("bob")
    world.run("alice", f"signup {session}")
    world.run("bob", f"signup {session}")
    await world.advance(local("2026-11-30 16:00"))

    world.run("alice", f"cancel {session}")
    world.run("bob", "forget-me confirm")
    await world.advance(local("2026-12-01 09:00"))

    assert not world.ledger("promoted")


async def test_resume_ends_a_pause_and_keeps_every_other_choice(world: World) -> None:
    world.member("alice")
    world.run("alice", "unsubscribe picks")
    paused = world.run("alice", "pause 3")
    assert [a.command for a in paused.actions] == ["resume"]
    world.run("alice", "resume")
    prefs = world.community.members.preferences(world.member_named("alice").id)
    assert prefs.paused_until is None and prefs.reminders and not prefs.picks
    assert "Nothing is paused" in world.run("alice", "resume").text
