"""Every column that points at a member leads some index, so forgetting one is quick."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage.db import open_db

MEMBER_NAMES = ("member_id", "created_by", "suggested_by", "actor_id")


def member_columns(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(table, column) for every column referencing members(id) or named like one."""
    found: set[tuple[str, str]] = set()
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'"
    ).fetchall()
    for (table,) in names:
        for row in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
            if row[2] == "members":
                found.add((table, row[3]))
        for row in conn.execute(f"PRAGMA table_info('{table}')"):
            if row[1].endswith(MEMBER_NAMES):
                found.add((table, row[1]))
    return found


def leads_an_index(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """True when `column` is the first column of an index (or the table's rowid alias)."""
    info = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
    primary = [row for row in info if row[5]]
    if len(primary) == 1 and primary[0][1] == column and primary[0][2].upper() == "INTEGER":
        return True
    for index in conn.execute(f"PRAGMA index_list('{table}')").fetchall():
        first = conn.execute(f"PRAGMA index_info('{index[1]}')").fetchone()
        if first is not None and first[2] == column:
            return True
    return False


def test_every_member_column_leads_an_index(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    try:
        columns = member_columns(db.conn)
        expected = {
            ("deliveries", "member_id"),
            ("reflections", "member_id"),
            ("audit", "actor_id"),
            ("sessions", "created_by"),
            ("resources", "suggested_by"),
        }
        assert expected <= columns
        missing = sorted(c for c in columns if not leads_an_index(db.conn, *c))
        assert missing == []
    finally:
        db.close()


def test_forgetting_a_member_uses_the_ledger_index(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    try:
        plan = db.execute(
            "EXPLAIN QUERY PLAN DELETE FROM deliveries WHERE member_id = ?", [1]
        ).fetchall()
        assert any("deliveries_member" in str(step[-1]) for step in plan), plan
    finally:
        db.close()
