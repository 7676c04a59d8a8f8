"""Reading `field=value` edits for a session and applying them to one or many occurrences."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.community import CommandContext
from bot.dispatch.convert import convert
from bot.dispatch.registry import Option
from bot.domain.errors import BadInput
from bot.storage.sessions import Session

# field typed by the planner -> (column, how to read its value)
FIELDS: dict[str, tuple[str, Option]] = {
    "title": ("title", Option("title", "text")),
    "when": ("start_utc", Option("when", "when")),
    "duration": ("duration_minutes", Option("duration", "duration")),
    "objective": ("objective", Option("objective", "objective")),
    "capacity": ("capacity", Option("capacity", "capacity")),
    "where": ("location", Option("where", "text")),
    "description": ("description", Option("description", "text")),
}
SCOPES = ("one", "rest")
MAX_TITLE = 120


def parse_edits(ctx: CommandContext, words: list[str]) -> tuple[dict[str, Any], bool]:
    """Turn `when="4 Dec 14:00" capacity=30 scope=rest` into column values and a scope."""
    edits: dict[str, Any] = {}
    rest = False
    for word in words:
        name, sep, raw = word.partition("=")
        name = name.lower()
        if not sep:
            raise BadInput("edit.bad_pair", text=word, command="edit")
        if name == "scope":
            rest = _scope(raw)
            continue
        if name not in FIELDS:
            raise BadInput(
                "edit.unknown_field", field=name, fields=", ".join(FIELDS), command="edit"
            )
        column, option = FIELDS[name]
        edits[column] = _value(ctx, column, option, raw)
    if not edits:
        raise BadInput("edit.nothing", command="edit")
    return edits, rest


def _scope(raw: str) -> bool:
    if raw.lower() not in SCOPES:
        raise BadInput("error.choice", text=raw, choices=", ".join(SCOPES), command="edit")
    return raw.lower() == "rest"


def check_title(title: str) -> str:
    """A session title, tidied: required, and short enough to read on a phone."""
    title = " ".join(title.split())
    if not title:
        raise BadInput("schedule.title_missing", command="schedule")
    if len(title) > MAX_TITLE:
        raise BadInput("schedule.title_long", limit=MAX_TITLE, command="schedule")
    return title


def _value(ctx: CommandContext, column: str, option: Option, raw: str) -> Any:
    if column == "description" and not raw.strip():
        return ""
    value = convert(option, raw, ctx.now, ctx.community.zone)
    if column == "title":
        return check_title(value)
    if column == "duration_minutes":
        return int(value.total_seconds() // 60)
    if column == "location":
        return " ".join(value.split())
    return value


def apply_edits(
    ctx: CommandContext, target: Session, edits: dict[str, Any], chosen: Session
) -> Session:
    """Apply the edits to `target`; a new time moves later occurrences by the same local shift."""
    changes = dict(edits)
    if "start_utc" in changes and target.id != chosen.id:
        changes["start_utc"] = _shifted(
            target.start, chosen.start, changes["start_utc"], ctx.community.zone
        )
    return ctx.community.sessions.update(target.id, changes, ctx.now)


def _shifted(start: datetime, old_first: datetime, new_first: datetime, zone: ZoneInfo) -> datetime:
    """Shift on the wall clock, so a series moved from 10:00 to 11:00 stays at 11:00 in BST."""
    delta = new_first.astimezone(zone).replace(tzinfo=None) - old_first.astimezone(zone).replace(
        tzinfo=None
    )
    local = start.astimezone(zone).replace(tzinfo=None) + delta
    return local.replace(tzinfo=zone)
