"""Who was there: one tap for a member who had a place, a list to tick for the planning group.

Only the member and the planning group ever see a member's attendance. Nothing counts
absences: no streaks, no "you missed".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Actor, Item, Reply
from bot.domain.errors import BadInput
from bot.scheduling.feedback import feedback_question
from bot.scheduling.plan import SOON
from bot.storage.members import Member
from bot.storage.sessions import Session
from bot.storage.signups import Place
from commands.connect import offer_connect_once
from commands.signups import find_session

# How long after a session a member may still say they were there.
SELF_MARK_UNTIL = timedelta(days=14)
_MENTION = re.compile(r"<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>")
_MEMBER_REF = re.compile(r"member:(\d+)")


def attended(ctx: CommandContext, session: int, undo: str | None = None) -> Reply:
    """Say you were at a session you had a place at; `undo` takes it back."""
    chosen = _self_markable(ctx, session)
    attendance = ctx.community.outcomes.attendance
    fields = {"id": chosen.id, "title": chosen.title}
    if undo is not None:
        key = (
            "attended.undone"
            if attendance.unmark(chosen.id, ctx.member.id)
            else "attended.not_marked"
        )
        return Reply(ctx.say(key, **fields))
    if not attendance.was_there(chosen.id, ctx.member.id):
        _check_booked(ctx, chosen)
    new = attendance.mark(chosen.id, ctx.member.id, "self", ctx.now)
    thanks = ctx.say("attended.done" if new else "attended.already", **fields)
    undo_button = Action(ctx.say("attended.action_undo"), f"attended {chosen.id} undo")
    offer, buttons = offer_connect_once(ctx)
    text = f"{thanks}\n{offer}" if offer else thanks
    return _with_question(ctx, chosen, Reply(text, actions=(undo_button, *buttons)))


def _self_markable(ctx: CommandContext, session_id: int) -> Session:
    chosen = find_session(ctx, session_id)
    fields = {"id": chosen.id, "title": chosen.title}
    if chosen.cancelled or ctx.now < chosen.start - SOON:
        raise BadInput("attended.too_early", **fields)
    if ctx.now > chosen.end + SELF_MARK_UNTIL:
        raise BadInput("attended.too_late", **fields)
    return chosen


def _check_booked(ctx: CommandContext, session: Session) -> None:
    place = ctx.community.signups.place(session.id, ctx.member.id)
    if place is None or place.status != "confirmed":
        raise BadInput("attended.not_booked", id=session.id, title=session.title)


def _with_question(ctx: CommandContext, session: Session, reply: Reply) -> Reply:
    """After the session has ended, ask the feedback question now, if it was never asked."""
    feedback = ctx.community.outcomes.feedback
    if ctx.now < session.end or not feedback.mark_asked(session.id, ctx.member.id):
        return reply
    asked = feedback_question(ctx.community.messages, session)
    return Reply(
        f"{reply.text}\n\n{asked.text}",
        actions=(*asked.actions, *reply.actions),
        footer=asked.footer,
    )


def attendance(
    ctx: CommandContext, session: int, action: str | None = None, who: str = ""
) -> Reply:
    """For the planning group: who was there, to mark or correct; add people who came
    without a place."""
    chosen = find_session(ctx, session)
    if action is None:
        return _register(ctx, chosen)
    if not who.strip():
        raise BadInput("attendance.who_needed", command="attendance")
    person = _find_person(ctx, who.strip(), create=action == "add")
    store = ctx.community.outcomes.attendance
    fields = {"name": person.display_name, "id": chosen.id, "title": chosen.title}
    if action == "unmark":
        store.unmark(chosen.id, person.id)
        return Reply(ctx.say("attendance.unmarked", **fields))
    place = ctx.community.signups.place(chosen.id, person.id)
    booked = place is not None and place.status == "confirmed"
    store.mark(chosen.id, person.id, "planner" if booked else "walk-in", ctx.now)
    return Reply(ctx.say("attendance.marked", **fields))


def _register(ctx: CommandContext, session: Session) -> Reply:
    """Everyone with a place and everyone marked, each with a button to tick or untick."""
    community = ctx.community
    present = community.outcomes.attendance.present(session.id)
    booked = [
        p.member_id for p in community.signups.attendees(session.id) if p.status == "confirmed"
    ]
    people = booked + sorted(m for m in present if m not in booked)
    items = [_person_item(ctx, session, member_id, present.get(member_id)) for member_id in people]
    text = ctx.say(
        "attendance.intro",
        id=session.id,
        title=session.title,
        present=len(present),
        booked=len(booked),
    )
    return Reply(
        text,
        items=tuple(i for i in items if i is not None),
        footer=ctx.say("attendance.none")
        if not people
        else ctx.say("attendance.hint", id=session.id),
    )


def _person_item(
    ctx: CommandContext, session: Session, member_id: int, how: str | None
) -> Item | None:
    member = ctx.community.members.get(member_id)
    if member is None:
        return None
    if how is None:
        line = ctx.say("attendance.not_marked")
        button = Action(
            ctx.say("attendance.action_mark"),
            f"attendance {session.id} mark member:{member_id}",
            "primary",
        )
    else:
        line = ctx.say(f"attendance.how.{how}")
        button = Action(
            ctx.say("attendance.action_unmark"),
            f"attendance {session.id} unmark member:{member_id}",
        )
    return Item(member.display_name, (line,), (button,), key=f"member:{member_id}")


def _find_person(ctx: CommandContext, who: str, *, create: bool) -> Member:
    """A member named by a button (`member:7`), a mention, or their name as shown here.

    A walk-in the bot has never met is registered from a mention (or, on the console, a name),
    as they would be on their first command."""
    members, platform = ctx.community.members, ctx.member.platform
    found: Member | None = None
    if by_ref := _MEMBER_REF.fullmatch(who):
        found = members.get(int(by_ref.group(1)))
    elif mention := _MENTION.fullmatch(who):
        user_id = mention.group(1)
        found = members.by_platform_id(platform, user_id)
        if found is None and create:
            found = ctx.community.register(Actor(platform, user_id, user_id))
    else:
        name = who.removeprefix("@")
        found = members.by_name(platform, name)
        if found is None and create and platform == "console":
            found = ctx.community.register(Actor(platform, name, name))
    if found is None:
        raise BadInput("attendance.who_unknown", text=who, command="attendance")
    return found


def walk_in_lines(
    ctx: CommandContext,
    present: dict[int, str],
    places: list[Place],
    members: Mapping[int, Member],
) -> list[str]:
    """For `attendees`: the people marked as there who held no place (`members` holds
    everyone concerned, read in one go)."""
    booked = {p.member_id for p in places}
    lines = []
    for member_id in sorted(set(present) - booked):
        member = members.get(member_id)
        if member is not None:
            lines.append(ctx.say("attendance.in_attendees_walk_in", name=member.display_name))
    return lines


def register(registry: Registry) -> None:
    registry.command(
        "attended",
        Option("session", "session"),
        Option("undo", "choice", required=False, choices=("undo",)),
    )(attended)
    registry.command(
        "attendance",
        Option("session", "session"),
        Option("action", "choice", required=False, choices=("mark", "unmark", "add")),
        Option("who", "text", required=False),
        planners_only=True,
    )(attendance)
