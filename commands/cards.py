"""How a session looks to a member: one card, in their own time zone, with the right button."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.calendar.session_when import session_when
from bot.community import CommandContext
from bot.domain.context import Action, Item
from bot.domain.memo import Lru
from bot.storage.sessions import Session
from bot.storage.signups import Counts, Place


def when_text(ctx: CommandContext, session: Session, zone: ZoneInfo | None = None) -> str:
    return session_when(ctx.community.messages, session, zone or ctx.zone)


def places_text(
    ctx: CommandContext, session: Session, counts: Counts, place: Place | None = None
) -> str:
    if session.cancelled:
        return ctx.say("session.cancelled_line", reason=session.cancel_reason or "-")
    left = counts.places_left(session.capacity)
    if left is None:
        return ctx.say("session.open_places", confirmed=counts.confirmed)
    if left > 0:
        return ctx.say("session.places_left", left=left, capacity=session.capacity)
    if counts.waitlisted == 0:
        # "Sign up to be first on the waitlist" is for someone without a place.
        if place is not None:
            return ctx.say("session.full_taken", capacity=session.capacity)
        return ctx.say("session.full_no_wait")
    return ctx.say("session.full", waitlisted=counts.waitlisted)


def place_text(ctx: CommandContext, place: Place | None) -> str:
    if place is None:
        return ""
    if place.status == "confirmed":
        return ctx.say("session.you_confirmed")
    return ctx.say("session.you_waitlisted", position=place.position)


CARD_CACHE_LIMIT = 5000
CardKey = tuple[str, Session, Counts, Place | None, bool]


class Cards:
    """Rendered session cards by everything a card depends on, kept per community; the
    words never change while the bot runs. The least recently drawn go first."""

    def __init__(self) -> None:
        self.drawn: Lru[CardKey, Item] = Lru(CARD_CACHE_LIMIT)


def session_card(
    ctx: CommandContext, session: Session, counts: Counts, place: Place | None
) -> Item:
    """A session as a card, rendered once for each state it can be in and reused.

    Listing sessions renders the same cards for most members, and a card depends only on
    what is in the key, so the words are put together once per state, not per request.
    """
    key = (ctx.member.timezone, session, counts, place, session.end <= ctx.now)
    cards = ctx.community.memos.of(Cards)
    return cards.drawn.get(key, lambda: _render_card(ctx, session, counts, place))


def _render_card(
    ctx: CommandContext, session: Session, counts: Counts, place: Place | None
) -> Item:
    """A session as a card: when, what, where, places, and sign up or cancel."""
    where = session.location or ctx.say("session.where_tbc")
    lines = [
        when_text(ctx, session),
        ctx.say("session.what", objective=session.objective, where=where),
        places_text(ctx, session, counts, place),
        place_text(ctx, place),
    ]
    if session.description:
        lines.insert(1, session.description)
    return Item(
        title=ctx.say("session.title", id=session.id, title=session.title),
        lines=tuple(line for line in lines if line),
        actions=_actions(ctx, session, place),
        key=f"session:{session.id}",
    )


def _actions(ctx: CommandContext, session: Session, place: Place | None) -> tuple[Action, ...]:
    if session.cancelled or session.end <= ctx.now:
        return ()
    if place is None:
        return (Action(ctx.say("action.signup"), f"signup {session.id}", "primary"),)
    return (Action(ctx.say("action.cancel"), f"cancel {session.id}", "danger"),)
