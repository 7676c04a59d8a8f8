"""`copbot backup`: a consistent copy of the live database, safe while the bot runs.

SQLite's online backup API copies the file page by page from a read transaction, so the
copy is one moment's database even while the bot writes (WAL mode lets readers and the
writer proceed side by side). The copy is made under a temporary name in the target's
folder, checked, and only then renamed into place: a half-written or damaged backup never
carries the name an operator would restore from.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class BackupError(Exception):
    """A backup that did not happen, with one plain sentence saying why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int


def backup_to(database: Path, target: Path, now: datetime) -> Backup:
    """Copy `database` to `target` (a file, or a folder to put a dated file in), checked.

    Raises BackupError, leaving nothing behind, when the copy cannot be made or is not whole.
    """
    if not database.exists():
        raise BackupError(f"There is no database at {database} to back up.")
    final = _final_path(database, target, now)
    if not final.parent.is_dir():
        raise BackupError(f"The folder {final.parent} does not exist; please create it first.")
    temporary = final.with_name(f".{final.name}.partial-{os.getpid()}")
    try:
        _copy(database, temporary)
        os.replace(temporary, final)
    except sqlite3.Error as err:
        raise BackupError(_why(final, err)) from None
    except OSError as err:
        raise BackupError(f"Could not write the backup to {final}: {err.strerror}.") from None
    finally:
        for leftover in (temporary, *_sidecars(temporary)):
            leftover.unlink(missing_ok=True)
    return Backup(final, final.stat().st_size)


def _final_path(database: Path, target: Path, now: datetime) -> Path:
    """A folder gets a file named for the moment, so a daily job keeps one per day."""
    if target.is_dir():
        return target / f"{database.stem}-{now.strftime('%Y%m%d-%H%M%S')}.db"
    return target


def _copy(database: Path, temporary: Path) -> None:
    """Take the snapshot, make it a single self-contained file, check it, flush it to disk."""
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            # One step (pages=-1): a single read transaction, so the bot's writes during
            # the copy never restart it; in WAL mode they are not blocked either.
            source.backup(copy)
            # The copy inherits WAL mode; a backup should be one file with no -wal beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"The copy failed its integrity check ({verdict}).")
        finally:
            copy.close()
    finally:
        source.close()
    with open(temporary, "rb") as written:
        os.fsync(written.fileno())


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _why(final: Path, err: sqlite3.Error) -> str:
    text = str(err)
    if "unable to open" in text or "readonly" in text:
        return f"Could not write the backup to {final}: the folder cannot be written to."
    if "malformed" in text or "not a database" in text:
        return "The database could not be read whole, so no backup was made."
    return f"The backup to {final} did not finish ({text})."
