"""`Planner.tally` counts, a group of members at a time, exactly what `Planner.batches`
would hand out one member at a time: the same kinds at the same times, the same number of
each, whatever members chose, wherever they are, and whenever they took their place."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.domain.clock import FakeClock
from bot.scheduling.plan import Planner
from bot.storage.db import immediate
from bot.storage.sessions import NewSession
from tests.counting import add_members, add_places, statements
from tests.helpers import NOW, build_app, runner, schedule

CHOICES = (
    "{}",
    '{"prompts": true}',
    '{"picks": true, "prompts": true, "quiet_hours": false}',
    '{"reminders": false}',
    '{"prompts": true, "via": "dm"}',
    '{"picks": true}',
    '{"paused_until": "2026-12-02T00:00:00+00:00", "prompts": true}',
)
PAST = NewSession("Earlier circle", "", "DEVELOP", 90, "", None, None)


def _community(tmp_path: Path) -> App:
    """Members making every choice, a few on another continent's clock; sessions over the
    next fortnight (one early on a Saturday, inside quiet hours), each with places, some
    taken just now; two sessions just gone, one with attendance marked."""
    app = build_app(tmp_path, FakeClock(NOW))
    run = runner(app)
    db = app.community.db
    groups = [
        add_members(db, 6, NOW, prefix=f"c{n}-", preferences=p) for n, p in enumerate(CHOICES)
    ]
    everyone = [m for group in groups for m in group]
    with immediate(db):
        db.execute(
            "UPDATE members SET timezone = 'America/New_York' WHERE id % 5 = 0 AND id IN"
            f" ({', '.join(str(m) for m in everyone)})"
        )
    ahead = [
        schedule(run, '"Thursday circle" 2026-11-26 14:00'),
        schedule(run, '"Saturday early" 2026-11-28 07:30'),
        schedule(run, '"Next week" 2026-12-02 17:30'),
        schedule(run, '"Later" 2026-12-08 10:00'),
    ]
    for n, session in enumerate(ahead):
        early = [m for i, m in enumerate(everyone) if i % 3 != n % 3]
        late = [m for i, m in enumerate(everyone) if i % 3 == n % 3 and i % 2 == 0]
        add_places(db, session, early, NOW - timedelta(days=20))
        add_places(db, session, late, NOW - timedelta(days=n))
    # Taken on Friday at 07:45, after Saturday's day-before reminder was due (07:30) and
    # before quiet hours let it go (08:00): no reminder for these three.
    late_comers = add_members(db, 3, NOW, prefix="late-")
    add_places(db, ahead[1], late_comers, NOW + timedelta(days=1, hours=22, minutes=45))
    gone = app.community.sessions.create(
        PAST, [NOW - timedelta(hours=3), NOW - timedelta(days=2)], NOW - timedelta(days=30)
    )
    for session in gone:
        add_places(db, session.id, everyone[::3], NOW - timedelta(days=10))
    for member in everyone[::4]:
        app.community.outcomes.attendance.mark(gone[0].id, member, "self", NOW)
    return app


def _one_by_one(app: App, start: datetime, end: datetime) -> Counter[tuple[datetime, str]]:
    batches = Planner(app.community).batches(start, end)
    return Counter((item.due, item.kind) for batch in batches for item in batch)


@pytest.mark.parametrize(
    ("after", "span"),
    [
        (timedelta(0), timedelta(days=14)),
        (timedelta(hours=5), timedelta(days=3)),
        (timedelta(days=6, hours=20), timedelta(hours=30)),
        (timedelta(days=1, hours=22), timedelta(hours=6)),
    ],
)
def test_the_tally_counts_what_the_batches_hand_out(
    tmp_path: Path, after: timedelta, span: timedelta
) -> None:
    app = _community(tmp_path)
    try:
        start = NOW + after
        expected = _one_by_one(app, start, start + span)
        counted = Planner(app.community).tally(start, start + span)
        assert counted == expected
    finally:
        app.close()


def test_the_tally_covers_every_kind_a_fortnight_holds(tmp_path: Path) -> None:
    """The community above is not trivial: the comparison meets reminders held out of
    quiet hours and not, copies by direct message, follow-ups to those marked there and to
    those with a place, and places taken too late for a reminder."""
    app = _community(tmp_path)
    try:
        counted = Planner(app.community).tally(NOW, NOW + timedelta(days=14))
        kinds = {kind for _, kind in counted}
        assert {"reminder", "soon", "followup", "prompt", "prompt-dm", "pick-dm"} <= kinds
        reminder_times = {due for due, kind in counted if kind == "reminder"}
        assert len(reminder_times) > 4
    finally:
        app.close()


def test_the_tally_reads_the_calendar_once(tmp_path: Path) -> None:
    """Reminders, starting-soon posts, follow-ups and the question after a session each
    look at the sessions of their own stretch of time; a tally reads them all in one go."""
    app = _community(tmp_path)
    try:
        with statements(app.community.db) as seen:
            counted = Planner(app.community).tally(NOW, NOW + timedelta(days=14))
        reads = [s for s in seen if s.startswith("SELECT * FROM sessions")]
        assert len(reads) == 1, reads
        assert counted == _one_by_one(app, NOW, NOW + timedelta(days=14))
    finally:
        app.close()
