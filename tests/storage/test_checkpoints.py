"""While the bot serves, a thread checkpoints the write-ahead log: no command's commit does."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlite_utils import Database

from bot.storage.checkpoints import checkpoints_beside
from bot.storage.db import open_db

PAGE = 4096
PAGES = 1500  # past SQLite's 1,000-page threshold


def write_pages(db: Database, pages: int = PAGES) -> None:
    """About `pages` pages of rows, in one commit."""
    db.execute("CREATE TABLE IF NOT EXISTS filler (blob BLOB)")
    db.conn.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO filler (blob) VALUES (?)", [(os.urandom(PAGE - 200),) for _ in range(pages)]
    )
    db.conn.execute("COMMIT")


def file_size(path: Path) -> int:
    return path.stat().st_size


def autocheckpoint(db: Database) -> int:
    return int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


async def test_while_serving_a_commit_past_the_threshold_makes_no_checkpoint(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "bot.db")
    before = file_size(tmp_path / "bot.db")
    with checkpoints_beside(db, every=3600) as checkpointer:  # its thread waits an hour
        assert checkpointer is not None
        write_pages(db)
        # The pages are in the log only: copying them into the file is the thread's work.
        assert file_size(tmp_path / "bot.db") == before
        assert file_size(tmp_path / "bot.db-wal") > PAGES * PAGE
        assert autocheckpoint(db) == 0
    assert autocheckpoint(db) == 1000
    write_pages(db)  # and after serving, a commit past the threshold checkpoints as before
    assert file_size(tmp_path / "bot.db") > 2 * PAGES * PAGE
    db.conn.close()


async def test_the_thread_copies_the_log_into_the_file(tmp_path: Path) -> None:
    db = open_db(tmp_path / "bot.db")
    before = file_size(tmp_path / "bot.db")
    with checkpoints_beside(db, every=0.01) as checkpointer:
        assert checkpointer is not None
        write_pages(db)
        for _ in range(500):
            if file_size(tmp_path / "bot.db") > before + PAGES * PAGE:
                break
            await asyncio.sleep(0.01)
        assert checkpointer.made >= 1
        assert file_size(tmp_path / "bot.db") > before + PAGES * PAGE
        assert db.execute("SELECT count(*) FROM filler").fetchone()[0] == PAGES
    db.conn.close()


def test_a_database_in_memory_needs_no_thread() -> None:
    db = open_db(":memory:")
    with checkpoints_beside(db) as checkpointer:
        assert checkpointer is None
    db.conn.close()
