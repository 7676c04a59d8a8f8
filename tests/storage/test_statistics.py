"""The daily refresh of SQLite's statistics reads a sample of each index, never all of it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage.db import open_db
from bot.storage.retention import ANALYSIS_LIMIT, optimize
from tests.counting import add_members

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_refresh_analyses_what_the_planner_used_from_a_bounded_sample(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    try:
        add_members(db, 5 * ANALYSIS_LIMIT, NOW)
        db.execute("SELECT count(*) FROM members WHERE timezone = 'Asia/Tokyo'").fetchall()

        optimize(db)

        [(limit,)] = db.execute("PRAGMA analysis_limit").fetchall()
        assert limit == ANALYSIS_LIMIT
        stats = dict(db.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'members'"))
        # Analysed, and from the sample: the row count is SQLite's estimate, not a count.
        assert "members_timezone" in stats
        assert int(stats["members_timezone"].split()[0]) != 5 * ANALYSIS_LIMIT
    finally:
        db.close()
