"""The engagement report: numbers that follow what happened, and nobody's words."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from tests.helpers import PLANNER, Run, ok, schedule


def lines(reply: object) -> str:
    return "\n".join(line for item in reply.items for line in item.lines)  # type: ignore[attr-defined]


def test_the_report_counts_sessions_places_and_reflections_but_shows_no_words(
    app: App, run: Run
) -> None:
    first = schedule(run, '"Circle" 2026-11-26 14:00 capacity=1 objective=CONNECT')
    second = schedule(run, '"Talk" 2026-11-27 14:00 objective=INFLUENCE')
    ok(run("ann", f"signup {first}"))
    ok(run("bo", f"signup {first}"))  # waitlisted: the session is full
    ok(run("bo", f"signup {second}"))
    ok(run("ann", "reflect A very private thought"))
    ok(run(PLANNER, f"cancel-session {second}"))
    app.community.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]

    text = lines(ok(run(PLANNER, "report 4")))

    assert "Sessions held: 1 (0)" in text
    assert "Sessions cancelled: 1 (0)" in text
    assert "CONNECT: Sessions held: 1 (0)" in text and "INFLUENCE: Sessions held: 0 (0)" in text
    # One place, one reflection: numbers from fewer than five people are never shown.
    assert "Places taken: fewer than 5 (0)" in text
    assert "Private reflections kept: fewer than 5 (0)" in text
    assert "private thought" not in text and "ann" not in text


def test_members_cannot_read_the_report(run: Run) -> None:
    reply = run("ann", "report")
    assert reply.private and reply.error == "error.not_allowed"
