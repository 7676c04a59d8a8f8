"""The weekly reflection prompt, and a member's private reflections on it.

Prompts are an invitation: no streaks, no scores, no chasing. A reflection is private to the
member who wrote it; only they can see it (through `mydata`), and `forget-me` erases it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.community import CommandContext
from bot.content.prompts import Prompt
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Reply
from bot.domain.errors import BadInput
from bot.scheduling.compose import Composer

MAX_REFLECTION = 2000


def this_week(ctx: CommandContext, weekday: int | None = None) -> str:
    """The date of the most recent prompt day (or `weekday`), today included, in the
    community's zone: the period a weekly post belongs to."""
    config = ctx.community.config
    day = config.prompt_day if weekday is None else weekday
    today: date = ctx.now.astimezone(config.zone).date()
    return (today - timedelta(days=(today.weekday() - day) % 7)).isoformat()


def current_prompt(ctx: CommandContext) -> Prompt | None:
    return Composer(ctx.community).prompt_for(this_week(ctx))


def prompt(ctx: CommandContext, prompt: str | None = None) -> Reply:
    """This week's reflection prompt, privately; or, by its id, the prompt behind a content
    note, which the "Show the prompt" button asks for."""
    if prompt is not None:
        return _show(ctx, prompt)
    chosen = current_prompt(ctx)
    if chosen is None:
        return Reply(ctx.say("prompt.none"))
    reply = Composer(ctx.community).prompt_reply(chosen)
    return replace(reply, private=True)


def _show(ctx: CommandContext, ident: str) -> Reply:
    found = next((p for p in ctx.community.prompts if p.id == ident.strip().lower()), None)
    if found is None:
        raise BadInput("prompt.unknown", text=ident[:20])
    text = ctx.say("prompt.shown", objective=found.objective, theme=found.theme, text=found.text)
    return Reply(text, footer=ctx.say("prompt.how_to_reflect"))


def reflect(ctx: CommandContext, text: str) -> Reply:
    """Keep a private reflection on this week's prompt."""
    chosen = current_prompt(ctx)
    text = text.strip()[:MAX_REFLECTION]
    ctx.community.reflections.add(ctx.member.id, chosen.id if chosen else "", text, ctx.now)
    return Reply(ctx.say("reflect.kept"))


def register(registry: Registry) -> None:
    registry.command("prompt", Option("prompt", "word", required=False))(prompt)
    registry.command("reflect", Option("text", "text"))(reflect)
