"""A member's own settings and data: time zone, what is held about them, erasure."""

from __future__ import annotations

import json

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Attachment, Item, Reply
from bot.domain.when import format_local
from bot.storage.db import immediate, settle_to_file
from commands.connect import CONNECT_SECTIONS, connect_cards
from commands.notices import tell_promoted
from commands.sector import OUTCOME_SECTIONS, outcome_cards


def timezone(ctx: CommandContext, zone: str | None = None) -> Reply:
    """Show or set the time zone every time is shown in."""
    if zone is None:
        return Reply(ctx.say("timezone.current", zone=ctx.member.timezone))
    ctx.community.members.set_timezone(ctx.member.id, zone)
    return Reply(ctx.say("timezone.set", zone=zone))


def mydata(ctx: CommandContext) -> Reply:
    """Everything the bot holds about the member, in words and as a file to keep."""
    held = ctx.community.privacy.export(ctx.member.id)
    places = held.get("signups", [])
    sessions = ctx.community.sessions.many(row["session_id"] for row in places)
    lines = []
    for row in places:
        session = sessions.get(row["session_id"])
        title = session.title if session else "?"
        lines.append(
            ctx.say(
                "mydata.signup",
                id=row["session_id"],
                title=title,
                status=ctx.say(f"status.{row['status']}"),
            )
        )
    item = Item(
        ctx.say("mydata.profile_title"),
        (
            ctx.say(
                "mydata.profile",
                name=ctx.member.display_name,
                zone=ctx.member.timezone,
                platform=ctx.member.platform,
            ),
        ),
    )
    cards = [item]
    if lines:
        cards.append(Item(ctx.say("mydata.signups_title"), tuple(lines)))
    cards += outcome_cards(ctx, held)
    cards += connect_cards(ctx, held)
    extra = [
        Item(ctx.say(f"mydata.section.{name}"), (ctx.say("mydata.count", count=len(rows)),))
        for name, rows in held.items()
        if name not in ("member", "signups", *OUTCOME_SECTIONS, *CONNECT_SECTIONS) and rows
    ]
    content = json.dumps(held, indent=2, default=str).encode()
    return Reply(
        ctx.say("mydata.intro", when=format_local(ctx.now, ctx.zone)),
        items=tuple(cards + extra),
        attachment=Attachment("my-copbot-data.json", content, "application/json"),
    )


def forget_me(ctx: CommandContext, confirm: str | None = None) -> Reply:
    """Erase the member and everything about them, after they confirm."""
    if confirm != "yes":
        yes = Action(ctx.say("action.forget_confirm"), "forget-me confirm=yes", "danger")
        return Reply(ctx.say("forget.ask"), actions=(yes,))
    community = ctx.community
    # All or nothing: a half-done erasure would release places yet keep the member.
    with immediate(community.db):
        ctx.notices.leave_rooms(ctx.member)
        for place in community.signups.for_member(ctx.member.id):
            session = community.sessions.get(place.session_id)
            if session is not None:
                promoted = community.signups.cancel(session, ctx.member.id, ctx.now)
                tell_promoted(ctx, session, promoted)
        community.privacy.erase(ctx.member.id)
        community.audit.record(
            None, "erasure", "a member's data was erased at their request", ctx.now
        )
    settle_to_file(community.db)
    return Reply(ctx.say("forget.done"))


def register(registry: Registry) -> None:
    registry.command("timezone", Option("zone", "zone", required=False))(timezone)
    registry.command("mydata")(mydata)
    registry.command(
        "forget-me",
        # One way to confirm everywhere, as cancel-session has it: confirm=yes.
        Option(
            "confirm", "choice", required=False, choices=("yes",), aliases=(("confirm", "yes"),)
        ),
    )(forget_me)
