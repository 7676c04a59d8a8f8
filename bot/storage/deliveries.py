"""The delivery ledger: every message the bot sends on its own, by a stable key.

A key is claimed before sending and marked after, so nothing is sent twice across restarts,
and nothing is silently lost: failures and skipped (too stale) deliveries are recorded too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.domain.context import Action, Item, Reply
from bot.storage.db import from_iso, immediate, select_rows, utc_iso


@dataclass(frozen=True)
class Delivery:
    key: str
    kind: str
    member_id: int | None
    session_id: int | None
    channel: str
    due: datetime
    status: str
    attempts: int
    reason: str
    payload: dict[str, Any]
    first_due: datetime | None = None  # when it was meant for; `due` moves on with retries
    claimed_by: str = ""
    unsure: bool = False  # the last try's outcome is unknown: look before sending again

    @property
    def meant_for(self) -> datetime:
        """The time the delivery was first due, which late and missed are judged against."""
        return self.first_due or self.due

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Delivery:
        return cls(
            row["key"],
            row["kind"],
            row["member_id"],
            row["session_id"],
            row["channel"],
            from_iso(row["due_utc"]),
            row["status"],
            row["attempts"],
            row["reason"],
            json.loads(row["payload"]),
            from_iso(row["first_due_utc"]) if row.get("first_due_utc") else None,
            row.get("claimed_by") or "",
            bool(row.get("unsure")),
        )


_INSERT = (
    "INSERT OR IGNORE INTO deliveries (key, kind, member_id, session_id, channel, due_utc,"
    " first_due_utc, payload, status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)"
)


@dataclass(frozen=True)
class Entry:
    """A delivery to add to the ledger (see `DeliveryStore.enqueue`)."""

    key: str
    kind: str
    due: datetime
    member_id: int | None = None
    session_id: int | None = None
    channel: str = ""
    payload: dict[str, Any] | None = None
    status: str = "pending"
    reason: str = ""

    def row(self, encoded: dict[object, str] | None = None) -> list[Any]:
        """The values to insert. `encoded` remembers payloads already turned into JSON, by
        identity (a wave of notices shares one payload object), and due times already
        written out (a wave shares a handful)."""
        memo = {} if encoded is None else encoded
        payload = memo.get(id(self.payload))
        if payload is None:
            payload = memo[id(self.payload)] = json.dumps(self.payload or {}, sort_keys=True)
        due = memo.get(self.due)
        if due is None:
            due = memo[self.due] = utc_iso(self.due)
        return [
            self.key,
            self.kind,
            self.member_id,
            self.session_id,
            self.channel,
            due,
            payload,
            self.status,
            self.reason,
        ]


_INSERT_MANY = (
    "INSERT OR IGNORE INTO deliveries (key, kind, member_id, session_id, channel, due_utc,"
    " first_due_utc, payload, status, reason) SELECT json_extract(value, '$[0]'),"
    " json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),"
    " json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[5]'),"
    " json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]')"
    " FROM json_each(?)"
)


# A notice for each holder of a place at a session (`DeliveryStore.enqueue_for_holders`),
# each row pointing at its zone's words (`delivery_words`) rather than holding a copy: a
# cancellation's ~450 bytes of words repeated 12,500 times were a third of the pages it
# wrote. The words' ids by zone and the due times by choices are read out of their JSON
# once and matched to the sets of zone and choices (`choice_sets`, a few dozen rows) before
# any holder is read: each holder then takes both by their place's set number, without a
# read of their member's row (12,500 reads at random among 100,000 members). In member
# order, the member index is walked once rather than at random: a third less time at
# 12,500 holders and a 1,250,000-row ledger.
_FOR_HOLDERS = (
    "INSERT OR IGNORE INTO deliveries (key, kind, member_id, session_id, channel,"
    " due_utc, first_due_utc, words_id, status, reason)"
    " WITH shapes (choice_set, words_id, due) AS MATERIALIZED ("
    "  SELECT c.id, w.value, d.value FROM choice_sets c"
    "  JOIN json_each(?4) w ON w.key = c.timezone JOIN json_each(?5) d ON d.key = c.preferences)"
    " SELECT ?1 || s.member_id || ?2, ?3, s.member_id, s.session_id, '',"
    " x.due, x.due, x.words_id, 'pending', ''"
    " FROM signups s JOIN shapes x ON x.choice_set = s.choice_set"
    " WHERE s.session_id = ?6 AND s.status IN ('confirmed', 'waitlisted')"
    " ORDER BY s.member_id"
)


class DeliveryStore:
    """The ledger every message the bot sends on its own passes through: a key is queued once,
    claimed by one process, and marked with how it went, so a restart repeats nothing."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # How often this process has queued (or put back) something that may be due now:
        # the after-command hook sends only when it moved, not after every write (the
        # courier's own marks are writes too, and would set it off again for nothing).
        self.queued = 0

    def enqueue(
        self,
        key: str,
        kind: str,
        due: datetime,
        *,
        member_id: int | None = None,
        session_id: int | None = None,
        channel: str = "",
        payload: dict[str, Any] | None = None,
        status: str = "pending",
        reason: str = "",
    ) -> bool:
        """Add a delivery unless its key is already known; True if it was new; the time it
        is first due is kept beside `due`, which retries move on.

        `status="missed"` records a delivery that fell due while the bot was down too long.
        """
        entry = Entry(key, kind, due, member_id, session_id, channel, payload, status, reason)
        self.queued += 1
        return self.db.execute(_INSERT, entry.row()).rowcount == 1

    def enqueue_many(self, entries: Sequence[Entry]) -> int:
        """Add many deliveries in one statement and one transaction (keys already known are
        left alone); returns how many were new. A commit a row held the loop ~0.6 s for a
        wave of 10,000; the rows travel as one JSON array, read back by `json_each`."""
        if not entries:
            return 0
        encoded: dict[object, str] = {}
        rows = json.dumps([e.row(encoded) for e in entries])
        self.queued += 1
        with immediate(self.db):
            return self.db.execute(_INSERT_MANY, [rows]).rowcount

    def enqueue_for_holders(
        self,
        session_id: int,
        kind: str,
        key_around: tuple[str, str],
        payloads: dict[str, str],
        dues: dict[str, str],
    ) -> int:
        """Add a delivery of `kind` for each member holding a place at the session or
        waiting for one, in one statement; returns how many were new.

        Each key is `key_around` with the member's id between; the payload (JSON) is chosen
        by the member's zone from `payloads`, stored once a zone in `delivery_words` and
        pointed at by each row (migration 19), the due time (stored form) by their choices
        (their preferences' JSON, as stored) from `dues`. A member whose zone or choices
        are in neither is left out, as one whose zone is unknown is by `Notices.notify`.
        """
        before, after = key_around
        self.queued += 1
        with immediate(self.db):
            words = {
                zone: self.db.execute(
                    "INSERT INTO delivery_words (payload) VALUES (?) RETURNING id", [payload]
                ).fetchone()[0]
                for zone, payload in payloads.items()
            }
            told = self.db.execute(
                _FOR_HOLDERS,
                [before, after, kind, json.dumps(words), json.dumps(dues), session_id],
            ).rowcount
            self._forget_words(list(words.values()))  # words no holder needed
            return int(told)

    def _deliveries(self, rows: list[dict[str, Any]]) -> list[Delivery]:
        """Deliveries from their rows, each with its words: a row's own payload, or the
        shared words it points at (`enqueue_for_holders`), read once for all the rows."""
        shared = {row["words_id"] for row in rows if row.get("words_id") is not None}
        if shared:
            found = dict(
                self.db.execute(
                    "SELECT id, payload FROM delivery_words"
                    " WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(sorted(shared))],
                ).fetchall()
            )
            for row in rows:
                if row.get("words_id") is not None:
                    row["payload"] = found.get(row["words_id"], row["payload"])
        return [Delivery.from_row(row) for row in rows]

    def _forget_words(self, ids: list[int]) -> None:
        """Delete those of the shared words `ids` that no delivery points at any more."""
        if ids:
            self.db.execute(
                "DELETE FROM delivery_words WHERE id IN (SELECT value FROM json_each(?))"
                " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.words_id = delivery_words.id)",
                [json.dumps(ids)],
            )

    def failed_since(self, since: datetime, limit: int) -> list[Delivery]:
        """The most recent failures, newest first."""
        rows = select_rows(
            self.db,
            "SELECT * FROM deliveries WHERE status = 'failed' AND coalesce(done_utc, due_utc) >= ?"
            " ORDER BY coalesce(done_utc, due_utc) DESC LIMIT ?",
            [utc_iso(since), limit],
        )
        return self._deliveries(rows)

    def held(self, now: datetime, until: datetime, limit: int = -1) -> list[Delivery]:
        """Messages waiting with a due time still ahead: notices held for quiet hours (the
        first `limit` of them, where a listing shows only so many)."""
        rows = select_rows(
            self.db,
            "SELECT * FROM deliveries WHERE status = 'pending' AND due_utc > ? AND due_utc <= ?"
            " ORDER BY due_utc, key LIMIT ?",
            [utc_iso(now), utc_iso(until), limit],
        )
        return self._deliveries(rows)

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows.fetchall()}

    def claim_due(
        self,
        now: datetime,
        limit: int = 100,
        by: str = "",
        *,
        unclaimed: frozenset[str] = frozenset(),
    ) -> list[Delivery]:
        """Take up to `limit` due, pending deliveries for the process `by`, the earliest
        first, each with `attempts` counting this try.

        Messages are marked claimed in one transaction: a process that dies mid-send
        leaves them claimed, and the next start looks before sending them again. Kinds in
        `unclaimed` (work for a platform, such as bringing a thread's members up to date)
        are taken as they stand: doing one twice changes nothing, so a claim would buy
        nothing, and a write transaction before every booking's thread change would cost
        the command after it its turn of the loop. They stay pending until marked; the one
        courier sending (see `onebot.py`) marks each before it takes the next slice."""
        rows = select_rows(
            self.db,
            "SELECT * FROM deliveries WHERE status = 'pending' AND due_utc <= ?"
            " ORDER BY due_utc, key LIMIT ?",
            [utc_iso(now), limit],
        )
        messages = [row["key"] for row in rows if row["kind"] not in unclaimed]
        claimed = self._claim(messages, now, by) if messages else {}
        taken = []
        for row in rows:
            if row["kind"] in unclaimed:
                taken.append({**row, "attempts": row["attempts"] + 1})
            elif row["key"] in claimed:
                taken.append(claimed[row["key"]])
        return self._deliveries(taken)

    def _claim(self, keys: list[str], now: datetime, by: str) -> dict[str, dict[str, Any]]:
        """Mark these deliveries claimed by `by`, if still pending, in one statement (a row
        at a time held the loop for 0.65 s at 5,000); their rows as claimed, by key."""
        with immediate(self.db):
            rows = select_rows(
                self.db,
                "UPDATE deliveries SET status = 'claimed', claimed_utc = ?, claimed_by = ?,"
                " attempts = attempts + 1"
                " WHERE key IN (SELECT value FROM json_each(?)) AND status = 'pending'"
                " RETURNING *",
                [utc_iso(now), by, json.dumps(keys)],
            )
        return {row["key"]: row for row in rows}

    def claim_starting(self, prefix: str, now: datetime, by: str = "") -> list[Delivery]:
        """Claim for the process `by` every pending delivery whose key starts with `prefix`,
        whenever due: the rest of a group that travels as one message, so none of it is sent
        apart later."""
        # A range on the key (its primary index) rather than LIKE, which would read it all.
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        with immediate(self.db):
            rows = select_rows(
                self.db,
                "UPDATE deliveries SET status = 'claimed', claimed_utc = ?, claimed_by = ?,"
                " attempts = attempts + 1"
                " WHERE key >= ? AND key < ? AND status = 'pending' RETURNING *",
                [utc_iso(now), by, prefix, end],
            )
        rows.sort(key=lambda row: row["key"])
        return self._deliveries(rows)

    def mark(
        self,
        key: str,
        status: str,
        now: datetime,
        reason: str = "",
        *,
        attempts: int | None = None,
        scrub: bool = False,
    ) -> None:
        """Record how a delivery went, and with `attempts` its tries (as the courier
        counted them: an unclaimed one's last try was counted only in memory). `scrub`
        also forgets what it carried (who was taken out of a room after forget-me, say),
        keeping only that it happened."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, done_utc = ?, reason = ?,"
            " attempts = coalesce(?, attempts),"
            " payload = CASE WHEN ? THEN '{}' ELSE payload END WHERE key = ?",
            [status, utc_iso(now), reason, attempts, int(scrub), key],
        )

    def release(
        self, key: str, due: datetime, reason: str, *, attempts: int, unsure: bool = False
    ) -> None:
        """Put a delivery taken for sending back to be tried again at `due` (a transient
        failure), with the tries it has had (`attempts`, as the courier counted them: an
        unclaimed one's try was counted only in memory); the time it was first meant for
        stays as it was. `unsure`: this try may have arrived, so the next one looks first;
        once in doubt, a delivery stays so until it is done."""
        self.db.execute(
            "UPDATE deliveries SET status = 'pending', due_utc = ?, reason = ?, attempts = ?,"
            " unsure = max(unsure, ?) WHERE key = ?",
            [utc_iso(due), reason, attempts, int(unsure), key],
        )

    def start_over(self, key: str, due: datetime, reason: str) -> None:
        """Send a finished delivery again at `due` as if new (a planner asked for it by
        hand): its tries and the time it was meant for begin again."""
        self.queued += 1
        self.db.execute(
            "UPDATE deliveries SET status = 'pending', due_utc = ?, first_due_utc = ?,"
            " attempts = 0, unsure = 0, reason = ? WHERE key = ?",
            [utc_iso(due), utc_iso(due), reason, key],
        )

    def unclaim(self, keys: list[str]) -> None:
        """Give back claims that were never tried (the bot is stopping): as they were."""
        self.db.conn.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_by = '', attempts = attempts - 1"
            " WHERE key = ? AND status = 'claimed'",
            [[key] for key in keys],
        )

    def retry_failed_posts(self, kind: str, channel: str, now: datetime) -> int:
        """Put failed channel posts of `kind` in `channel` back to be sent now, except those
        about sessions that have started or were cancelled; returns how many."""
        self.queued += 1
        return self.db.execute(
            "UPDATE deliveries SET status = 'pending', due_utc = ?, first_due_utc = ?,"
            " attempts = 0 WHERE status = 'failed' AND kind = ? AND member_id IS NULL"
            " AND channel = ? AND (session_id IS NULL OR session_id IN"
            "  (SELECT id FROM sessions WHERE status = 'scheduled' AND start_utc > ?))",
            [utc_iso(now), utc_iso(now), kind, channel, utc_iso(now)],
        ).rowcount

    def take_back(self, by: str) -> int:
        """Claims not made by `by`, the one live process on this database (the lock in
        onebot.py sees to that), were left by a process that died mid-send: put them back
        to be sent now, each marked unsure, as it may have gone out just before the end."""
        return self.db.execute(
            "UPDATE deliveries SET status = 'pending', unsure = 1, claimed_by = '',"
            " reason = 'its process ended mid-send' WHERE status = 'claimed' AND claimed_by != ?",
            [by],
        ).rowcount

    def get(self, key: str) -> Delivery | None:
        rows = select_rows(self.db, "SELECT * FROM deliveries WHERE key = ?", [key])
        return self._deliveries(rows)[0] if rows else None

    def with_status(self, status: str) -> list[Delivery]:
        rows = select_rows(
            self.db, "SELECT * FROM deliveries WHERE status = ? ORDER BY due_utc, key", [status]
        )
        return self._deliveries(rows)

    def export(self, member_id: int) -> dict[str, Any]:
        rows = select_rows(
            self.db,
            "SELECT key, kind, due_utc, status, done_utc, reason FROM deliveries"
            " WHERE member_id = ? ORDER BY due_utc",
            [member_id],
        )
        return {"messages_sent_or_planned": rows}

    def delete(self, member_id: int) -> int:
        """Erase the member's deliveries, and the shared words only they still pointed at."""
        words = [
            int(r[0])
            for r in self.db.execute(
                "SELECT DISTINCT words_id FROM deliveries WHERE member_id = ?"
                " AND words_id IS NOT NULL",
                [member_id],
            )
        ]
        deleted = self.db.execute("DELETE FROM deliveries WHERE member_id = ?", [member_id])
        self._forget_words(words)
        return int(deleted.rowcount)


def reply_to_payload(reply: Reply) -> dict[str, Any]:
    """A reply as JSON-friendly data, so a notice can wait in the ledger."""
    return {
        "text": reply.text,
        "footer": reply.footer,
        "actions": [[a.label, a.command, a.style] for a in reply.actions],
        "items": [
            {
                "title": i.title,
                "lines": list(i.lines),
                "key": i.key,
                "actions": [[a.label, a.command, a.style] for a in i.actions],
            }
            for i in reply.items
        ],
        "mentions": list(reply.mentions),
    }


def reply_from_payload(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data.get("text", ""),
        footer=data.get("footer", ""),
        actions=tuple(Action(*a) for a in data.get("actions", [])),
        items=tuple(
            Item(i["title"], tuple(i["lines"]), tuple(Action(*a) for a in i["actions"]), i["key"])
            for i in data.get("items", [])
        ),
        mentions=tuple(data.get("mentions", [])),
        private=False,
    )
