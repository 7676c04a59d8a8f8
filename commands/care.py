"""Members' control over what the bot sends, and the weekly reflection prompt.

Prompts are an invitation: no streaks, no scores, no chasing. A reflection is private to the
member who wrote it; only they can see it (through `mydata`), and `forget-me` erases it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.community import CommandContext
from bot.content.prompts import Prompt
from bot.context import Action, Item, Reply
from bot.domain.preferences import KINDS, Preferences
from bot.domain.when import format_local
from bot.errors import BadInput
from bot.registry import Option, Registry
from bot.scheduling.compose import Composer
from commands.sector import settings_line

KIND_CHOICES = (*KINDS, "all")
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


def subscribe(ctx: CommandContext, kind: str) -> Reply:
    """Turn a kind of message on (and end any pause)."""
    members = ctx.community.members
    prefs = members.preferences(ctx.member.id).with_kind(kind, True)
    members.save_preferences(ctx.member.id, _unpaused(prefs))
    return Reply(ctx.say(f"subscribe.{kind}"), footer=ctx.say("settings.see"))


def unsubscribe(ctx: CommandContext, kind: str) -> Reply:
    """Turn a kind of message off."""
    members = ctx.community.members
    members.save_preferences(
        ctx.member.id, members.preferences(ctx.member.id).with_kind(kind, False)
    )
    undo = Action(ctx.say("action.undo"), f"subscribe {kind}")
    return Reply(ctx.say(f"unsubscribe.{kind}"), actions=(undo,), footer=ctx.say("settings.see"))


def pause(ctx: CommandContext, weeks: int) -> Reply:
    """Pause every message for a few weeks; sessions you signed up to stay booked."""
    members = ctx.community.members
    until = ctx.now + timedelta(weeks=weeks)
    members.save_preferences(
        ctx.member.id, replace(members.preferences(ctx.member.id), paused_until=until)
    )
    resume = Action(ctx.say("action.resume"), "resume")
    return Reply(ctx.say("pause.done", until=format_local(until, ctx.zone)), actions=(resume,))


def resume(ctx: CommandContext) -> Reply:
    """End a pause now; every other choice stays as it was."""
    members = ctx.community.members
    prefs = members.preferences(ctx.member.id)
    if not prefs.paused(ctx.now):
        return Reply(ctx.say("resume.not_paused"), footer=ctx.say("settings.see"))
    members.save_preferences(ctx.member.id, _unpaused(prefs))
    return Reply(ctx.say("resume.done"), footer=ctx.say("settings.see"))


def settings(ctx: CommandContext) -> Reply:
    """What you will receive, when, and how to change it."""
    prefs = ctx.community.members.preferences(ctx.member.id)
    config = ctx.community.config
    lines = [
        ctx.say(f"settings.{kind}.{'on' if getattr(prefs, kind) else 'off'}") for kind in KINDS
    ]
    if prefs.paused(ctx.now):
        assert prefs.paused_until is not None
        lines.append(ctx.say("settings.paused", until=format_local(prefs.paused_until, ctx.zone)))
    lines.append(
        ctx.say(
            "settings.quiet",
            start=_on_member_clock(ctx, config.quiet_start),
            end=_on_member_clock(ctx, config.quiet_end),
            zone=ctx.member.timezone,
        )
    )
    lines.append(ctx.say(f"settings.via.{prefs.via_on(ctx.member.platform)}"))
    lines.append(ctx.say("settings.zone", zone=ctx.member.timezone))
    lines.append(ctx.community.welcome.where_on(ctx.member.platform))
    lines.append(settings_line(ctx))
    actions = tuple(
        Action(
            ctx.say(f"action.{'stop' if getattr(prefs, k) else 'start'}_{k}"),
            f"{'unsubscribe' if getattr(prefs, k) else 'subscribe'} {k}",
        )
        for k in KINDS
    ) + (Action(ctx.say("sector.action_choose"), "sector"),)
    return Reply(
        ctx.say("settings.intro"),
        items=(Item(ctx.say("settings.title"), tuple(lines), actions),),
        footer=ctx.say("settings.how"),
    )


def _on_member_clock(ctx: CommandContext, clock: time) -> str:
    """A community time of day as it reads today on the member's own clock.

    Quiet hours are kept on the community's clock; a member in another zone should read
    them in theirs, as every other time they are shown.
    """
    community_zone = ctx.community.zone
    today = ctx.now.astimezone(community_zone).date()
    moment = datetime.combine(today, clock, tzinfo=community_zone)
    return f"{moment.astimezone(ctx.zone):%H:%M}"


def _unpaused(prefs: Preferences) -> Preferences:
    return replace(prefs, paused_until=None)


def direct_messages(ctx: CommandContext, choice: str) -> Reply:
    """Choose whether reminders come by direct message or in the session's thread."""
    members = ctx.community.members
    via = "dm" if choice == "on" else "thread"
    members.save_preferences(
        ctx.member.id,
        replace(members.preferences(ctx.member.id), via=via, dm_blocked=False, dm_offered=True),
    )
    return Reply(ctx.say(f"direct_messages.{choice}"), footer=ctx.say("settings.see"))


def register(registry: Registry) -> None:
    kind = Option("kind", "choice", choices=KIND_CHOICES)
    registry.command("prompt", Option("prompt", "word", required=False))(prompt)
    registry.command("reflect", Option("text", "text"))(reflect)
    registry.command("subscribe", kind)(subscribe)
    registry.command("unsubscribe", kind)(unsubscribe)
    registry.command("pause", Option("weeks", "weeks"))(pause)
    registry.command("resume")(resume)
    registry.command("settings")(settings)
    registry.command("direct-messages", Option("choice", "choice", choices=("on", "off")))(
        direct_messages
    )
