"""What the planner promises, and what a kind's own planning may ask of the planner.

A kind whose timing is its own business (the question after a session) plans itself beside
its words, and the kinds table hands its plan to the planner; it sees only this much of
the planner, so it cannot come to depend on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.community import Community
from bot.storage.sessions import Session

# The longest quiet hours may hold a message (a weekend and a night).
MAX_HOLD = timedelta(days=3)
# How long after a session a message about it may still be planned (a late tick).
LOOKBACK = timedelta(days=14)


@dataclass(frozen=True)
class Planned:
    """One delivery the calendar promises. `member_id` None means a channel post."""

    key: str
    kind: str
    due: datetime
    session_id: int | None = None
    member_id: int | None = None
    detail: str = ""


class Planning(Protocol):
    """The planner, as a kind's own plan sees it: set-based, so a kind that plans itself
    reads its members in one query, never one a member."""

    community: Community

    def starting(self, start: datetime, end: datetime) -> list[Session]:
        """Scheduled (not cancelled) sessions starting in (start, end]."""
        ...

    def comes(self, nominal: datetime, start: datetime, end: datetime) -> bool:
        """Whether a message nominally due at `nominal`, held or not, falls in (start, end]."""
        ...

    def to_each(
        self, session: Session, kind: str, nominal: datetime, member_ids: list[int]
    ) -> list[Planned]:
        """A message of `kind` about `session` to each member, held out of their quiet
        hours by the kind's rule, keyed once per member and session."""
        ...
