"""The planning group's and members' listings run a fixed number of SQL statements, however
many members, places or past sessions there are: each reads what it shows in a few set-based
queries, never one a row. Each test runs a command at two sizes and compares the counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.scheduling.keys import NoticeKey
from bot.storage.db import immediate, utc_iso
from bot.storage.sessions import NewSession
from tests.counting import add_members, add_places, statements
from tests.helpers import NOW, PLANNER, build_app, ok, schedule

SIZES = (12, 120)
PAST = NewSession("Earlier circle", "", "DEVELOP", 60, "", None, None)


def _community(folder: Path, size: int) -> tuple[App, int]:
    """A community with `size` of everything: members with a place at the next weekly
    session (some of them marked as there), and a member, ann, who has had a place at
    `size` past sessions, was at each, and met `size` people through CONNECT. Half the
    members take the weekly prompt by direct message; each member has a notice held for
    quiet hours and a reminder that failed. Returns the app and the session."""
    folder.mkdir()
    app = build_app(folder, FakeClock(NOW))
    run = _runner(app)
    first = schedule(run, '"Weekly circle" 2026-12-01 10:00 repeat="weekly x3"')
    db = app.community.db
    ids = add_members(db, size, NOW)
    add_members(db, size // 2, NOW, prefix="k", preferences='{"prompts": true}')
    for session in (first, first + 1, first + 2):
        add_places(db, session, ids, NOW)
    ann = app.community.register(Actor("console", "ann", "ann")).id
    starts = [NOW - timedelta(days=7 * (i + 1)) for i in range(size)]
    past = [s.id for s in app.community.sessions.create(PAST, starts, NOW - timedelta(days=999))]
    add_places(db, first, [ann], NOW)
    with immediate(db):
        stamp = utc_iso(NOW)
        for session in past:
            db.execute(
                "INSERT INTO signups (session_id, member_id, status, created, updated)"
                " VALUES (?, ?, 'confirmed', ?, ?)",
                [session, ann, stamp, stamp],
            )
            db.execute(
                "INSERT INTO attendance (session_id, member_id, source, updated)"
                " VALUES (?, ?, 'self', ?)",
                [session, ann, stamp],
            )
        for member in ids[: size // 3]:
            db.execute(
                "INSERT INTO attendance (session_id, member_id, source, updated)"
                " VALUES (?, ?, 'planner', ?)",
                [first, member, stamp],
            )
        for number, member in enumerate(ids, start=1):
            db.execute(
                "INSERT INTO connect_rounds (id, period, due_utc) VALUES (?, ?, ?)",
                [number, f"p{number}", stamp],
            )
            for who in (ann, member):
                db.execute(
                    "INSERT INTO connect_groups (round_id, group_no, member_id, mixed)"
                    " VALUES (?, 1, ?, 0)",
                    [number, who],
                )
        for member in ids:  # a notice held for quiet hours, and a reminder that failed
            for kind, status, due in (
                ("changed", "pending", NOW + timedelta(hours=1)),
                ("reminder", "failed", NOW - timedelta(hours=1)),
            ):
                db.execute(
                    "INSERT INTO deliveries (key, kind, member_id, due_utc, first_due_utc,"
                    " status) VALUES (?, ?, ?, ?, ?, ?)",
                    [f"{kind}:{member}", kind, member, utc_iso(due), utc_iso(due), status],
                )
    return app, first


def _runner(app: App) -> Callable[[str, str], Reply]:
    return lambda name, line: app.dispatcher.handle_line(Actor("console", name, name), line)


def _counted(tmp_path: Path, who: str, line: Callable[[int], str]) -> list[int]:
    """The statements `line` runs as `who`, at each size (the command runs once first, so
    caches and first-contact work are the same at both)."""
    counts = []
    for size in SIZES:
        app, session = _community(tmp_path / f"s{size}", size)
        run = _runner(app)
        try:
            ok(run(who, "help"))
            with statements(app.community.db) as seen:
                ok(run(who, line(session)))
            counts.append(len(seen))
        finally:
            app.close()
    return counts


def _assert_bounded(counts: list[int]) -> None:
    small, large = counts
    assert large == small, f"{small} statements for {SIZES[0]}, {large} for {SIZES[1]}"


def test_attendees_reads_its_members_in_a_fixed_number_of_queries(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, PLANNER, lambda s: f"attendees {s}"))


def test_upcoming_posts_is_bounded(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, PLANNER, lambda s: "upcoming-posts"))


def test_mine_is_bounded(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, "ann", lambda s: "mine"))


def test_mydata_is_bounded(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, "ann", lambda s: "mydata"))


def test_calendar_mine_is_bounded(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, "ann", lambda s: "calendar mine"))


def test_report_is_bounded(tmp_path: Path) -> None:
    _assert_bounded(_counted(tmp_path, PLANNER, lambda s: "report 20"))


def test_cancelling_the_rest_of_a_series_queues_every_notice_in_bounded_statements(
    tmp_path: Path,
) -> None:
    counts = _counted(
        tmp_path, PLANNER, lambda s: f"cancel-session {s} scope=rest confirm=yes Unwell"
    )
    _assert_bounded(counts)


def test_post_now_reminders_queues_every_reminder_in_bounded_statements(tmp_path: Path) -> None:
    counts = []
    for size in SIZES:
        app, session = _community(tmp_path / f"s{size}", size)
        clock = app.community.clock
        assert isinstance(clock, FakeClock)
        clock.set(NOW + timedelta(days=5, hours=3))  # the day before the first session
        run = _runner(app)
        try:
            ok(run(PLANNER, "help"))
            with statements(app.community.db) as seen:
                reply = ok(run(PLANNER, "post-now reminders"))
            assert str(size + 1) in reply.text  # every member with a place, and ann
            rows = app.community.db.execute(
                "SELECT count(*) FROM deliveries WHERE key LIKE ?", [f"reminder:{session}:%:now:%"]
            ).fetchone()
            assert rows[0] == size + 1
            counts.append(len(seen))
        finally:
            app.close()
    _assert_bounded(counts)


def test_cancelling_the_rest_of_a_series_tells_each_holder_once_in_one_transaction(
    tmp_path: Path,
) -> None:
    """The sessions, the places released and every notice commit together (nothing is
    released untold, nothing told twice), waiting members included, one notice each."""
    app, first = _community(tmp_path / "one", 12)
    db = app.community.db
    waiting = add_members(db, 3, NOW, prefix="w")
    add_places(db, first + 1, waiting, NOW, status="waitlisted")
    run = _runner(app)
    try:
        ok(run(PLANNER, "help"))
        with statements(db) as seen:
            reply = ok(run(PLANNER, f"cancel-session {first} scope=rest confirm=yes Unwell"))
        assert [s for s in seen if s.split()[0] == "COMMIT"] == ["COMMIT"]
        held = db.execute(
            "SELECT session_id, member_id FROM signups WHERE status = 'cancelled'"
            " AND session_id IN (?, ?, ?)",
            [first, first + 1, first + 2],
        ).fetchall()
        told = db.execute(
            "SELECT key, session_id, member_id FROM deliveries WHERE kind = 'cancelled'"
        ).fetchall()
        assert len(held) == 3 * 12 + 1 + 3
        assert sorted((s, m) for _, s, m in told) == sorted(held)
        for key, session, member in told:
            parsed = NoticeKey.parse(key)
            assert (parsed.session_id, parsed.member_id, parsed.at) == (session, member, NOW)
        assert str(len(held)) in reply.text
    finally:
        app.close()
