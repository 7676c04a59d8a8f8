"""What a member has chosen to receive, and how. Stored as JSON on the member's row.

Reminders are on by default (the member asked for the session); prompt and pick copies by
direct message are an invitation the member opts in to; the channel posts are always there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

# The switches a member turns on and off (`subscribe`, `unsubscribe`); the kinds table in
# `bot/scheduling/kinds.py` says which kinds of message each one governs.
Subscription = Literal["prompts", "reminders", "picks"]
SUBSCRIPTIONS: tuple[Subscription, ...] = ("prompts", "reminders", "picks")
VIAS = ("", "dm", "thread")


@dataclass(frozen=True)
class Preferences:
    prompts: bool = False
    reminders: bool = True
    picks: bool = False
    paused_until: datetime | None = None
    via: str = ""
    quiet_hours: bool = True
    dm_blocked: bool = False
    dm_blocked_told: bool = False
    dm_offered: bool = False
    welcomed: bool = False
    connect_offered: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preferences:
        paused = data.get("paused_until")
        return cls(
            prompts=bool(data.get("prompts", False)),
            reminders=bool(data.get("reminders", True)),
            picks=bool(data.get("picks", False)),
            paused_until=datetime.fromisoformat(paused) if paused else None,
            via=data.get("via", "") if data.get("via", "") in VIAS else "",
            quiet_hours=bool(data.get("quiet_hours", True)),
            dm_blocked=bool(data.get("dm_blocked", False)),
            dm_blocked_told=bool(data.get("dm_blocked_told", False)),
            dm_offered=bool(data.get("dm_offered", False)),
            welcomed=bool(data.get("welcomed", False)),
            connect_offered=bool(data.get("connect_offered", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "prompts": self.prompts,
            "reminders": self.reminders,
            "picks": self.picks,
            "quiet_hours": self.quiet_hours,
        }
        if self.paused_until:
            data["paused_until"] = self.paused_until.isoformat(timespec="seconds")
        if self.via:
            data["via"] = self.via
        for flag in ("dm_blocked", "dm_blocked_told", "dm_offered", "welcomed", "connect_offered"):
            if getattr(self, flag):
                data[flag] = True
        return data

    def with_dms_closed(self) -> Preferences:
        """The member's platform refuses the bot's direct messages: what can travel in a
        session's thread goes there from now on, until the member chooses DMs again."""
        return replace(self, dm_blocked=True, via="thread")

    def via_on(self, default: str) -> str:
        """How reminders reach this member: "dm" or "thread", or else the way their
        platform sends them by default (`default`: each front end declares it; where a
        platform flags bots that send many direct messages, it is the session's thread)."""
        if self.dm_blocked:
            return "thread"
        return self.via or default

    def quiet_hours_hold(self, may_go_in_thread: bool, default_via: str) -> bool:
        """Whether quiet hours hold a message to this member: direct messages only. A
        message that may travel in a session's thread (`may_go_in_thread`) goes there for a
        member who reads them in threads (`default_via`: their platform's way, unless they
        chose), and a thread post waits for nobody."""
        if not self.quiet_hours:
            return False
        return not (may_go_in_thread and self.via_on(default_via) == "thread")

    def paused(self, now: datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until

    def unpaused(self) -> Preferences:
        """The same choices with any pause ended."""
        return replace(self, paused_until=None)

    def wants(self, subscription: Subscription, now: datetime) -> bool:
        """Whether a message under `subscription` may go to this member at `now`."""
        return not self.paused(now) and bool(getattr(self, subscription))

    def with_kind(self, kind: str, on: bool) -> Preferences:
        kinds = SUBSCRIPTIONS if kind == "all" else (kind,)
        changes: dict[str, Any] = {k: on for k in kinds}
        return replace(self, **changes)
