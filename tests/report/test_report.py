"""The report: its figures on a known fixture, small groups hidden in every output, the chart
a real PNG, the CSV readable, and the work done in a fixed number of queries."""

from __future__ import annotations

import csv
import html
import io
import struct
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.image
import pytest

from bot.app import App
from bot.domain.clock import FakeClock
from bot.report.build import Report
from bot.report.outputs import report_csv, report_html
from bot.report.run import make_report
from bot.report.suppress import Figure, shown
from bot.storage.outcomes import period_figures
from tests.helpers import PLANNER, Run, build_app, ok, runner, schedule, snapshot

FEWER = "fewer than 5"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
LATER = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
SECTORS = {
    "m1": "health",
    "m2": "health",
    "m3": "health",
    "m4": "education",
    "m5": "education",
    "m6": "social-care",
    "m8": "prefer-not-to-say",
}


def _fixture(run: Run, clock: FakeClock) -> tuple[int, int]:
    """Two sessions held and one cancelled, eight members, attendance at the first only."""
    a = schedule(run, '"Grounding" 2026-11-26 14:00 90m DEVELOP 6 Room 1')
    b = schedule(run, '"Meeting across sectors" 2026-12-03 14:00 90m CONNECT 20 Room 2')
    c = schedule(run, '"Called off" 2026-12-10 14:00 90m INFLUENCE 10 Room 3')
    for name, sector in SECTORS.items():
        ok(run(name, f"sector {sector}"))
    for n in range(1, 8):
        ok(run(f"m{n}", f"signup {a}"))  # m7 is turned away: six places
    for n in range(1, 9):
        ok(run(f"m{n}", f"signup {b}"))
    ok(run(PLANNER, f"cancel-session {c} the room flooded"))
    clock.set(datetime(2026, 11, 26, 14, 30, tzinfo=UTC))
    for name in ("m1", "m2", "m3"):
        ok(run(name, f"attended {a}"))
    for name in ("m4", "m5", "m8"):
        ok(run(PLANNER, f"attendance {a} add {name}"))
    clock.set(datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    for name in ("m1", "m2", "m3", "m4", "m5"):
        ok(run(name, f"feedback {a} yes"))
    ok(run("m8", f"feedback {a} a-little"))
    ok(run("m8", f"feedback {a} words I met someone from housing"))
    clock.set(LATER)
    return a, b


def _values(report: Report, app: App, section: str, group: str = "") -> dict[str, str]:
    fewer = app.community.messages("report.fewer")
    return {
        r.figure: shown(r.now, fewer)
        for r in report.rows
        if r.section == section and r.group == group
    }


def test_the_reports_figures_on_a_known_fixture(run: Run, app: App, clock: FakeClock) -> None:
    a, b = _fixture(run, clock)
    report = make_report(app.community, SINCE, LATER).report
    assert _values(report, app, "sessions") == {
        "held": "2",
        "cancelled": "1",
        "places_offered": "26",
        "places_taken": "14",
        "turned_away": FEWER,
    }
    assert _values(report, app, "attendance") == {
        "attended": "6",
        "attendance_rate": "83%",  # five of the six with a place at the first session
        "no_show_rate": "17%",
        "walk_ins": FEWER,
    }
    assert _values(report, app, "people") == {
        "people": "8",
        "new_people": "8",
        "returning_people": "0",
        "three_sectors": "50%",  # the second session: health, education and social care
    }
    assert _values(report, app, "feedback") == {
        "answer_yes": "5",
        "answer_a-little": FEWER,
        "answer_not-this-time": "0",
        "feedback_words": FEWER,
    }
    assert _values(report, app, "objectives", "DEVELOP")["attended"] == "6"
    assert _values(report, app, "objectives", "CONNECT")["people"] == "8"
    assert _values(report, app, "months", "2026-11") == {
        "held": "1",
        "attended": "6",
        "people": "6",
    }
    mixes = {r.group: (r.figure, r.now) for r in report.rows if r.section == "per_session"}
    assert f"#{a} 2026-11-26 DEVELOP" in mixes and f"#{b} 2026-12-03 CONNECT" in mixes
    sectors = [r for r in report.rows if r.section == "per_session" and r.figure == "sectors"]
    assert [int(r.now.value) for r in sectors] == [2, 3]
    # The period before (the same length, ending on 1 November) held nothing.
    before = [r.before for r in report.rows if r.section == "sessions" and r.before]
    assert all(f.value == 0 for f in before)


def test_the_trend_compares_with_the_period_before_of_the_same_length(
    run: Run, app: App, clock: FakeClock
) -> None:
    _fixture(run, clock)
    late = datetime(2027, 1, 28, 9, 0, tzinfo=UTC)  # 1 Dec to 28 Jan; before: 3 Oct to 1 Dec
    report = make_report(app.community, datetime(2026, 12, 1, tzinfo=UTC), late).report
    [held] = [r for r in report.rows if r.section == "sessions" and r.figure == "held"]
    assert (held.now.value, held.before.value if held.before else None) == (1, 1)


def test_no_exported_figure_identifies_a_group_under_five(
    run: Run, app: App, clock: FakeClock
) -> None:
    _fixture(run, clock)
    made = make_report(app.community, SINCE, LATER)
    say = app.community.messages
    small = [r for r in made.report.rows if r.now.hidden]
    assert len(small) >= 8  # the fixture has plenty of small groups to hide
    table = list(csv.reader(io.StringIO(report_csv(made.report, say).decode())))
    assert len(table) == len(made.report.rows) + 1
    for row, cells in zip(made.report.rows, table[1:], strict=True):
        if row.now.hidden:
            assert cells[3] == FEWER, cells
        if row.before is not None and row.before.hidden:
            assert cells[4] == FEWER, cells
        for cell, fig in ((cells[3], row.now), (cells[4], row.before)):
            # A count of people is never shown between one and four.
            if fig is not None and fig.people is not None and fig.value == fig.people:
                assert cell not in {"1", "2", "3", "4"}, cells
    page = report_html(made.report, say, made.intro, made.png, made.alt)
    chat = ok(run(PLANNER, "report since 2026-11-01"))
    chat_text = "\n".join(line for item in chat.items for line in item.lines)
    for row in small:
        label = say(f"report.figure.{row.figure}")
        assert f"<td>{html.escape(label)}</td><td>{FEWER}</td>" in page.replace("\n", "")
        hidden_lines = [ln for ln in chat_text.splitlines() if f"{label}: {FEWER}" in ln]
        assert hidden_lines, label


def test_the_one_suppression_rule() -> None:
    assert shown(Figure(4, 4), FEWER) == FEWER
    assert shown(Figure(5, 5), FEWER) == "5"
    assert shown(Figure(9, 3), FEWER) == FEWER  # nine attendances by three people
    assert shown(Figure(0, 0), FEWER) == "0"
    assert shown(Figure(12), FEWER) == "12"  # sessions are not people
    assert shown(Figure(0.5, 3, "share"), FEWER) == FEWER
    assert shown(Figure(0.5, 10, "share"), FEWER) == "50%"


def test_the_chart_is_a_real_png_and_the_chat_report_carries_it_with_alt_text(
    run: Run, app: App, clock: FakeClock
) -> None:
    _fixture(run, clock)
    reply = ok(run(PLANNER, "report since 2026-11-01"))
    assert reply.attachment is not None and reply.attachment.mimetype == "image/png"
    png = reply.attachment.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 450)
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (450, 800)
    assert "Bar chart of attendances each month by objective" in reply.footer
    assert "Attendances: 6 (0)" in reply.footer


def test_a_period_that_cannot_be_read_is_refused_and_changes_nothing(run: Run, app: App) -> None:
    ok(run(PLANNER, "sessions"))
    before = snapshot(app)
    for words in ("since yesterday-ish", "0", "since 2099-01-01", "fortnight"):
        reply = run(PLANNER, f"report {words}")
        assert reply.error == "report.bad_period", words
    assert snapshot(app) == before


def test_the_report_is_for_the_planning_group_only(run: Run) -> None:
    assert run("m1", "report").error == "error.not_allowed"


@pytest.mark.parametrize("members", [10, 60])
def test_the_figures_take_the_same_number_of_queries_however_many_members(
    app: App, members: int, clock: FakeClock
) -> None:
    community = app.community
    run = app.dispatcher.handle_line
    from bot.domain.context import Actor

    sid = schedule(
        lambda who, line: run(Actor("console", who, who), line),
        '"Big" 2026-11-26 14:00 90m DEVELOP Room',
    )
    for n in range(members):
        run(Actor("console", f"p{n}", f"p{n}"), f"signup {sid}")
    statements: list[str] = []
    community.db.conn.set_trace_callback(statements.append)
    try:
        period_figures(community.db, SINCE, LATER, community.zone)
    finally:
        community.db.conn.set_trace_callback(None)
    assert len(statements) == 8  # one per kind of figure, CONNECT included


def test_months_and_days_are_the_communitys_own(tmp_path: Path) -> None:
    """An evening session on 30 November in Toronto starts on 1 December by UTC: it was held
    in November, and the report says so."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app = build_app(tmp_path, clock, timezone="America/Toronto")
    try:
        run = runner(app)
        late = schedule(run, '"Evening circle" 2026-11-30 20:00 60m CONNECT 10 Online')
        clock.set(LATER)
        report = make_report(app.community, SINCE, LATER).report
        assert _values(report, app, "months", "2026-11")["held"] == "1"
        assert not _values(report, app, "months", "2026-12")
        labels = {r.group for r in report.rows if r.section == "per_session"}
        assert f"#{late} 2026-11-30 CONNECT" in labels, labels
    finally:
        app.close()
