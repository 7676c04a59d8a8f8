"""After a session: "I was there" on the starting-soon post and the follow-up, the follow-up to
those who were there, and one question to each of them, once, kept without their name."""

from __future__ import annotations

from bot.domain.context import Actor
from bot.scheduling import feedback
from bot.scheduling.plan import Planner
from tests.scheduling.conftest import PLANNER, World, local

CIRCLE = '"Circle" 2026-12-03 14:00 90m DEVELOP 20 Civic Hall'  # Thursday, 14:00-15:30


def _book(world: World, *names: str) -> int:
    session = world.schedule(CIRCLE)
    for name in names:
        world.member(name)
        world.run(name, f"signup {session}")
    return session


async def test_the_soon_post_and_the_follow_up_offer_i_was_there(world: World) -> None:
    session = _book(world, "ana", "bea", "cai")
    await world.advance(local("2026-12-03 14:00"))
    [soon] = world.platform.to("#cop-announcements", "Starting in 15 minutes")
    assert f"attended {session}" in soon.commands
    # Nobody marked yet: the follow-up goes to everyone with a place, with the button.
    await world.advance(local("2026-12-03 16:10"))
    followups = [s for s in world.platform.sent if "for being part of" in s.text]
    assert sorted(s.to for s in followups) == ["ana", "bea", "cai"]
    assert all(f"attended {session}" in s.commands for s in followups)
    # Nobody is known to have come, so nobody is thanked for coming.
    assert not any(s.text.startswith("Thank you for being part of") for s in followups)


async def test_once_anyone_is_marked_the_follow_up_goes_only_to_those_there(
    world: World,
) -> None:
    session = _book(world, "ana", "bea", "cai")
    await world.advance(local("2026-12-03 14:20"))
    world.run("ana", f"attended {session}")
    world.run(PLANNER, f"attendance {session} mark bea")
    await world.advance(local("2026-12-03 16:10"))
    followups = [s for s in world.platform.sent if "for being part of" in s.text]
    assert sorted(s.to for s in followups) == ["ana", "bea"]
    assert all(s.text.startswith("Thank you for being part of") for s in followups)


async def test_the_question_goes_once_to_those_there_and_never_chases(world: World) -> None:
    session = _book(world, "ana", "bea", "cai")
    await world.advance(local("2026-12-03 14:20"))
    world.run("ana", f"attended {session}")
    world.run("bea", f"attended {session}")
    await world.advance(local("2026-12-06 12:00"))
    asked = [s for s in world.platform.sent if "take something away" in s.text]
    assert sorted(s.to for s in asked) == ["ana", "bea"]  # cai was not marked as there
    # Due three hours after the end (18:30), held by quiet hours to the next morning.
    assert {s.at for s in asked} == {local("2026-12-04 08:00")}
    assert [a.command for a in asked[0].reply.actions] == [
        f"feedback {session} yes",
        f"feedback {session} a-little",
        f"feedback {session} not-this-time",
        f"feedback {session} no-thanks",
        "support",  # every direct message keeps support one step away
    ]
    # A week on, nothing more: the question is never repeated.
    await world.advance(local("2026-12-13 12:00"))
    assert len([s for s in world.platform.sent if "take something away" in s.text]) == 2


async def test_a_tap_after_the_session_asks_straight_away_and_the_schedule_does_not_repeat_it(
    world: World,
) -> None:
    session = _book(world, "ana")
    await world.advance(local("2026-12-03 16:00"))
    reply = world.run("ana", f"attended {session}")
    assert "take something away" in reply.text
    assert f"feedback {session} no-thanks" in [a.command for a in reply.actions]
    await world.advance(local("2026-12-05 12:00"))
    assert not [s for s in world.platform.sent if "take something away" in s.text]
    assert world.ledger("feedback")[0]["status"] == "skipped"


async def test_answers_are_kept_without_the_member_and_only_once(world: World) -> None:
    session = _book(world, "ana", "bea")
    await world.advance(local("2026-12-03 16:00"))
    world.run("ana", f"attended {session}")
    world.run("ana", f"feedback {session} a-little")
    world.run("ana", f"feedback {session} words I will try the grounding exercise")
    again = world.run("ana", f"feedback {session} yes")
    assert "already answered" in again.text
    db = world.community.db
    columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)").fetchall()]
    assert columns == ["id", "session_id", "objective", "answer", "words"]
    rows = db.execute("SELECT session_id, objective, answer, words FROM feedback").fetchall()
    assert sorted(rows, key=repr) == sorted(
        [
            (session, "DEVELOP", "a-little", ""),
            (session, "DEVELOP", None, "I will try the grounding exercise"),
        ],
        key=repr,
    )
    # Bea was not marked as there: she cannot answer for the session.
    refused = world.app.dispatcher.handle_line(
        Actor("console", "bea", "bea"), f"feedback {session} yes"
    )
    assert refused.error == "feedback.not_there"


async def test_no_thanks_dismisses_with_one_tap(world: World) -> None:
    session = _book(world, "ana")
    await world.advance(local("2026-12-03 14:20"))
    world.run("ana", f"attended {session}")
    world.run("ana", f"feedback {session} no-thanks")
    await world.advance(local("2026-12-06 12:00"))
    assert not [s for s in world.platform.sent if "take something away" in s.text]
    assert world.ledger("feedback")[0]["status"] == "skipped"
    assert world.community.db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0


async def test_the_question_is_planned_from_one_read_of_who_was_there(world: World) -> None:
    """A fortnight of sessions is planned with one attendance query, not one a session."""
    sessions = [
        world.schedule(f'"Circle {n}" 2026-12-0{n} 14:00 90m DEVELOP 20 Civic Hall')
        for n in (2, 3, 4)
    ]
    for name in ("ana", "bea"):
        world.member(name)
    await world.advance(local("2026-12-04 15:40"))
    world.run(PLANNER, f"attendance {sessions[0]} mark ana")
    world.run(PLANNER, f"attendance {sessions[2]} mark bea")
    world.run(PLANNER, f"attendance {sessions[2]} mark ana")

    seen: list[str] = []
    world.community.db.conn.set_trace_callback(seen.append)
    try:
        planned = feedback.plan(
            Planner(world.community), local("2026-12-01 00:00"), local("2026-12-08 00:00")
        )
    finally:
        world.community.db.conn.set_trace_callback(None)

    ana, bea = world.member_named("ana").id, world.member_named("bea").id
    assert sorted((p.session_id, p.member_id) for p in planned) == sorted(
        [(sessions[0], ana), (sessions[2], ana), (sessions[2], bea)]
    )
    assert sum("FROM attendance" in sql for sql in seen) == 1, seen
