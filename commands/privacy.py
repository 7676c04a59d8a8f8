"""The welcome and privacy notice: shown once at a member's first contact, and on request.

Trust begins with saying plainly what the bot keeps, why, for how long and who can see it,
before the member has to ask. The words are the planning group's, in content/welcome.toml;
this module only arranges them, with buttons for the two choices that matter most.
"""

from __future__ import annotations

from dataclasses import replace

from bot.community import CommandContext
from bot.dispatch.registry import Registry
from bot.domain.context import Action, Item, Reply

# The platform where reminders go to a session's thread unless a member asks for direct
# messages; elsewhere the choice is whether to have reminders at all.
THREADED = ("discord",)


def welcome_card(ctx: CommandContext) -> Item:
    """The notice as one card: the planning group's words, then the choice buttons."""
    platform = ctx.member.platform
    notice = ctx.community.welcome
    return Item(notice.title, notice.lines_on(platform), _choices(ctx, platform))


def _choices(ctx: CommandContext, platform: str) -> tuple[Action, ...]:
    prompts = (
        Action(ctx.say("action.welcome_prompts_on"), "subscribe prompts", "primary"),
        Action(ctx.say("action.welcome_prompts_off"), "unsubscribe prompts"),
    )
    if platform in THREADED:
        reminders = (
            Action(ctx.say("action.welcome_reminders_dm"), "direct-messages on"),
            Action(ctx.say("action.welcome_reminders_thread"), "direct-messages off"),
        )
    else:
        reminders = (
            Action(ctx.say("action.welcome_reminders_on"), "subscribe reminders"),
            Action(ctx.say("action.welcome_reminders_off"), "unsubscribe reminders"),
        )
    connect = (Action(ctx.say("action.welcome_connect_on"), "connect on"),)
    return prompts + reminders + connect


def welcome_once(ctx: CommandContext, command: str, reply: Reply) -> Reply:
    """At a member's first contact, their private answer carries the notice, once.

    A public answer waits (the notice is for the member alone); `privacy` is the notice
    already; a member who has just erased themselves is not welcomed on the way out. After
    `forget-me` nothing marks them as welcomed, so if they return they are new again."""
    if ctx.member.preferences.get("welcomed") or not reply.private:
        return reply
    members = ctx.community.members
    if members.get(ctx.member.id) is None:
        return reply
    members.save_preferences(
        ctx.member.id, replace(members.preferences(ctx.member.id), welcomed=True)
    )
    if command == "privacy":
        return reply
    return replace(reply, notice=welcome_card(ctx))


def privacy(ctx: CommandContext) -> Reply:
    """The welcome and privacy notice again: what is kept, why, for how long, who sees it."""
    return Reply(ctx.say("privacy.again"), items=(welcome_card(ctx),))


def register(registry: Registry) -> None:
    registry.command("privacy")(privacy)
    registry.finish_with(welcome_once)
