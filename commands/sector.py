"""A member's self-declared sector: optional, changeable, asked about once.

It lets the report show which sectors meet at sessions (the CONNECT objective), only ever as
counts of five or more.
"""

from __future__ import annotations

from typing import Any

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Item, Reply
from bot.domain.errors import BadInput

CLEAR = ("none", "clear", "blank")


def sector(ctx: CommandContext, choose: str | None = None) -> Reply:
    """Show the sector choices (a button each), or set one; `none` leaves it blank."""
    outcomes = ctx.community.outcomes
    if choose is None:
        return _choices(ctx)
    wanted = choose.strip().lower()
    if wanted in CLEAR:
        outcomes.sectors.set(ctx.member.id, None, ctx.now)
        return Reply(ctx.say("sector.cleared"))
    found = outcomes.sector_choices.get(wanted)
    if found is None:
        names = ", ".join(s.id for s in outcomes.sector_choices.choices)
        raise BadInput("sector.unknown", text=choose, choices=names, command="sector")
    outcomes.sectors.set(ctx.member.id, found.id, ctx.now)
    return Reply(ctx.say("sector.set", sector=found.label))


def _choices(ctx: CommandContext) -> Reply:
    outcomes = ctx.community.outcomes
    current = outcomes.sector_choices.label(outcomes.sectors.get(ctx.member.id))
    now = ctx.say("sector.now", sector=current) if current else ctx.say("sector.none_yet")
    buttons = tuple(Action(s.label, f"sector {s.id}") for s in outcomes.sector_choices.choices)
    clear = (Action(ctx.say("sector.action_clear"), "sector none"),) if current else ()
    outcomes.sectors.mark_asked(ctx.member.id, ctx.now)
    return Reply(
        f"{ctx.say('sector.ask')}\n{now}", actions=(*buttons, *clear), footer=ctx.say("sector.why")
    )


def offer_once(ctx: CommandContext) -> tuple[str, tuple[Action, ...]]:
    """After a first signup: a short line and two buttons, shown once and never again."""
    sectors = ctx.community.outcomes.sectors
    if sectors.asked(ctx.member.id):
        return "", ()
    sectors.mark_asked(ctx.member.id, ctx.now)
    return ctx.say("sector.offer"), (
        Action(ctx.say("sector.action_choose"), "sector"),
        Action(ctx.say("sector.action_no_thanks"), "sector none"),
    )


def settings_line(ctx: CommandContext) -> str:
    """The sector as `settings` shows it."""
    outcomes = ctx.community.outcomes
    label = outcomes.sector_choices.label(outcomes.sectors.get(ctx.member.id))
    if label:
        return ctx.say("sector.in_settings", sector=label)
    return ctx.say("sector.in_settings_none")


# What `mydata` shows from the outcome stores in its own words, not as bare counts.
OUTCOME_SECTIONS = ("sector", "attendance", "feedback_asked")


def outcome_cards(ctx: CommandContext, held: dict[str, Any]) -> list[Item]:
    """The member's sector and the sessions they were at, for `mydata`."""
    outcomes = ctx.community.outcomes
    attended = held.get("attendance", [])
    sessions = ctx.community.sessions.many(row["session_id"] for row in attended)
    cards = []
    chosen = [row["sector"] for row in held.get("sector", []) if row["sector"]]
    if chosen:
        label = outcomes.sector_choices.label(chosen[0]) or chosen[0]
        cards.append(Item(ctx.say("sector.in_mydata", sector=label)))
    lines = []
    for row in attended:
        session = sessions.get(row["session_id"])
        title = session.title if session else "?"
        lines.append(ctx.say("attended.mydata_line", id=row["session_id"], title=title))
    if lines:
        cards.append(Item(ctx.say("attended.mydata_title"), tuple(lines)))
    return cards


def register(registry: Registry) -> None:
    registry.command("sector", Option("choose", "word", required=False))(sector)
