"""The step between typing `schedule` and the whole community seeing it: a preview.

The planner sees exactly what will be posted (title, local time, length, objective, places,
every date of a series, the place) with two buttons: "Schedule it" and "Change". Only
"Schedule it" creates and announces. The preview is kept in the database behind a short
code, so the button still works after a restart, and a second press (a double tap on a
phone, or two front ends) finds the first one's result instead of scheduling twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.calendar.session_when import human_length
from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Item, Reply
from bot.domain.errors import BadInput
from bot.domain.recurrence import Repeat
from bot.domain.when import format_day, format_local
from bot.scheduling.keys import AnnouncementKey
from bot.storage.db import from_iso, immediate, utc_iso
from bot.storage.previews import Preview
from bot.storage.sessions import NewSession, Session
from bot.storage.signups import Counts
from commands.cards import places_text, session_card, when_text

PREVIEW_KEEPS = timedelta(hours=24)
DATES_SHOWN = 12


def show_preview(ctx: CommandContext, details: dict[str, Any]) -> Reply:
    """Keep what would be scheduled and show it, with the two buttons; nothing is posted."""
    code = ctx.community.previews.add(ctx.member.id, details, ctx.now, ctx.now + PREVIEW_KEEPS)
    card = Item(details["title"], tuple(_preview_lines(ctx, details)), key=f"preview:{code}")
    actions = (
        Action(ctx.say("action.schedule_it"), f"schedule-confirm {code}", "primary"),
        Action(ctx.say("action.schedule_change"), f"schedule-change {code}"),
    )
    hours = int(PREVIEW_KEEPS.total_seconds() // 3600)
    return Reply(ctx.say("preview.intro", hours=hours), items=(card,), actions=actions)


def _preview_lines(ctx: CommandContext, details: dict[str, Any]) -> list[str]:
    """The announcement's own words and card lines, then the length and every date."""
    first = _session(details, 0)
    where = first.location or ctx.say("session.where_tbc")
    lines = [
        _announcement_text(ctx, first, details["repeat"]),
        when_text(ctx, first),
        ctx.say(
            "preview.length", length=human_length(first.duration_minutes, ctx.community.messages)
        ),
        ctx.say("session.what", objective=first.objective, where=where),
        places_text(ctx, first, Counts()),
    ]
    starts = [from_iso(s) for s in details["starts"]]
    if len(starts) > 1:
        lines.append(ctx.say("preview.dates", count=len(starts), dates=_dates(ctx, starts)))
    return lines


def _dates(ctx: CommandContext, starts: list[Any]) -> str:
    days = [format_day(start.astimezone(ctx.zone).date()) for start in starts]
    if len(days) <= DATES_SHOWN:
        return ", ".join(days)
    shown = ", ".join(days[: DATES_SHOWN - 1])
    more = len(days) - (DATES_SHOWN - 1)
    return ctx.say("preview.more_dates", dates=shown, more=more, last=days[-1])


def _session(details: dict[str, Any], index: int, session_id: int = 0) -> Session:
    """The session as it will be stored, so the preview uses the card's own words."""
    return Session(
        id=session_id,
        title=details["title"],
        description="",
        objective=details["objective"],
        start=from_iso(details["starts"][index]),
        duration_minutes=details["duration_minutes"],
        location=details["location"],
        capacity=details["capacity"],
        status="scheduled",
        cancel_reason="",
        series_id=None,
        created_by=None,
    )


def _announcement_text(ctx: CommandContext, session: Session, repeat: str) -> str:
    text = ctx.say("announce.new", title=session.title, objective=session.objective)
    if repeat:
        text += " " + ctx.say("announce.repeat", repeat=repeat)
    return text


# --- the two buttons -------------------------------------------------------------------------


def schedule_confirm(ctx: CommandContext, code: str = "") -> Reply:
    """Schedule and announce what a preview showed; pressing it again schedules nothing more."""
    community = ctx.community
    with immediate(community.db):
        preview = _own_preview(ctx, code)
        if preview.status == "scheduled":
            return _already(ctx, preview)
        _still_usable(ctx, preview)
        created = _create(ctx, preview.details)
        community.previews.settle(preview.code, "scheduled", created[0].id, len(created))
    for session in created:
        ctx.notices.session_changed(session.id)
    first = created[0]
    _announce(ctx, first, preview.details["repeat"])
    text = ctx.say("schedule.done", id=first.id, title=first.title, count=len(created))
    if preview.details["repeat"]:
        repeat = preview.details["repeat"]
        text += "\n" + ctx.say("schedule.series", repeat=repeat, count=len(created))
    return Reply(text, items=(session_card(ctx, first, Counts(), None),))


def schedule_change(ctx: CommandContext, code: str = "") -> Reply:
    """Set a preview aside and give back the command, ready to change and send again."""
    with immediate(ctx.community.db):
        preview = _own_preview(ctx, code)
        if preview.status == "scheduled":
            return _already(ctx, preview)
        ctx.community.previews.settle(preview.code, "changed")
    return Reply(ctx.say("preview.change", line=typed_line(ctx, preview.details)))


def _own_preview(ctx: CommandContext, code: str) -> Preview:
    """The planner's own preview by its code (their latest without one); anyone else's is
    "not found", as a code only ever appears on its own planner's screen."""
    previews = ctx.community.previews
    code = code.strip().lower()
    preview = previews.get(code) if code else previews.latest(ctx.member.id)
    if preview is None or preview.member_id != ctx.member.id:
        raise BadInput("preview.unknown" if code else "preview.none", code=code[:20])
    return preview


def _still_usable(ctx: CommandContext, preview: Preview) -> None:
    if preview.status == "changed":
        raise BadInput("preview.changed")
    if preview.expires <= ctx.now:
        raise BadInput("preview.expired")
    first = from_iso(preview.details["starts"][0])
    if first <= ctx.now:
        raise BadInput("when.past", when=format_local(first, ctx.zone))


def _already(ctx: CommandContext, preview: Preview) -> Reply:
    return Reply(
        ctx.say(
            "preview.already",
            id=preview.first_session_id or "?",
            title=preview.details["title"],
            count=preview.session_count,
        )
    )


def _create(ctx: CommandContext, details: dict[str, Any]) -> list[Session]:
    community = ctx.community
    new = NewSession(
        details["title"],
        "",
        details["objective"],
        details["duration_minutes"],
        details["location"],
        details["capacity"],
        ctx.member.id,
    )
    starts = [from_iso(s) for s in details["starts"]]
    series_id = None
    if details["rrule"]:
        rule = Repeat.from_rrule(details["rrule"], details["skips"])
        last = datetime.fromisoformat(details["last_local"])
        series_id = community.series.create(rule, community.zone, last, ctx.now)
    created = community.sessions.create(new, starts, ctx.now, series_id)
    community.audit.record(
        ctx.member.id, "schedule", f"sessions {created[0].id}-{created[-1].id}", ctx.now
    )
    return created


def _announce(ctx: CommandContext, session: Session, repeat: str) -> None:
    card = session_card(ctx, session, Counts(), None)
    ctx.notices.announce(
        AnnouncementKey(session.id).text(),
        "announcement",
        Reply(_announcement_text(ctx, session, repeat), items=(card,), private=False),
        session_id=session.id,
    )


def typed_line(ctx: CommandContext, details: dict[str, Any]) -> str:
    """The `schedule` command that makes this preview again, to copy and change."""
    start = from_iso(details["starts"][0]).astimezone(ctx.community.zone)
    words = [
        "/cop schedule",
        _quoted(details["title"]),
        f"{start:%Y-%m-%d %H:%M}",
        f"{details['duration_minutes']}m",
        details["objective"],
    ]
    if details["capacity"] is not None:
        words.append(str(details["capacity"]))
    if details["repeat_typed"]:
        words.append(f"repeat={_quoted(details['repeat_typed'])}")
    if details["location"]:
        words.append(f"where={_quoted(details['location'])}")
    return " ".join(words)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def details_of(
    title: str,
    starts: list[Any],
    minutes: int,
    objective: str,
    capacity: int | None,
    location: str,
    rule: Repeat | None,
    repeat_typed: str,
    dates: list[datetime],
) -> dict[str, Any]:
    """What a preview holds: everything needed to create exactly what it showed.

    ``dates`` are a series' sessions on the local wall clock; the last is where the series
    carries on from when it is topped up.
    """
    return {
        "title": title,
        "starts": [utc_iso(start) for start in starts],
        "duration_minutes": minutes,
        "objective": objective,
        "capacity": capacity,
        "location": location,
        "rrule": rule.to_rrule() if rule else "",
        "skips": rule.skips_text() if rule else "",
        "last_local": dates[-1].isoformat() if rule and dates else "",
        "repeat": rule.describe() if rule else "",
        "repeat_typed": repeat_typed if rule else "",
    }


def register(registry: Registry) -> None:
    registry.command(
        "schedule-confirm", Option("code", "word", required=False), planners_only=True
    )(schedule_confirm)
    registry.command("schedule-change", Option("code", "word", required=False), planners_only=True)(
        schedule_change
    )
