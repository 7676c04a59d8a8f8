"""The resource library in the database: the shipped list plus what the community adds.

Entries from `content/resources.toml` are loaded at start and updated by id; suggestions from
members wait for the planning group's review. Search uses SQLite's full-text index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.content.resources import Resource
from bot.storage.db import immediate, select_rows, utc_iso

REMOVED = "taken out of resources.toml"
_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """The words a search looks at: letters and digits; quotes, operators and the rest go,
    and so do single letters (the "s" of "children's" would match almost everything)."""
    return [word for word in _WORD.findall(text) if len(word) > 1]


@dataclass(frozen=True)
class Entry(Resource):
    """A resource as the library holds it: where it came from and where its review stands."""

    source: str
    status: str
    suggested_by: int | None
    approved_utc: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Entry:
        return cls(
            row["id"],
            row["title"],
            tuple(row["objectives"].split(",")),
            row["summary"],
            row["kind"],
            row["audience"],
            row["link"],
            row["source"],
            row["status"],
            row["suggested_by"],
            row["approved_utc"],
        )


class LibraryStore:
    """The resources members can search: the shipped file, kept in step at every start, plus
    members' suggestions waiting for, or past, the planning group's review."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, resources: list[Resource], now: datetime) -> None:
        """Bring the shipped entries up to date, keeping a planning-group retirement."""
        with immediate(self.db):
            for r in resources:
                self.db.execute(
                    "INSERT INTO resources (id, title, objectives, summary, kind, audience, link,"
                    " source, status, created, approved_utc)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'file', 'approved', ?, NULL)"
                    " ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
                    " objectives = excluded.objectives, summary = excluded.summary,"
                    " kind = excluded.kind, audience = excluded.audience, link = excluded.link",
                    [
                        r.id,
                        r.title,
                        ",".join(r.objectives),
                        r.summary,
                        r.kind,
                        r.audience,
                        r.link,
                        utc_iso(now),
                    ],
                )
            self._retire_removed([r.id for r in resources])

    def _retire_removed(self, shipped: list[str]) -> None:
        """An entry taken out of the file leaves search and picks; put back, it returns."""
        marks = ", ".join("?" for _ in shipped) or "''"
        self.db.execute(
            f"UPDATE resources SET status = 'retired', reason = ? WHERE source = 'file'"
            f" AND status = 'approved' AND id NOT IN ({marks})",
            [REMOVED, *shipped],
        )
        self.db.execute(
            f"UPDATE resources SET status = 'approved', reason = '' WHERE source = 'file'"
            f" AND reason = ? AND id IN ({marks})",
            [REMOVED, *shipped],
        )

    def suggest(
        self, title: str, link: str, objective: str, member_id: int, now: datetime
    ) -> Entry:
        with immediate(self.db):
            entry_id = f"s{self._next_number()}"
            self.db.execute(
                "INSERT INTO resources (id, title, objectives, link, source, status, suggested_by,"
                " created) VALUES (?, ?, ?, ?, 'member', 'pending', ?, ?)",
                [entry_id, title, objective, link, member_id, utc_iso(now)],
            )
        found = self.get(entry_id)
        assert found is not None
        return found

    def _next_number(self) -> int:
        """Suggestion numbers are never reused, even after an erasure removed some."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'suggestions'").fetchone()
        number = int(row[0]) + 1 if row else 1
        while self.get(f"s{number}") is not None:
            number += 1
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('suggestions', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [str(number)],
        )
        return number

    def set_status(self, entry_id: str, status: str, reason: str, now: datetime) -> None:
        approved = utc_iso(now) if status == "approved" else None
        self.db.execute(
            "UPDATE resources SET status = ?, reason = ?,"
            " approved_utc = coalesce(?, approved_utc) WHERE id = ?",
            [status, reason, approved, entry_id],
        )

    def get(self, entry_id: str) -> Entry | None:
        rows = select_rows(self.db, "SELECT * FROM resources WHERE id = ?", [entry_id])
        return Entry.from_row(rows[0]) if rows else None

    def with_status(self, status: str) -> list[Entry]:
        rows = select_rows(
            self.db, "SELECT * FROM resources WHERE status = ? ORDER BY created, id", [status]
        )
        return [Entry.from_row(r) for r in rows]

    def for_picks(self, objective: str) -> list[Entry]:
        """Approved entries of an objective that members can open: newly approved suggestions
        first, then the rest. An entry with no confirmed link waits until a planner adds one:
        a weekly pick that says "ask the planning group" is a pick nobody can read."""
        rows = select_rows(
            self.db,
            "SELECT * FROM resources WHERE status = 'approved' AND link != ''"
            " AND (',' || objectives || ',') LIKE ?"
            " ORDER BY approved_utc IS NULL, approved_utc DESC, rowid",
            [f"%,{objective},%"],
        )
        return [Entry.from_row(r) for r in rows]

    def search(self, words: str, objective: str | None, limit: int, offset: int = 0) -> list[Entry]:
        """Best matches first: every word must match (as a prefix); else any word may."""
        terms = search_words(words.lower())
        if not terms:
            return self._browse(objective, limit, offset)
        for joiner in (" AND ", " OR "):
            found = self._match(joiner.join(f'"{t}"*' for t in terms), objective, limit, offset)
            if found:
                return found
        return []

    def _match(self, query: str, objective: str | None, limit: int, offset: int) -> list[Entry]:
        rows = select_rows(
            self.db,
            "SELECT r.* FROM resources_fts JOIN resources r ON r.rowid = resources_fts.rowid"
            " WHERE resources_fts MATCH ? AND r.status = 'approved'"
            " AND (? IS NULL OR (',' || r.objectives || ',') LIKE ?)"
            " ORDER BY rank LIMIT ? OFFSET ?",
            [query, objective, f"%,{objective},%", limit, offset],
        )
        return [Entry.from_row(r) for r in rows]

    def _browse(self, objective: str | None, limit: int, offset: int) -> list[Entry]:
        rows = select_rows(
            self.db,
            "SELECT * FROM resources WHERE status = 'approved'"
            " AND (? IS NULL OR (',' || objectives || ',') LIKE ?)"
            " ORDER BY approved_utc IS NULL, approved_utc DESC, rowid LIMIT ? OFFSET ?",
            [objective, f"%,{objective},%", limit, offset],
        )
        return [Entry.from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, count(*) FROM resources GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows.fetchall()}

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT id, title, link, objectives, status, reason, created FROM resources"
            " WHERE suggested_by = ? ORDER BY created",
            [member_id],
        )
        return {"suggestions": rows}

    def delete(self, member_id: int) -> int:
        """Pending suggestions go; approved ones stay in the library, no longer linked to them."""
        removed = self.db.execute(
            "DELETE FROM resources WHERE suggested_by = ? AND status != 'approved'", [member_id]
        ).rowcount
        self.db.execute(
            "UPDATE resources SET suggested_by = NULL WHERE suggested_by = ?", [member_id]
        )
        if removed:
            self._forget_words()
        return removed

    def _forget_words(self) -> None:
        """Rebuild the full-text index from the rows that remain.

        Deleting a row only adds a "delete" marker to FTS5's index: the words of the
        suggestion stay in its internal pages until a merge. A rebuild writes the index
        afresh, and secure_delete (set on every connection) zeroes the pages it frees.
        """
        self.db.execute("INSERT INTO resources_fts (resources_fts) VALUES ('rebuild')")
        self.db.execute("INSERT INTO resources_fts (resources_fts) VALUES ('optimize')")
