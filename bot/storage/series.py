"""Series: the rule a run of sessions follows, and how far it has been written out.

An open-ended series is kept a fixed distance ahead in the calendar (`AHEAD`) and topped up
as time passes. What makes a top-up safe to repeat is `last_local`: the local wall-clock time
of the latest session made. A top-up only ever adds sessions after it, and moves it on in
the same transaction, so a session that was moved or cancelled is never made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.domain.recurrence import Repeat
from bot.storage.db import select_rows, utc_iso


@dataclass(frozen=True)
class Series:
    id: int
    repeat: Repeat
    zone: ZoneInfo
    last_local: datetime  # naive, on the series' wall clock
    ended: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Series:
        return cls(
            id=row["id"],
            repeat=Repeat.from_rrule(row["rrule"], row["skips"]),
            zone=ZoneInfo(row["timezone"]),
            last_local=datetime.fromisoformat(row["last_local"]),
            ended=bool(row["ended"]),
        )


class SeriesStore:
    """Repeating sessions' rules and how far each has been written out, so topping up is safe to
    repeat and never brings back a date that was moved or cancelled."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, repeat: Repeat, zone: ZoneInfo, last_local: datetime, now: datetime) -> int:
        """A new series; `last_local` is its latest session so far, on the local clock."""
        cursor = self.db.execute(
            "INSERT INTO series (rrule, timezone, created, skips, last_local)"
            " VALUES (?, ?, ?, ?, ?)",
            [repeat.to_rrule(), zone.key, utc_iso(now), repeat.skips_text(), _wall(last_local)],
        )
        return int(cursor.lastrowid or 0)

    def get(self, series_id: int) -> Series | None:
        rows = select_rows(self.db, "SELECT * FROM series WHERE id = ?", [series_id])
        return Series.from_row(rows[0]) if rows else None

    def to_top_up(self) -> list[Series]:
        """Open-ended series still running: the ones a top-up may extend."""
        rows = select_rows(
            self.db,
            "SELECT * FROM series WHERE ended = '' AND last_local != ''"
            " AND rrule NOT LIKE '%COUNT=%' AND rrule NOT LIKE '%UNTIL=%' ORDER BY id",
        )
        return [Series.from_row(row) for row in rows]

    def made_up_to(self, series_id: int, last_local: datetime) -> None:
        self.db.execute(
            "UPDATE series SET last_local = ? WHERE id = ?", [_wall(last_local), series_id]
        )

    def moved(self, series_id: int, repeat: Repeat, last_local: datetime) -> None:
        """The rest of the series moved (a new day or time): later top-ups follow it."""
        self.db.execute(
            "UPDATE series SET rrule = ?, last_local = ? WHERE id = ?",
            [repeat.to_rrule(), _wall(last_local), series_id],
        )

    def end(self, series_id: int, now: datetime) -> None:
        """The rest of the series was cancelled: it is never topped up again."""
        self.db.execute("UPDATE series SET ended = ? WHERE id = ?", [utc_iso(now), series_id])


def _wall(local: datetime) -> str:
    return local.replace(tzinfo=None).isoformat(timespec="minutes")
