"""Help: what the bot can do, and how to use each command, with a worked example."""

from __future__ import annotations

from bot.community import CommandContext
from bot.dispatch.registry import Handler, Option, Registry
from bot.domain.context import Item, Reply
from bot.domain.errors import UnknownCommand


def make_help(registry: Registry) -> Handler:
    """Help reads the registry it lives in, so a new command appears without editing help."""

    def help(ctx: CommandContext, command: str | None = None) -> Reply:
        """List the commands, or explain one."""
        if command is not None:
            return _one(ctx, registry, command.lower().removeprefix("/cop").strip())
        shown = [c for c in registry.all() if ctx.is_planner or not c.planners_only]
        items = tuple(
            Item(ctx.say("help.line", name=c.name), (ctx.say(f"help.{c.name}.summary"),))
            for c in shown
        )
        text = ctx.say("help.intro", community=ctx.community.config.community_name)
        where = ctx.community.welcome.where_on(ctx.member.platform)
        return Reply(text, items=items, footer=f"{ctx.say('help.footer')}\n{where}")

    return help


def _one(ctx: CommandContext, registry: Registry, name: str) -> Reply:
    found = registry.get(name)
    if found is None:
        raise UnknownCommand(text=name)
    lines = [
        ctx.say(f"help.{name}.usage"),
        ctx.say("help.example", example=ctx.say(f"help.{name}.example")),
    ]
    if found.planners_only:
        lines.append(ctx.say("help.planners_only"))
    return Reply(ctx.say(f"help.{name}.summary"), items=(Item(name, tuple(lines)),))


def register(registry: Registry) -> None:
    registry.command("help", Option("command", "word", required=False))(make_help(registry))
