"""Taking and giving up a place at a session."""

from __future__ import annotations

from dataclasses import replace

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Reply
from bot.domain.errors import SessionClosed, UnknownSession
from bot.storage.sessions import Session
from commands.cards import when_text
from commands.notices import tell_promoted
from commands.sector import offer_once


def find_session(ctx: CommandContext, session_id: int) -> Session:
    session = ctx.community.sessions.get(session_id)
    if session is None:
        raise UnknownSession(id=str(session_id))
    return session


def open_session(ctx: CommandContext, session_id: int) -> Session:
    """A session that still takes signups: not cancelled and not over."""
    session = find_session(ctx, session_id)
    if session.cancelled or session.end <= ctx.now:
        raise SessionClosed(id=str(session.id), title=session.title)
    return session


def signup(ctx: CommandContext, session: int) -> Reply:
    """Take a place, or join the waitlist when the session is full."""
    chosen = open_session(ctx, session)
    place = ctx.community.signups.signup(chosen, ctx.member.id, ctx.now)
    ctx.notices.places_changed(chosen.id, ctx.member)
    cancel = Action(ctx.say("action.cancel"), f"cancel {chosen.id}", "danger")
    if place.status == "confirmed":
        where = chosen.location or ctx.say("session.where_tbc")
        text = ctx.say(
            "signup.confirmed",
            id=chosen.id,
            title=chosen.title,
            when=when_text(ctx, chosen),
            where=where,
        )
    else:
        text = ctx.say(
            "signup.waitlisted", id=chosen.id, title=chosen.title, position=place.position
        )
    # One offer at a time: direct messages first where they apply, the sector question next.
    offer = _offer_direct_messages(ctx)
    if offer:
        return Reply(text, actions=(cancel, *offer))
    question, sector_buttons = offer_once(ctx)
    return Reply(text, actions=(cancel, *sector_buttons), footer=question)


def _offer_direct_messages(ctx: CommandContext) -> tuple[Action, ...]:
    """Where reminders go to a session thread by default, offer direct messages, once."""
    members = ctx.community.members
    prefs = members.preferences(ctx.member.id)
    if prefs.dm_offered or prefs.via_on(ctx.community.default_via(ctx.member.platform)) == "dm":
        return ()
    members.save_preferences(ctx.member.id, replace(prefs, dm_offered=True))
    return (Action(ctx.say("action.dm_me"), "direct-messages on"),)


def cancel(ctx: CommandContext, session: int) -> Reply:
    """Give up a place (or leave the waitlist); the next person waiting is offered it."""
    chosen = find_session(ctx, session)
    promoted = ctx.community.signups.cancel(chosen, ctx.member.id, ctx.now)
    ctx.notices.places_changed(chosen.id, ctx.member)
    tell_promoted(ctx, chosen, promoted)
    return Reply(ctx.say("cancel.done", id=chosen.id, title=chosen.title))


def register(registry: Registry) -> None:
    registry.command("signup", Option("session", "session"))(signup)
    registry.command("cancel", Option("session", "session"))(cancel)
