"""The DEVELOP / CONNECT / INFLUENCE resource library: find, suggest, review; and support.

A suggested link is shown as text for the planning group to check, never previewed, and the
suggester hears what happened to it either way.
"""

from __future__ import annotations

from urllib.parse import urlparse

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Item, Reply
from bot.domain.errors import BadInput
from bot.storage.library import Entry, search_words

PAGE = 10
MAX_LINK = 500
MAX_TITLE = 150


def resource_card(ctx: CommandContext, entry: Entry) -> Item:
    lines = [ctx.say("resources.tags", objectives=" · ".join(entry.objectives), kind=entry.kind)]
    if entry.summary:
        lines.append(entry.summary)
    lines.append(entry.link or ctx.say("pick.no_link"))
    return Item(
        ctx.say("resources.title", id=entry.id, title=entry.title),
        tuple(lines),
        key=f"resource:{entry.id}",
    )


def resources(
    ctx: CommandContext, objective: str | None = None, words: str = "", page: int = 1
) -> Reply:
    """Find resources, best matches first; optionally only one objective's."""
    found = ctx.community.library.search(words, objective, PAGE + 1, (page - 1) * PAGE)
    if not found:
        if page > 1:
            return Reply(ctx.say("resources.no_more"))
        return Reply(ctx.say("resources.none", words=words or "-"))
    actions: tuple[Action, ...] = ()
    if len(found) > PAGE:
        actions = (Action(ctx.say("action.more"), more_command(objective, words, page + 1)),)
    cards = tuple(resource_card(ctx, e) for e in found[:PAGE])
    return Reply(ctx.say("resources.intro", count=len(cards)), items=cards, actions=actions)


def more_command(objective: str | None, words: str, page: int) -> str:
    """The next page's command, written so it reads back as the same search: only the words
    the search looks at (no quote marks or hidden characters to trip the button up), named,
    since they may start with an objective's name, and kept together in double quotes."""
    words = " ".join(search_words(words))
    parts = [
        "resources",
        *([objective] if objective else []),
        *([f'"words={words}"'] if words else []),
        f"page={page}",
    ]
    return " ".join(parts)


def check_link(link: str) -> str:
    parsed = urlparse(link.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(link) > MAX_LINK:
        raise BadInput("suggest.bad_link", text=link[:80], command="suggest")
    return link.strip()


def suggest(ctx: CommandContext, link: str, objective: str, title: str) -> Reply:
    """Offer a resource to the library; the planning group reviews it."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise BadInput("suggest.bad_title", limit=MAX_TITLE, command="suggest")
    entry = ctx.community.library.suggest(
        title, check_link(link), objective, ctx.member.id, ctx.now
    )
    return Reply(ctx.say("suggest.thanks", id=entry.id, title=entry.title))


def review(ctx: CommandContext) -> Reply:
    """Suggestions waiting for the planning group, with Approve and Reject buttons."""
    pending = ctx.community.library.with_status("pending")
    if not pending:
        return Reply(ctx.say("review.none"))
    cards = tuple(
        Item(
            ctx.say("resources.title", id=e.id, title=e.title),
            (ctx.say("review.line", objectives=" · ".join(e.objectives), link=e.link),),
            (
                Action(ctx.say("action.approve"), f"approve {e.id}", "primary"),
                Action(ctx.say("action.reject"), f"reject {e.id}", "danger"),
            ),
            f"resource:{e.id}",
        )
        for e in pending[:20]
    )
    return Reply(ctx.say("review.intro", count=len(pending)), items=cards)


_DECIDED = {"approve": "approved", "reject": "rejected"}  # a review's action -> the status


def _entry(ctx: CommandContext, entry_id: str) -> Entry:
    entry = ctx.community.library.get(entry_id.strip().lower())
    if entry is None:
        raise BadInput("resources.unknown", id=entry_id)
    return entry


def _decide(ctx: CommandContext, resource: str, action: str, reason: str = "") -> Entry:
    """Settle a suggestion waiting for review, and keep the planner's decision in the audit."""
    entry = _entry(ctx, resource)
    if entry.status != "pending":
        raise BadInput("review.not_pending", id=entry.id, status=entry.status)
    ctx.community.library.set_status(entry.id, _DECIDED[action], reason, ctx.now)
    ctx.community.audit.record(ctx.member.id, action, entry.id, ctx.now)
    return entry


def approve(ctx: CommandContext, resource: str) -> Reply:
    """Add a suggestion to the library; the suggester is told."""
    entry = _decide(ctx, resource, "approve")
    _tell(ctx, entry, ctx.say("suggest.approved", title=entry.title))
    return Reply(ctx.say("review.approved", id=entry.id, title=entry.title))


def reject(ctx: CommandContext, resource: str, reason: str = "") -> Reply:
    """Turn a suggestion down kindly; the suggester is told, with the reason if given."""
    reason = " ".join(reason.split())[:300]
    entry = _decide(ctx, resource, "reject", reason)
    _tell(
        ctx,
        entry,
        ctx.say(
            "suggest.rejected", title=entry.title, reason=reason or ctx.say("notice.no_reason")
        ),
    )
    return Reply(ctx.say("review.rejected", id=entry.id, title=entry.title))


def retire(ctx: CommandContext, resource: str) -> Reply:
    """Take a resource out of search and picks (it stays on record)."""
    entry = _entry(ctx, resource)
    if entry.status != "approved":
        # A suggestion waiting for review is turned down with `reject`, so its author hears.
        raise BadInput("review.not_approved", id=entry.id, status=entry.status)
    ctx.community.library.set_status(entry.id, "retired", "", ctx.now)
    ctx.community.audit.record(ctx.member.id, "retire", entry.id, ctx.now)
    return Reply(ctx.say("review.retired", id=entry.id, title=entry.title))


def _tell(ctx: CommandContext, entry: Entry, text: str) -> None:
    if entry.suggested_by is not None:
        ctx.notices.notify([entry.suggested_by], "suggestion", Reply(text, private=False))


def support(ctx: CommandContext) -> Reply:
    """Where to find support: kept by the planning group in content/support.toml."""
    info = ctx.community.support
    cards = tuple(Item(route.name, (route.description, route.how)) for route in info.routes)
    return Reply(info.intro, items=cards)


def register(registry: Registry) -> None:
    registry.command(
        "resources",
        Option("objective", "objective", required=False),
        Option("words", "text", required=False),
        Option("page", "page", required=False),
    )(resources)
    registry.command(
        "suggest", Option("link", "word"), Option("objective", "objective"), Option("title", "text")
    )(suggest)
    registry.command("support")(support)
    registry.command("review", planners_only=True)(review)
    registry.command("approve", Option("resource", "word"), planners_only=True)(approve)
    registry.command(
        "reject",
        Option("resource", "word"),
        Option("reason", "text", required=False),
        planners_only=True,
    )(reject)
    registry.command("retire", Option("resource", "word"), planners_only=True)(retire)
