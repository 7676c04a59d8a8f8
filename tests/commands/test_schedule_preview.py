"""Before anything is announced, the planner sees exactly what will be posted, and only
"Schedule it" creates and announces it: once, even pressed twice or after a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.adapters.console import render
from bot.app import App
from bot.config import PlanningGroup
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from tests.helpers import NOW, PLANNER, Run, build_app, ok, press, rows, snapshot

LINE = '"Circle" 2026-12-03 14:00 90m CONNECT 12 weekly x4 Civic Hall'


def count(app: App, sql: str) -> int:
    return int(rows(app, f"SELECT count(*) AS n FROM ({sql})")[0]["n"])


def sessions(app: App) -> int:
    return count(app, "SELECT id FROM sessions")


def announcements(app: App) -> int:
    return count(app, "SELECT key FROM deliveries WHERE kind = 'announcement'")


def shown(reply: Reply) -> str:
    return "\n".join([reply.text, *(f"{i.title}\n" + "\n".join(i.lines) for i in reply.items)])


def test_the_preview_shows_everything_that_will_be_posted_and_posts_nothing(
    app: App, run: Run
) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    text = shown(preview)
    for part in (
        "Circle",
        "New session: Circle (CONNECT). Everyone is welcome.",
        "Thu 3 Dec 2026, 14:00–15:30 (Europe/London)",
        "1 hour and 30 minutes",
        "CONNECT · Civic Hall",
        "12 of 12 places left",
        "every week on Thursday, 4 times",
        "4 sessions: 3 Dec 2026, 10 Dec 2026, 17 Dec 2026, 24 Dec 2026",
    ):
        assert part in text, part
    assert [a.label for a in preview.actions] == ["Schedule it", "Change"]
    assert preview.private and preview.mentions == ()
    assert sessions(app) == 0 and announcements(app) == 0


def test_schedule_it_creates_exactly_what_was_shown_and_announces_it(app: App, run: Run) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    done = ok(run(PLANNER, press(preview, "schedule-confirm")))
    assert "Scheduled #1 Circle (4 session(s))" in done.text
    found = rows(app, "SELECT * FROM sessions ORDER BY start_utc")
    assert [r["start_utc"][:10] for r in found] == [
        "2026-12-03",
        "2026-12-10",
        "2026-12-17",
        "2026-12-24",
    ]
    assert {
        (r["duration_minutes"], r["objective"], r["capacity"], r["location"]) for r in found
    } == {(90, "CONNECT", 12, "Civic Hall")}
    assert announcements(app) == 1


def test_pressing_schedule_it_twice_schedules_once(app: App, run: Run) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    ok(run(PLANNER, press(preview, "schedule-confirm")))
    before = snapshot(app)
    again = ok(run(PLANNER, press(preview, "schedule-confirm")))
    assert "already scheduled: #1 Circle" in again.text
    assert snapshot(app) == before


def test_the_button_still_works_after_a_restart(tmp_path: Path) -> None:
    planner = Actor("console", PLANNER, PLANNER)
    first = build_app(tmp_path)
    preview = ok(first.dispatcher.handle_line(planner, f"schedule {LINE}"))
    first.close()
    second = build_app(tmp_path, FakeClock(NOW + timedelta(hours=2)))
    try:
        ok(second.dispatcher.handle_line(planner, press(preview, "schedule-confirm")))
        assert sessions(second) == 4 and announcements(second) == 1
    finally:
        second.close()


def test_a_preview_keeps_for_a_day(app: App, run: Run, clock: FakeClock) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    clock.advance(timedelta(hours=25))
    reply = run(PLANNER, press(preview, "schedule-confirm"))
    assert reply.error == "preview.expired", reply.text
    assert sessions(app) == 0 and announcements(app) == 0


def test_a_preview_whose_time_has_come_is_not_scheduled(
    app: App, run: Run, clock: FakeClock
) -> None:
    preview = ok(run(PLANNER, 'schedule "Soon" today 13:00'))
    clock.advance(timedelta(hours=5))
    reply = run(PLANNER, press(preview, "schedule-confirm"))
    assert reply.error == "when.past", reply.text
    assert sessions(app) == 0


def test_change_gives_back_the_command_and_the_old_preview_can_no_longer_be_scheduled(
    app: App, run: Run
) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    change = ok(run(PLANNER, press(preview, "schedule-change")))
    line = (
        '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 12 repeat="weekly x4"'
        ' where="Civic Hall"'
    )
    assert line in change.text
    assert run(PLANNER, press(preview, "schedule-confirm")).error == "preview.changed"
    again = ok(run(PLANNER, line))  # what Change gave back makes the same preview
    assert shown(again).split("\n", 1)[1] == shown(preview).split("\n", 1)[1]
    assert sessions(app) == 0


def test_typed_without_a_code_it_means_the_latest_preview(app: App, run: Run) -> None:
    ok(run(PLANNER, 'schedule "Older" 2026-12-03 14:00'))
    ok(run(PLANNER, 'schedule "Newer" 2026-12-04 14:00'))
    done = ok(run(PLANNER, "schedule-confirm"))
    assert "Newer" in done.text
    assert [r["title"] for r in rows(app, "SELECT title FROM sessions")] == ["Newer"]
    assert "already scheduled" in ok(run(PLANNER, "schedule-confirm")).text
    assert sessions(app) == 1


def test_nothing_waiting_says_so(app: App, run: Run) -> None:
    assert run(PLANNER, "schedule-confirm").error == "preview.none"


def test_a_preview_is_only_its_own_planners(tmp_path: Path) -> None:
    app = build_app(tmp_path, planning_group=PlanningGroup(console_users=(PLANNER, "pat")))
    try:
        preview = ok(
            app.dispatcher.handle_line(Actor("console", PLANNER, PLANNER), f"schedule {LINE}")
        )
        pat = Actor("console", "pat", "pat")
        reply = app.dispatcher.handle_line(pat, press(preview, "schedule-confirm"))
        assert reply.error == "preview.unknown", reply.text
        assert sessions(app) == 0
    finally:
        app.close()


def test_a_long_series_shows_its_first_dates_and_its_last(app: App, run: Run) -> None:
    preview = ok(run(PLANNER, 'schedule "Circle" 2026-12-03 14:00 weekly x20'))
    text = shown(preview)
    assert "20 sessions: 3 Dec 2026, 10 Dec 2026" in text
    assert "and 9 more, the last on 15 Apr 2027" in text


def test_the_console_shows_the_buttons_as_commands_to_type(app: App, run: Run) -> None:
    preview = ok(run(PLANNER, f"schedule {LINE}"))
    code = press(preview, "schedule-confirm").split()[1]
    drawn = render(preview)
    assert f"[Schedule it: /cop schedule-confirm {code}]" in drawn
    assert f"[Change: /cop schedule-change {code}]" in drawn
