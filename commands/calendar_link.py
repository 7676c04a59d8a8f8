"""`/cop calendar link`: a private address a calendar app subscribes to once.

The token is shown once, when it is made; only its hash is kept, so the bot can say a link
exists but never show it again. `reset` makes a new one (the old stops working at once);
`mine` or `all` changes what the same address shows.
"""

from __future__ import annotations

from bot.community import CommandContext
from bot.domain.context import Reply
from bot.domain.errors import BadInput
from bot.domain.when import format_local
from bot.web.addresses import feed_address
from bot.web.tokens import new_token, token_hash

CHANGES = ("reset", "mine", "all")


def calendar_link(ctx: CommandContext, change: str | None) -> Reply:
    """Give, replace or re-scope the member's subscription address."""
    web = ctx.community.config.web
    if not web.enabled:
        return Reply(ctx.say("calendar.link.off"))
    links = ctx.community.calendar_links
    current = links.for_member(ctx.member.id)
    if current is not None and change in ("mine", "all"):
        links.set_scope(ctx.member.id, change, ctx.now)
        return Reply(ctx.say("calendar.link.scope", scope=ctx.say(f"calendar.link.scope_{change}")))
    if current is not None and change is None:
        when = format_local(current.created, ctx.zone)
        scope = ctx.say(f"calendar.link.scope_{current.scope}")
        return Reply(ctx.say("calendar.link.exists", when=when, scope=scope))
    scope = change if change in ("mine", "all") else (current.scope if current else "mine")
    token = new_token()
    links.save(ctx.member.id, token_hash(token), scope, ctx.now)
    https, webcal = feed_address(web.address, f"/calendar/{token}.ics")
    key = "calendar.link.reset" if current is not None else "calendar.link.new"
    text = ctx.say(key, https=https, webcal=webcal, scope=ctx.say(f"calendar.link.scope_{scope}"))
    return Reply(text, private=True)


def refuse_change_without_link(change: str) -> BadInput:
    """`/cop calendar mine reset`: the second word only means something after `link`."""
    return BadInput("calendar.link.only", text=change, command="calendar")
