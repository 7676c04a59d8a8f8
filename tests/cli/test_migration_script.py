"""Migration scripts are split where SQLite says a statement ends, not by the look of a line."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from bot.storage.migrations import _run

SCRIPT = """
CREATE TABLE notes (id INTEGER PRIMARY KEY, words INTEGER, size TEXT);
CREATE TRIGGER notes_size AFTER INSERT ON notes BEGIN
    UPDATE notes SET size = CASE
        WHEN new.words > 100 THEN 'long; take your time'
        ELSE 'short'
    END WHERE id = new.id;
END;
CREATE INDEX notes_words ON notes (words)
"""


def test_a_trigger_with_case_end_survives_the_splitter() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn)
    db.execute("BEGIN")
    _run(db, SCRIPT)
    db.execute("COMMIT")
    conn.execute("INSERT INTO notes (words) VALUES (250), (3)")
    assert conn.execute("SELECT size FROM notes ORDER BY id").fetchall() == [
        ("long; take your time",),
        ("short",),
    ]
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"notes", "notes_size", "notes_words"} <= names
