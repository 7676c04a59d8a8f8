"""A rehearsal on a simulated clock works on a copy: the live calendar never hears of it.

Found in use: after a rehearsal the real bot sent 0 of 6 due reminders, because the
rehearsal had marked them sent and moved the planning mark in the live database.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.domain.clock import FakeClock
from tests.scheduling.conftest import MONDAY, local, open_world

MEMBERS = ("alice", "bob", "carol")


def live_database(folder: Path) -> Path:
    """A live database whose bot has been running: one session, three places, mark set."""
    path = folder / "copbot.db"
    world = open_world(path, FakeClock(MONDAY))
    try:
        session = world.schedule('"Circle" 2026-12-02 14:00')
        for name in MEMBERS:
            world.run(name, f"signup {session}")
        world.community.meta.set("planned_until", "2026-11-30T00:00:00+00:00")
    finally:
        world.app.close()
    (folder / "config.toml").write_text('[storage]\ndatabase = "copbot.db"\n', encoding="utf-8")
    return path


def every_row(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(conn.execute(f"SELECT * FROM [{n}]").fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def rehearse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], script: str, *extra: str
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert main(["run", "--simulated-clock", "2026-11-30T00:00", *extra]) == 0
    return capsys.readouterr().out


def test_a_rehearsal_leaves_the_live_database_as_it_was_and_the_real_run_sends_all(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = live_database(scratch)
    before_bytes, before_rows = path.read_bytes(), every_row(path)

    out = rehearse(monkeypatch, capsys, "/clock +3d\n/as dave\nsignup 1\n/cop forget-me confirm\n")
    assert "rehearsal" in out and "copy of copbot.db" in out
    assert out.count("A reminder: #1 Circle") == 6

    assert path.read_bytes() == before_bytes
    assert every_row(path) == before_rows
    assert not (scratch / "exports").exists() or not any((scratch / "exports").glob("*-*"))

    world = open_world(path, FakeClock(MONDAY))
    try:
        asyncio.run(world.advance(local("2026-12-02 13:30")))
        sent = [s for name in MEMBERS for s in world.platform.reminders(name)]
        assert len(sent) == 6
    finally:
        world.app.close()


def test_a_rehearsal_of_a_slack_or_discord_community_runs_on_the_console(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live_database(scratch)
    for kind in ("slack", "discord"):
        config = f'[storage]\ndatabase = "copbot.db"\n[platform]\nkind = "{kind}"\n'
        (scratch / "config.toml").write_text(config, encoding="utf-8")
        out = rehearse(monkeypatch, capsys, "sessions\n")
        assert "copbot rehearsal" in out and "#1 Circle" in out
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "always uses the console" in " ".join(capsys.readouterr().out.split())


def test_a_rehearsal_without_a_database_yet_creates_none(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = '/cop schedule "Circle" 2026-12-02 14:00\n/cop schedule-confirm\n/clock +1d\n'
    out = rehearse(monkeypatch, capsys, script)
    assert "Scheduled #1 Circle" in out
    assert list(scratch.glob("copbot.db*")) == []
