"""Ledger keys: how each delivery's stable key is written, and read back.

The key is what makes a delivery happen once: the planner derives the same key every time it
looks at the same promise, and the ledger refuses a second row under it. Keys already in
members' databases are read by these same classes, so the text format never changes; a kind
with a new shape of key adds a class here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.storage.connect import conversation_name
from bot.storage.db import from_iso, utc_iso


class LedgerKey(Protocol):
    """A key that knows its own text."""

    def text(self) -> str: ...


def _split(text: str, kind: str, parts: int) -> list[str]:
    """The colon-separated parts after `kind`, exactly `parts` of them (stamps have none)."""
    found = text.split(":")
    if found[0] != kind or len(found) != parts + 1:
        raise ValueError(f"not a {kind} key: {text!r}")
    return found[1:]


def stamp(moment: datetime) -> str:
    """A compact UTC moment for a key (no colons, so a key splits cleanly)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


@dataclass(frozen=True)
class ReminderKey:
    """A member's reminder of a session: one per lead ("1w", "1d", or "now" by hand), and
    per start time, so a moved session is reminded again."""

    session_id: int
    member_id: int
    label: str
    start: str

    def text(self) -> str:
        return f"reminder:{self.session_id}:{self.member_id}:{self.label}:{self.start}"

    @classmethod
    def parse(cls, text: str) -> ReminderKey:
        session, member, label, start = _split(text, "reminder", 4)
        return cls(int(session), int(member), label, start)


@dataclass(frozen=True)
class SessionPostKey:
    """A post about a session in the channel (it starts soon), per start time."""

    kind: str
    session_id: int
    start: str

    def text(self) -> str:
        return f"{self.kind}:{self.session_id}:{self.start}"

    @classmethod
    def parse(cls, text: str) -> SessionPostKey:
        kind = text.split(":", 1)[0]
        session, start = _split(text, kind, 2)
        return cls(kind, int(session), start)


@dataclass(frozen=True)
class SessionMemberKey:
    """One message to a member about one session, ever (the thanks, the question)."""

    kind: str
    session_id: int
    member_id: int

    def text(self) -> str:
        return f"{self.kind}:{self.session_id}:{self.member_id}"

    @classmethod
    def parse(cls, text: str) -> SessionMemberKey:
        kind = text.split(":", 1)[0]
        session, member = _split(text, kind, 2)
        return cls(kind, int(session), int(member))


@dataclass(frozen=True)
class ConnectKey:
    """A member's introduction in one CONNECT round. The key names the member's group, so
    a group's keys share their start (`conversation`) and are sent together; keys queued
    before groups were introduced together have no group."""

    round_id: int
    member_id: int
    group: int | None = None

    def conversation(self) -> str:
        """The one private conversation the group is introduced in: the same on a retry."""
        if self.group is None:
            return f"connect:{self.round_id}:"
        return conversation_name(self.round_id, self.group)

    def text(self) -> str:
        return f"{self.conversation()}{self.member_id}"

    @classmethod
    def parse(cls, text: str) -> ConnectKey:
        kind, round_id, *rest = text.split(":")
        if kind != "connect" or len(rest) not in (1, 2):
            raise ValueError(f"not a connect key: {text!r}")
        group = int(rest[0]) if len(rest) == 2 else None
        return cls(int(round_id), int(rest[-1]), group)


@dataclass(frozen=True)
class PeriodKey:
    """A weekly post ("prompt" or "pick") for a period, or a member's copy of it by DM.
    The copy's key keeps the post's kind, not "-dm": that is how it has always been kept."""

    kind: str
    period: str
    member_id: int | None = None

    def text(self) -> str:
        mine = "" if self.member_id is None else f":{self.member_id}"
        return f"{self.kind}:{self.period}{mine}"

    @classmethod
    def parse(cls, text: str) -> PeriodKey:
        kind, period, *member = text.split(":")
        if len(member) > 1:
            raise ValueError(f"not a period key: {text!r}")
        return cls(kind, period, int(member[0]) if member else None)


@dataclass(frozen=True)
class NoticeKey:
    """A one-off notice to a member: the moment and a random tag make it unique, so two
    changes in the same second are both told."""

    kind: str
    session_id: int | None
    member_id: int
    at: datetime
    tag: str

    def text(self) -> str:
        session = "-" if self.session_id is None else self.session_id
        return f"{self.kind}:{session}:{self.member_id}:{utc_iso(self.at)}:{self.tag}"

    @staticmethod
    def for_each(
        kind: str, session_id: int | None, member_ids: list[int], at: datetime, tag: str
    ) -> list[str]:
        """The keys of one notice told to many members, each what its `text()` would be;
        the moment is written once, not once a member (12,500 of them for a cancellation)."""
        before, after = NoticeKey.around(kind, session_id, at, tag)
        return [f"{before}{member_id}{after}" for member_id in member_ids]

    @staticmethod
    def around(kind: str, session_id: int | None, at: datetime, tag: str) -> tuple[str, str]:
        """What comes before and after the member's id in each key of one notice, for SQL
        that writes the keys of many members at once."""
        session = "-" if session_id is None else session_id
        return f"{kind}:{session}:", f":{utc_iso(at)}:{tag}"

    @classmethod
    def parse(cls, text: str) -> NoticeKey:
        kind, session, member, rest = text.split(":", 3)
        at, tag = rest.rsplit(":", 1)
        return cls(kind, None if session == "-" else int(session), int(member), from_iso(at), tag)


@dataclass(frozen=True)
class SyncKey:
    """Work for the front end on a session (mirror its event, or who is in its room)."""

    session_id: int
    at: datetime
    tag: str

    def text(self) -> str:
        return f"sync:{self.session_id}:{utc_iso(self.at)}:{self.tag}"

    @classmethod
    def parse(cls, text: str) -> SyncKey:
        kind, session, rest = text.split(":", 2)
        at, tag = rest.rsplit(":", 1)
        if kind != "sync" or session == "leave":
            raise ValueError(f"not a sync key: {text!r}")
        return cls(int(session), from_iso(at), tag)


@dataclass(frozen=True)
class LeaveKey:
    """Taking an erased member out of a private room (the row says nothing else of them)."""

    room_id: str
    tag: str

    def text(self) -> str:
        return f"sync:leave:{self.room_id}:{self.tag}"

    @classmethod
    def parse(cls, text: str) -> LeaveKey:
        if not text.startswith("sync:leave:"):
            raise ValueError(f"not a leave key: {text!r}")
        room_id, tag = text.removeprefix("sync:leave:").rsplit(":", 1)
        return cls(room_id, tag)


@dataclass(frozen=True)
class AnnouncementKey:
    """A session's announcement in the channel: once per session."""

    session_id: int

    def text(self) -> str:
        return f"announce:{self.session_id}"

    @classmethod
    def parse(cls, text: str) -> AnnouncementKey:
        (session,) = _split(text, "announce", 1)
        return cls(int(session))
