"""The planning group's commands: schedule, edit, cancel sessions, and see who is coming."""

from __future__ import annotations

import re
import shlex
from datetime import datetime, timedelta
from typing import Any

from bot.calendar.attendees import attendees_csv
from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Attachment, Item, Reply
from bot.domain.errors import BadInput
from bot.domain.recurrence import moved_to, parse_repeat, series_dates, to_utc
from bot.storage.db import immediate
from bot.storage.sessions import Session
from bot.storage.signups import Counts
from commands.attendance import walk_in_lines
from commands.cards import session_card
from commands.edits import apply_edits, check_title, parse_edits
from commands.notices import tell_cancelled, tell_changed, tell_promoted
from commands.previews import details_of, show_preview
from commands.signups import find_session

# A place that starts like a length or a repeat was probably meant as one.
_ODD_PLACE = re.compile(r"(until|x\d+|hours?|hrs?|minutes?|mins?)\b", re.IGNORECASE)
DEFAULT_DURATION = timedelta(minutes=90)


def schedule(
    ctx: CommandContext,
    title: str,
    when: datetime,
    duration: timedelta = DEFAULT_DURATION,
    objective: str = "DEVELOP",
    capacity: int | None = None,
    repeat: str = "",
    where: str = "",
) -> Reply:
    """Show exactly what a new session, or series, would post; "Schedule it" announces it."""
    if re.fullmatch(r"-?\d+", where.strip()):
        # A lone number where the place goes was meant as the number of places.
        raise BadInput("error.capacity", text=where.strip(), command="schedule")
    if _ODD_PLACE.match(where.strip()):
        raise BadInput("schedule.where_odd", text=where.strip(), command="schedule")
    rule = parse_repeat(repeat, when)
    zone = ctx.community.zone
    dates = series_dates(rule, when, zone, ctx.now) if rule else []
    starts = [to_utc(local, zone) for local in dates] if rule else [when]
    minutes = int(duration.total_seconds() // 60)
    place = " ".join(where.split())
    details = details_of(
        check_title(title), starts, minutes, objective, capacity, place, rule, repeat, dates
    )
    return show_preview(ctx, details)


def edit(ctx: CommandContext, session: int, changes: str) -> Reply:
    """Change a session (or it and the rest of its series) and tell those signed up."""
    chosen = find_session(ctx, session)
    try:
        words = shlex.split(changes)
    except ValueError:
        raise BadInput("error.quotes", command="edit") from None
    if chosen.cancelled:
        raise BadInput("edit.cancelled", id=chosen.id, title=chosen.title)
    edits, rest = parse_edits(ctx, words)
    targets = ctx.community.sessions.later_in_series(chosen) if rest else [chosen]
    with immediate(ctx.community.db):  # the change and the notices it causes, together
        updated = [apply_edits(ctx, target, edits, chosen) for target in targets]
        ctx.community.audit.record(
            ctx.member.id, "edit", f"sessions {[s.id for s in targets]}: {sorted(edits)}", ctx.now
        )
        told = _tell_edited(ctx, updated, edits)
        if rest and "start_utc" in edits:
            _series_moved(ctx, chosen, updated[0])
        for changed in updated:
            ctx.notices.session_changed(changed.id)
    first = updated[0]
    counts = _counts(ctx, first)
    text = ctx.say("edit.done", id=chosen.id, title=first.title, count=len(updated), told=told)
    if first.capacity is not None and counts.confirmed > first.capacity:
        # Nobody loses a place they were given; the session simply takes no more for now.
        text += "\n" + ctx.say(
            "edit.over_capacity", confirmed=counts.confirmed, capacity=first.capacity
        )
    return Reply(text, items=(session_card(ctx, first, counts, None),))


def _series_moved(ctx: CommandContext, before: Session, after: Session) -> None:
    """The rest of a series moved: sessions added to it later follow, on the wall clock."""
    series = ctx.community.series.get(before.series_id) if before.series_id else None
    if series is None:
        return
    zone = series.zone
    shift = after.start.astimezone(zone).replace(tzinfo=None) - before.start.astimezone(
        zone
    ).replace(tzinfo=None)
    last = series.last_local + shift
    ctx.community.series.moved(series.id, moved_to(series.repeat, last.date()), last)


def _tell_edited(ctx: CommandContext, updated: list[Session], edits: dict[str, Any]) -> int:
    """Promote into new places and tell holders of what changed; returns how many were told."""
    signups = ctx.community.signups
    noticed = sorted(set(edits) & {"start_utc", "duration_minutes", "location", "title"})
    told = 0
    for session in updated:
        if "capacity" in edits:
            promoted = signups.promote(session, ctx.now)
            tell_promoted(ctx, session, promoted)
            told += len(promoted)
        if noticed:
            holders = [p.member_id for p in signups.attendees(session.id)]
            names = ", ".join(ctx.say(f"edit.field.{name}") for name in noticed)
            tell_changed(ctx, session, holders, names)
            told += len(holders)
    return told


def cancel_session(
    ctx: CommandContext, session: int, reason: str = "", scope: str = "one", confirm: str = ""
) -> Reply:
    """Cancel a session (or it and the rest of its series); everyone signed up is told.

    Cancelling several sessions at once asks first, with a button that repeats the command.
    """
    chosen = find_session(ctx, session)
    targets = ctx.community.sessions.later_in_series(chosen) if scope == "rest" else [chosen]
    targets = [s for s in targets if not s.cancelled]
    if not targets:
        raise BadInput("cancel_session.already", id=chosen.id, title=chosen.title)
    reason = " ".join(reason.split())[:300]
    if len(targets) > 1 and confirm != "yes":
        said = reason.replace(chr(34), "")
        again = f"cancel-session {chosen.id} scope=rest confirm=yes"
        again += f' "{said}"' if said else ""  # an empty "" would read as a reason left out
        ask = ctx.say("cancel_session.ask", id=chosen.id, title=chosen.title, count=len(targets))
        return Reply(ask, actions=(Action(ctx.say("action.cancel_sessions"), again, "danger"),))
    # One transaction: a session cancelled is a holder told, exactly once, before their
    # place is released; each session's notices are one INSERT ... SELECT, not a row each.
    with immediate(ctx.community.db):
        told = 0
        for target in targets:
            cancelled = ctx.community.sessions.cancel(target.id, reason, ctx.now)
            told += tell_cancelled(ctx, cancelled)
            ctx.community.signups.release_all(cancelled, ctx.now)
            ctx.notices.session_changed(cancelled.id)
        ctx.community.audit.record(
            ctx.member.id, "cancel", f"sessions {[s.id for s in targets]}", ctx.now
        )
        if scope == "rest" and chosen.series_id is not None:
            ctx.community.series.end(chosen.series_id, ctx.now)  # no more top-ups
    return Reply(
        ctx.say(
            "cancel_session.done", id=chosen.id, title=chosen.title, count=len(targets), told=told
        )
    )


def attendees(ctx: CommandContext, session: int) -> Reply:
    """Who is coming and who is waiting, with a CSV to download."""
    chosen = find_session(ctx, session)
    places = ctx.community.signups.attendees(chosen.id)
    present = ctx.community.outcomes.attendance.present(chosen.id)
    members = ctx.community.members.many([*(p.member_id for p in places), *present])
    lines = []
    for place in places:
        member = members.get(place.member_id)
        name = member.display_name if member else "?"
        key = "attendees.confirmed" if place.status == "confirmed" else "attendees.waiting"
        line = ctx.say(key, name=name, position=place.position)
        there = place.member_id in present
        lines.append(ctx.say("attendance.in_attendees", name=line) if there else line)
    lines += walk_in_lines(ctx, present, places, members)
    counts = _counts(ctx, chosen)
    content = attendees_csv(chosen, places, members, ctx.zone, present)
    return Reply(
        ctx.say(
            "attendees.intro",
            id=chosen.id,
            title=chosen.title,
            confirmed=counts.confirmed,
            waitlisted=counts.waitlisted,
        ),
        items=(Item(chosen.title, tuple(lines) or (ctx.say("attendees.none"),)),),
        attachment=Attachment(f"attendees-{chosen.id}.csv", content, "text/csv"),
    )


def _counts(ctx: CommandContext, session: Session) -> Counts:
    return ctx.community.signups.counts([session.id]).get(session.id, Counts())


def register(registry: Registry) -> None:
    registry.command(
        "schedule",
        Option("title", "word"),
        Option("when", "when"),
        Option("duration", "duration", required=False),
        Option("objective", "objective", required=False),
        Option("capacity", "capacity", required=False),
        Option("repeat", "repeat", required=False),
        Option("where", "text", required=False),
        planners_only=True,
        public=False,
    )(schedule)
    registry.command(
        "edit", Option("session", "session"), Option("changes", "assignments"), planners_only=True
    )(edit)
    registry.command(
        "cancel-session",
        Option("session", "session"),
        Option("reason", "text", required=False),
        Option("scope", "choice", required=False, choices=("one", "rest"), named_only=True),
        Option("confirm", "choice", required=False, choices=("yes",), named_only=True),
        planners_only=True,
    )(cancel_session)
    registry.command("attendees", Option("session", "session"), planners_only=True)(attendees)
