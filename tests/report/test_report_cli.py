"""`copbot report`: the figures printed, and the CSV, PNG and HTML written, on the real clock."""

from __future__ import annotations

import csv
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from tests.helpers import PLANNER, scheduled

pytestmark = pytest.mark.usefixtures("scratch")  # as an operator runs copbot


def _held_last_week(tmp_path: Path) -> str:
    """A session a week ago with six people there; returns a --since date before it."""
    now = datetime.now(UTC).replace(microsecond=0)
    then = now - timedelta(days=8)
    app = App.build(Config(database=tmp_path / "copbot.db"), FakeClock(then))
    when = (now - timedelta(days=7)).astimezone(app.community.zone).strftime("%Y-%m-%d 14:00")
    try:

        def run(who: str, line: str) -> None:
            reply = app.dispatcher.handle_line(Actor("console", who, who), line)
            assert not reply.error, reply.text

        scheduled(
            lambda who, line: app.dispatcher.handle_line(Actor("console", who, who), line),
            f'"Circle" {when} where="Civic Hall"',
        )
        names = [f"member{n}" for n in range(6)]
        for name in names:
            run(name, "signup 1")
        app.community.clock.set(now)  # type: ignore[attr-defined]
        for name in names:
            run(PLANNER, f"attendance 1 add {name}")
    finally:
        app.close()
    return (now - timedelta(days=30)).date().isoformat()


def test_report_writes_csv_png_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since = _held_last_week(tmp_path)
    code = main(
        ["report", "--since", since, "--csv", "r.csv", "--png", "r.png", "--html", "r.html"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Attendances: 6 (0)" in out
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    attended = [r for r in rows if r["figure"] == "Attendances" and r["group"] == ""]
    assert attended and attended[0]["this period"] == "6"
    png = (tmp_path / "r.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (800, 450)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'alt="Bar chart of attendances' in page and "<td>Attendances</td><td>6</td>" in page


def test_a_date_still_to_come_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    assert main(["report", "--since", later]) == 1
    assert "not in the past" in capsys.readouterr().err
