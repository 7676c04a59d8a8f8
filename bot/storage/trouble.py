"""When the database file itself is the problem, say so in one sentence an operator can act on.

SQLite reports a read-only file, a missing folder, a damaged file and a full disk as error
codes; the person running copbot needs the file's name and what to do about it, not a
traceback from deep inside a migration.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# (SQLite error name prefix, what is wrong, what to do), checked in order.
_BY_CODE: tuple[tuple[str, str, str], ...] = (
    (
        "SQLITE_READONLY",
        "it is read-only",
        "give the account that runs copbot permission to write the file and its folder",
    ),
    (
        "SQLITE_CANTOPEN",
        "the file or its folder cannot be opened",
        "check that the folder exists and the account that runs copbot may write in it, "
        "or set storage.database in the configuration to a place it may",
    ),
    (
        "SQLITE_NOTADB",
        "the file is not a copbot database",
        "point storage.database at the right file, or move this one aside so copbot can "
        "start a new database",
    ),
    (
        "SQLITE_CORRUPT",
        "the file is damaged or cut short",
        "restore it from your latest backup, or move it aside so copbot can start a new database",
    ),
    (
        "SQLITE_FULL",
        "the disk is full",
        "free some space on that disk and start copbot again",
    ),
    (
        "SQLITE_BUSY",
        "another program is holding it",
        "stop the other copbot (or the program that has the file open) and try again",
    ),
    (
        "SQLITE_LOCKED",
        "another program is holding it",
        "stop the other copbot (or the program that has the file open) and try again",
    ),
    (
        "SQLITE_IOERR",
        "the disk reported an error while reading or writing it",
        "check the disk and the free space, then start copbot again",
    ),
)

# Older SQLite builds, and errors raised by the sqlite3 module itself, carry only a message.
_BY_MESSAGE = (
    ("readonly", "SQLITE_READONLY"),
    ("unable to open", "SQLITE_CANTOPEN"),
    ("not a database", "SQLITE_NOTADB"),
    ("malformed", "SQLITE_CORRUPT"),
    ("disk is full", "SQLITE_FULL"),
    ("locked", "SQLITE_BUSY"),
    ("disk i/o", "SQLITE_IOERR"),
)


def explain(path: Path | str, error: sqlite3.Error) -> str:
    """One plain sentence: which file, what is wrong with it, and what to do."""
    code = _code(error)
    for prefix, problem, advice in _BY_CODE:
        if code.startswith(prefix):
            return f"copbot cannot use the database {_named(path)}: {problem}; {advice}."
    return (
        f"copbot cannot use the database {_named(path)}: SQLite said {str(error)!r}; "
        "check the file and its folder, or restore it from your latest backup."
    )


def _code(error: sqlite3.Error) -> str:
    name = str(getattr(error, "sqlite_errorname", "") or "")
    if name and name != "SQLITE_ERROR":
        return name
    text = str(error).lower()
    return next((code for words, code in _BY_MESSAGE if words in text), name)


def _named(path: Path | str) -> str:
    """The full path: a service's working folder is rarely where the operator is looking."""
    return os.path.abspath(path) if str(path) != ":memory:" else str(path)
