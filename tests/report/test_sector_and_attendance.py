"""Sector, self-declared; attendance by tap and by the planning group; walk-ins; privacy."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta

from bot.app import App
from bot.domain.clock import FakeClock
from bot.storage.members import Member
from tests.helpers import PLANNER, Run, ok, schedule, snapshot

Find = Callable[[str], Member]


def _session(run: Run) -> int:
    # Thursday 26 November 2026, 14:00-15:30 London (GMT): the day after the tests' clock.
    return schedule(run, '"Circle" 2026-11-26 14:00 90m CONNECT 20 Civic Hall')


def _during(clock: FakeClock) -> None:
    clock.set(clock.now().replace(day=26, hour=14, minute=30))


def test_first_signup_asks_about_sector_once_and_never_again(run: Run, app: App) -> None:
    first, second = _session(run), _session(run)
    asked = ok(run("ana", f"signup {first}"))
    assert [a.command for a in asked.actions][1:] == ["sector", "sector none"]
    assert asked.footer == app.community.messages("sector.offer")
    again = ok(run("ana", f"signup {second}"))
    assert [a.command for a in again.actions] == [f"cancel {second}"]
    assert again.footer == ""


def test_sector_is_chosen_shown_in_settings_and_mydata_and_cleared(
    run: Run, app: App, member: Find
) -> None:
    choices = ok(run("ana", "sector"))
    assert [a.command for a in choices.actions][:2] == ["sector health", "sector education"]
    ok(run("ana", "sector education"))
    assert app.community.outcomes.sectors.get(member("ana").id) == "education"
    assert "Education" in ok(run("ana", "settings")).items[0].lines[-1]
    data = ok(run("ana", "mydata"))
    assert any("Education" in item.title for item in data.items)
    assert json.loads(data.attachment.content)["sector"][0]["sector"] == "education"
    ok(run("ana", "sector none"))
    assert app.community.outcomes.sectors.get(member("ana").id) is None


def test_an_unknown_sector_is_refused_kindly_and_changes_nothing(run: Run, app: App) -> None:
    ok(run("ana", "timezone"))
    before = snapshot(app)
    reply = run("ana", "sector astronaut")
    assert reply.error == "sector.unknown" and "astronaut" in reply.text
    assert "social-care" in reply.text
    assert snapshot(app) == before


def test_a_member_with_a_place_says_i_was_there_with_one_tap(
    run: Run, app: App, clock: FakeClock, member: Find
) -> None:
    sid = _session(run)
    ok(run("ana", f"signup {sid}"))
    early = run("ana", f"attended {sid}")
    assert early.error == "attended.too_early"
    _during(clock)
    done = ok(run("ana", f"attended {sid}"))
    assert f"attended {sid} undo" in [a.command for a in done.actions]
    assert app.community.outcomes.attendance.present(sid) == {member("ana").id: "self"}
    assert ok(run("ana", f"attended {sid}")).text.startswith("You're already down")
    ok(run("ana", f"attended {sid} undo"))
    assert app.community.outcomes.attendance.present(sid) == {}


def test_only_those_with_a_place_can_mark_themselves(run: Run, app: App, clock: FakeClock) -> None:
    sid = _session(run)
    _during(clock)
    reply = run("bea", f"attended {sid}")
    assert reply.error == "attended.not_booked"
    assert app.community.outcomes.attendance.present(sid) == {}


def test_planners_tick_the_list_and_add_a_walk_in_by_name(
    run: Run, app: App, clock: FakeClock, member: Find
) -> None:
    sid = _session(run)
    for name in ("ana", "bea"):
        ok(run(name, f"signup {sid}"))
    _during(clock)
    listing = ok(run(PLANNER, f"attendance {sid}"))
    assert [i.title for i in listing.items] == ["ana", "bea"]
    tick = listing.items[1].actions[0].command
    assert tick == f"attendance {sid} mark member:{member('bea').id}"
    ok(run(PLANNER, tick))
    ok(run(PLANNER, f"attendance {sid} add Cai Jones"))
    present = app.community.outcomes.attendance.present(sid)
    cai = app.community.members.by_name("console", "Cai Jones")
    assert cai is not None
    assert present == {member("bea").id: "planner", cai.id: "walk-in"}
    # The list now shows the walk-in too, each with a way to correct the mark.
    again = ok(run(PLANNER, f"attendance {sid}"))
    assert [i.title for i in again.items] == ["ana", "bea", "Cai Jones"]
    assert again.items[1].actions[0].command.startswith(f"attendance {sid} unmark")
    ok(run(PLANNER, again.items[1].actions[0].command))
    assert member("bea").id not in app.community.outcomes.attendance.present(sid)


def test_attendance_is_for_the_planning_group_only(run: Run) -> None:
    sid = _session(run)
    assert run("ana", f"attendance {sid}").error == "error.not_allowed"


def test_attendees_and_its_csv_show_who_was_there(run: Run, app: App, clock: FakeClock) -> None:
    sid = _session(run)
    for name in ("ana", "bea"):
        ok(run(name, f"signup {sid}"))
    _during(clock)
    ok(run("ana", f"attended {sid}"))
    ok(run(PLANNER, f"attendance {sid} add Cai"))
    reply = ok(run(PLANNER, f"attendees {sid}"))
    assert reply.items[0].lines == ("ana · was there", "bea", "Cai · came without a place")
    assert reply.attachment is not None
    table = list(csv.DictReader(io.StringIO(reply.attachment.content.decode())))
    assert [(r["name"], r["status"], r["attended"]) for r in table] == [
        ("ana", "confirmed", "self"),
        ("bea", "confirmed", ""),
        ("Cai", "walk-in", "walk-in"),
    ]


def test_forget_me_erases_sector_attendance_and_feedback_markers(
    run: Run, app: App, clock: FakeClock, member: Find
) -> None:
    sid = _session(run)
    ok(run("ana", f"signup {sid}"))
    ok(run("ana", "sector health"))
    clock.advance(timedelta(days=1, hours=8))  # after the session
    ok(run("ana", f"attended {sid}"))
    ok(run("ana", f"feedback {sid} yes"))
    held = app.community.privacy.export(member("ana").id)
    assert held["sector"] and held["attendance"] and held["feedback_asked"]
    ana = member("ana").id
    ok(run("ana", "forget-me confirm"))
    db = app.community.db
    for table in ("member_sectors", "attendance", "feedback_asked"):
        count = db.execute(f"SELECT count(*) FROM {table} WHERE member_id = ?", [ana])
        assert count.fetchone()[0] == 0, table
    # The anonymous answer stays: it was never tied to Ana.
    assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 1
