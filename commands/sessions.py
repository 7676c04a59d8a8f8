"""Seeing what is on: upcoming sessions, my sessions, and the calendar file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.calendar.ical import calendar_ics
from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Attachment, Reply
from bot.domain.memo import Lru
from bot.storage.sessions import Session
from bot.storage.signups import Counts, Place
from commands.calendar_link import CHANGES, calendar_link, refuse_change_without_link
from commands.cards import session_card

# Ten cards is as many as a phone screen shows comfortably; "More sessions" pages on.
LIST_LIMIT = 10


# Pages kept: a page is keyed by the minute and the calendar's change mark, so older keys
# fall out of use as time passes; a few pages cover everyone paging through at once.
LISTING_PAGES = 8
# Answers kept per page, one for each member's zone and places on the page: most members
# have none, so a few answers serve nearly everyone.
CARD_SETS = 64

AnswerKey = tuple[str, tuple[Place | None, ...]]


@dataclass(frozen=True)
class Listing:
    """A page of upcoming sessions as the database has it now, shared by every member, with
    the answers made from it: the whole reply is the same for every member who shares a
    zone and the places they hold on the page, so it is built once and handed out as is
    (and a front end that keeps what it drew of a reply draws it once too)."""

    found: list[Session]
    counts: dict[int, Counts]
    mark: int  # the calendar mark at which these counts were last known to be true
    answers: Lru[AnswerKey, Reply] = field(default_factory=lambda: Lru(CARD_SETS))


PageKey = tuple[int, datetime, int, int]


class Listings:
    """The listing's caches, kept per community: pages by (page, minute, calendar mark),
    and the sessions on a page by (page, minute, sessions mark).

    The calendar mark moves when a session or a place changes here, the sessions mark only
    when a session itself does, and both when another process commits anything; the
    scheduler's own writes to the delivery ledger leave them alone, so a busy bot answers
    most listings from here, and after a signup reads the page's new counts only if the
    signup may have changed them."""

    def __init__(self) -> None:
        self.pages: Lru[PageKey, Listing] = Lru(LISTING_PAGES)
        self.found: Lru[PageKey, list[Session]] = Lru(LISTING_PAGES)
        self.latest: Lru[PageKey, Listing] = Lru(LISTING_PAGES)


def sessions(ctx: CommandContext, page: int = 1) -> Reply:
    """Upcoming sessions with places left, soonest first, ten at a time."""
    listing = _listing(ctx, page)
    upcoming = listing.found[:LIST_LIMIT]
    if not upcoming:
        return Reply(ctx.say("sessions.none" if page == 1 else "sessions.no_more"))
    mine = {p.session_id: p for p in ctx.community.signups.for_member(ctx.member.id)}
    key = (ctx.member.timezone, tuple(mine.get(s.id) for s in upcoming))
    return listing.answers.get(key, lambda: _answer(ctx, listing, page, mine))


def _answer(ctx: CommandContext, listing: Listing, page: int, mine: dict[int, Place]) -> Reply:
    """The page as a member in this zone, holding these places on it, reads it."""
    upcoming, counts = listing.found[:LIST_LIMIT], listing.counts
    cards = tuple(
        session_card(ctx, s, counts.get(s.id, Counts()), mine.get(s.id)) for s in upcoming
    )
    more = (Action(ctx.say("action.more_sessions"), f"sessions page={page + 1}"),)
    return Reply(
        ctx.say("sessions.intro", count=len(cards), zone=str(ctx.zone)),
        items=cards,
        actions=more if len(listing.found) > LIST_LIMIT else (),
    )


def _listing(ctx: CommandContext, page: int) -> Listing:
    """A page of upcoming sessions and their counts: the same for every member until the
    calendar changes (or the minute turns), so it is read once and shared. A new place
    changes only the counts: the page's sessions are kept until a session itself changes,
    and a page whose counts read as before keeps its answers (and what a front end drew of
    them). A booking made here for a session not on the page costs the page nothing: the
    signup store noted which session it was for (`CalendarChanges`). One made elsewhere
    costs the page a count."""
    community = ctx.community
    kept = community.memos.of(Listings)
    calendar, sessions_mark, other = ctx.marks or community.sessions.calendar_mark()
    minute = ctx.now.replace(second=0, microsecond=0)

    def found() -> list[Session]:
        offset = (page - 1) * LIST_LIMIT
        return community.sessions.upcoming(ctx.now, LIST_LIMIT + 1, offset=offset)

    def load() -> Listing:
        shape = (page, minute, sessions_mark, other)
        upcoming = kept.found.get(shape, found)
        latest = kept.latest.peek(shape)
        if latest is not None and latest.found is upcoming:
            changed = community.sessions.changes.since(latest.mark, calendar)
            if changed is not None and changed.isdisjoint(s.id for s in upcoming):
                return _moved_on(kept, shape, latest, calendar)  # the places changed elsewhere
        counts = community.signups.counts([s.id for s in upcoming])
        if latest is not None and latest.found is upcoming and latest.counts == counts:
            return _moved_on(kept, shape, latest, calendar)  # on this page, but read the same
        listing = Listing(upcoming, counts, calendar)
        kept.latest.put(shape, listing)
        return listing

    return kept.pages.get((page, minute, calendar, other), load)


def _moved_on(kept: Listings, shape: PageKey, listing: Listing, calendar: int) -> Listing:
    """The listing, still true at calendar mark `calendar`: it and its answers stand."""
    moved = replace(listing, mark=calendar)
    kept.latest.put(shape, moved)
    return moved


def mine(ctx: CommandContext) -> Reply:
    """The sessions the member has a place at or is waiting for."""
    signups, store = ctx.community.signups, ctx.community.sessions
    places = {p.session_id: p for p in signups.for_member(ctx.member.id)}
    found = [s for s in store.many(places).values() if s.end > ctx.now]
    found.sort(key=lambda s: s.start)
    if not found:
        return Reply(ctx.say("mine.none"))
    counts = signups.counts([s.id for s in found])
    cards = tuple(session_card(ctx, s, counts.get(s.id, Counts()), places[s.id]) for s in found)
    return Reply(ctx.say("mine.intro", count=len(cards)), items=cards)


def calendar(ctx: CommandContext, which: str = "all", change: str | None = None) -> Reply:
    """The calendar as an .ics file (every upcoming session, or only the member's own), or
    with `link`, an address a calendar app subscribes to once and keeps up to date."""
    if which == "link":
        return calendar_link(ctx, change)
    if change is not None:
        raise refuse_change_without_link(change)
    store = ctx.community.sessions
    chosen = store.upcoming(ctx.now, 500, include_cancelled=True)
    if which == "mine":
        signups = ctx.community.signups
        held = {p.session_id for p in signups.for_member(ctx.member.id)}
        released = signups.released_by_cancellation(ctx.member.id)
        chosen = [s for s in chosen if s.id in held or (s.cancelled and s.id in released)]
    content = calendar_ics(chosen, ctx.community.config.community_name, ctx.community.zone, ctx.now)
    return Reply(
        ctx.say("calendar.ready", count=sum(not s.cancelled for s in chosen)),
        attachment=Attachment("copbot.ics", content, "text/calendar"),
    )


def register(registry: Registry) -> None:
    registry.command("sessions", Option("page", "page", required=False))(sessions)
    registry.command("mine")(mine)
    registry.command(
        "calendar",
        Option("which", "choice", required=False, choices=("all", "mine", "link")),
        Option("change", "choice", required=False, choices=CHANGES),
    )(calendar)
