"""The SQLite file: tuned on open, migrated forward from any earlier version, UTC throughout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.storage import db as db_module
from bot.storage.db import BUSY_TIMEOUT_MS, CACHE_KIB, migrate, open_db, schema_version
from bot.storage.migrations import MIGRATIONS
from tests.helpers import NOW, Run, rows, schedule, tables


def schema(path: Path) -> set[tuple[str, str, str]]:
    db = open_db(path)
    try:
        found = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        db.close()
    return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in found}


def test_a_fresh_database_is_tuned(tmp_path: Path) -> None:
    db = open_db(tmp_path / "fresh.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS >= 1000
        # A negative cache_size is in KiB: a server's cache, well above SQLite's 2 MiB.
        assert -db.execute("PRAGMA cache_size").fetchone()[0] == CACHE_KIB >= 16 * 1024
        assert schema_version(db) == len(MIGRATIONS) >= 1
        assert {"members", "sessions", "signups", "audit", "deliveries"} <= set(tables(db))
    finally:
        db.close()


def test_reopening_a_current_database_applies_nothing(tmp_path: Path) -> None:
    open_db(tmp_path / "a.db").close()
    db = open_db(tmp_path / "a.db")
    try:
        assert migrate(db) == []
        assert schema_version(db) == len(MIGRATIONS)
    finally:
        db.close()


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_every_earlier_version_migrates_forward(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.db"
    old = open_db(path, upgrade_to=version)
    assert schema_version(old) == version
    kept = "members" in tables(old)
    if kept:
        old.execute(
            "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
            " VALUES ('console', 'old-timer', 'Old Timer', 'Europe/London', ?)",
            [NOW.isoformat()],
        )
    old.close()

    new = open_db(path)
    try:
        assert schema_version(new) == len(MIGRATIONS)
        if kept:
            found = new.execute(
                "SELECT display_name FROM members WHERE platform_user_id = 'old-timer'"
            ).fetchall()
            assert found == [("Old Timer",)]
    finally:
        new.close()
    assert schema(path) == schema(tmp_path / "fresh.db")


def test_rows_written_at_the_current_version_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_db(path)
    db.execute(
        "INSERT INTO members (platform, platform_user_id, display_name, timezone, created)"
        " VALUES ('console', 'u1', 'Una', 'Europe/London', ?)",
        [NOW.isoformat()],
    )
    db.close()
    again = open_db(path)
    try:
        assert again.execute("SELECT display_name FROM members").fetchall() == [("Una",)]
    finally:
        again.close()


def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.db"
    open_db(path).close()

    def broken(db: object) -> None:
        db.execute("CREATE TABLE half_done (id INTEGER)")  # type: ignore[attr-defined]
        raise RuntimeError("migration bug")

    monkeypatch.setattr(db_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        open_db(path)
    monkeypatch.undo()
    db = open_db(path)
    try:
        assert schema_version(db) == len(MIGRATIONS)
        assert "half_done" not in tables(db)
    finally:
        db.close()


def test_timestamps_are_stored_as_utc_iso_strings(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    run("alice", f"signup {session}")
    run("bob", f"signup {session}")
    run("alice", f"cancel {session}")
    stamps = [
        *(r["created"] for r in rows(app, "SELECT created FROM members")),
        *(
            v
            for r in rows(app, "SELECT start_utc, created, updated FROM sessions")
            for v in r.values()
        ),
        *(v for r in rows(app, "SELECT created, updated FROM signups") for v in r.values()),
        *(r["at"] for r in rows(app, "SELECT at FROM audit")),
        *(r["due_utc"] for r in rows(app, "SELECT due_utc FROM deliveries")),
    ]
    assert len(stamps) >= 10
    for stamp in stamps:
        assert isinstance(stamp, str)
        parsed = datetime.fromisoformat(stamp)
        assert parsed.utcoffset() == timedelta(0), stamp
        assert stamp.endswith("+00:00"), stamp
    start = rows(app, "SELECT start_utc FROM sessions WHERE id = ?", [session])[0]["start_utc"]
    assert datetime.fromisoformat(start) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
