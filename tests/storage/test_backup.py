"""`copbot backup` while the bot writes, and the restore the README describes."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.storage.backup import backup_to
from tests.cli.conftest import copbot
from tests.helpers import NOW, Run, ok, schedule, statuses


class Writer(threading.Thread):
    """Another connection committing audit rows, one at a time, until told to stop."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.written = 0
        self.started_writing = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=10)
        try:
            while not self.stop.is_set():
                conn.execute(
                    "INSERT INTO audit (at, action, detail) VALUES (?, 'writer', ?)",
                    [NOW.isoformat(), str(self.written)],
                )
                self.written += 1
                if self.written == 50:
                    self.started_writing.set()
        finally:
            conn.close()


def count_writes(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return int(conn.execute("SELECT count(*) FROM audit WHERE action = 'writer'").fetchone()[0])
    finally:
        conn.close()


def test_a_backup_taken_during_writes_restores_the_community(
    app: App, run: Run, tmp_path: Path
) -> None:
    session = schedule(run, '"Circle" 2026-12-02 14:00 capacity=5')
    ok(run("alice", f"signup {session}"))
    live = Path(app.config.database)
    writer = Writer(live)
    writer.start()
    assert writer.started_writing.wait(10)
    before = writer.written
    made = backup_to(live, tmp_path / "nightly.db", NOW)
    after = writer.written
    while writer.written < after + 50 and writer.is_alive():
        writer.stop.wait(0.001)
    writer.stop.set()
    writer.join(10)
    assert made.path == tmp_path / "nightly.db"
    # The copy is one moment: every write before it, none after the writer stopped.
    in_copy = count_writes(made.path)
    assert before <= in_copy < writer.written
    assert not list(tmp_path.glob(".nightly.db.partial-*"))
    assert not (tmp_path / "nightly.db-wal").exists()

    # The restore, as the README says: stop the bot, copy over, remove -wal/-shm, start.
    app.close()
    shutil.copyfile(made.path, live)
    for sidecar in ("-wal", "-shm"):
        Path(f"{live}{sidecar}").unlink(missing_ok=True)
    restored = App.build(Config(database=live), FakeClock(NOW))
    try:
        assert statuses(restored, session) == {"alice": "confirmed"}
        assert count_writes(live) == in_copy
        assert restored.community.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        restored.close()


def test_a_folder_gets_a_dated_backup(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    made = backup_to(Path(app.config.database), folder, NOW)
    assert made.path == folder / "t-20261125-090000.db"
    assert made.size == made.path.stat().st_size > 0


def test_the_command_says_done_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    App.build(Config(database=tmp_path / "copbot.db"), FakeClock(NOW)).close()
    assert main(["backup", "copy.db"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("Backed up copbot.db to copy.db (") and out.endswith("checked whole).")
    assert "\n" not in out
    assert (tmp_path / "copy.db").read_bytes()[:16] == b"SQLite format 3\x00"


def test_an_unwritable_folder_is_one_sentence_and_exit_1(tmp_path: Path) -> None:
    App.build(Config(database=tmp_path / "copbot.db"), FakeClock(NOW)).close()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        done = copbot(tmp_path, "backup", "locked/copy.db")
    finally:
        locked.chmod(0o755)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.startswith("No backup was made. Could not write the backup to locked/copy.db")
    assert "Traceback" not in err and err.count("\n") == 1
    assert list(locked.iterdir()) == []


def test_no_database_means_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["backup", str(tmp_path / "copy.db")]) == 1
    assert "There is no database at" in capsys.readouterr().err
    assert not (tmp_path / "copy.db").exists()
