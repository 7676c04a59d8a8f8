"""Members' control over what the bot sends them: each kind on or off, a pause, direct
messages or the session's thread, and one page that shows all of it.

Sessions a member booked stay booked whatever they choose here; a pause ends by itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Item, Reply
from bot.domain.preferences import SUBSCRIPTIONS
from bot.domain.when import format_local
from commands.sector import settings_line

KIND_CHOICES = (*SUBSCRIPTIONS, "all")


def subscribe(ctx: CommandContext, kind: str) -> Reply:
    """Turn a kind of message on (and end any pause)."""
    members = ctx.community.members
    prefs = members.preferences(ctx.member.id).with_kind(kind, True)
    members.save_preferences(ctx.member.id, prefs.unpaused())
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
    members.save_preferences(ctx.member.id, prefs.unpaused())
    return Reply(ctx.say("resume.done"), footer=ctx.say("settings.see"))


def settings(ctx: CommandContext) -> Reply:
    """What you will receive, when, and how to change it."""
    prefs = ctx.community.members.preferences(ctx.member.id)
    config = ctx.community.config
    lines = [
        ctx.say(f"settings.{kind}.{'on' if getattr(prefs, kind) else 'off'}")
        for kind in SUBSCRIPTIONS
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
    lines.append(
        ctx.say(f"settings.via.{prefs.via_on(ctx.community.default_via(ctx.member.platform))}")
    )
    lines.append(ctx.say("settings.zone", zone=ctx.member.timezone))
    lines.append(ctx.community.welcome.where_on(ctx.member.platform))
    lines.append(settings_line(ctx))
    actions = tuple(
        Action(
            ctx.say(f"action.{'stop' if getattr(prefs, k) else 'start'}_{k}"),
            f"{'unsubscribe' if getattr(prefs, k) else 'subscribe'} {k}",
        )
        for k in SUBSCRIPTIONS
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
    registry.command("subscribe", kind)(subscribe)
    registry.command("unsubscribe", kind)(unsubscribe)
    registry.command("pause", Option("weeks", "weeks"))(pause)
    registry.command("resume")(resume)
    registry.command("settings")(settings)
    registry.command("direct-messages", Option("choice", "choice", choices=("on", "off")))(
        direct_messages
    )
