"""The `/cop` slash-command group, generated from the registry so Discord never drifts from it.

discord.py reads a command's options from its callback's signature, so each subcommand gets a
closure whose `__signature__` is built from the declared options (sessions are integers with
autocomplete, objectives and choices are fixed choices, time zones autocomplete, the rest are
strings). The closure hands the values to `run` (the adapter's), which runs the dispatcher.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.adapters.discord_.render import plain
from bot.adapters.parts import Parts
from bot.community import Community
from bot.dispatch.convert import zone_names
from bot.dispatch.registry import Command, Option
from bot.domain.objectives import OBJECTIVES

# Runs one slash command with the values Discord converted (the adapter's `run_command`).
RunCommand = Callable[[discord.Interaction[Any], Command, dict[str, Any]], Awaitable[None]]

MAX_DESCRIPTION = 100
MAX_SUBCOMMANDS = 25
PLAN_GROUP = "cop-plan"
log = logging.getLogger(__name__)
MAX_CHOICES = 25
# Commands that open a form when given nothing: every option is optional on Discord, and the
# dispatcher still insists on what the command requires.
FORM_COMMANDS = frozenset({"schedule"})
KIND_HINTS = {
    "session": "Session number (start typing to pick one)",
    "word": "A word",
    "text": "Free text",
    "when": "When, e.g. 2026-12-03 14:00 or Thu 14:00",
    "duration": "How long, e.g. 90m or 2h",
    "objective": "DEVELOP, CONNECT or INFLUENCE",
    "zone": "A time zone such as Europe/London",
    "capacity": "Number of places (or 'open')",
    "repeat": "How it repeats, e.g. weekly",
    "choice": "Pick one",
    "assignments": "Changes as name=value pairs",
    "weeks": "Number of weeks",
}


def short(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """Discord refuses descriptions over 100 characters; cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Time zones containing what the member typed (case-insensitive), first 25."""
    needle = current.strip().lower()
    found = [z for z in zone_names() if needle in z.lower()][:MAX_CHOICES]
    return [app_commands.Choice(name=z, value=z) for z in found]


def session_label(session_id: int, title: str, start: datetime, zone: ZoneInfo) -> str:
    """'#12 Title — Thu 3 Dec 14:00' in the community's zone, cut to Discord's 100."""
    local = start.astimezone(zone)
    when = f"{local:%a} {local.day} {local:%b %H:%M}"
    return short(f"#{session_id} {title} — {when}")


def _matches(word: str, session_id: int, label: str) -> bool:
    if word.startswith("#"):
        return str(session_id).startswith(word[1:])
    return word in label


def session_choices(community: Community, current: str) -> list[app_commands.Choice[int]]:
    """Upcoming sessions matching every word the member typed: "#12" is the start of a
    session's number; other words are found in its label, so "circle", "12" and "3 dec"
    all find '#12 Circle — Thu 3 Dec 14:00'."""
    words = current.lower().split()
    found = []
    for s in community.sessions.upcoming(community.clock.now(), limit=100):
        label = session_label(s.id, plain(s.title), s.start, community.zone)
        if all(_matches(word, s.id, label.lower()) for word in words):
            found.append(app_commands.Choice(name=label, value=s.id))
    return found[:MAX_CHOICES]


def _annotation(command: Command, option: Option) -> tuple[Any, Any]:
    base: Any = int if option.kind == "session" else str
    if option.required and command.name not in FORM_COMMANDS:
        return base, inspect.Parameter.empty
    return Optional[base], None  # noqa: UP045 - discord.py resolves typing.Optional reliably


def _choices(option: Option) -> list[app_commands.Choice[str]] | None:
    values = OBJECTIVES if option.kind == "objective" else option.choices
    if option.kind not in ("objective", "choice") or not values:
        return None
    return [app_commands.Choice(name=v, value=v) for v in values[:MAX_CHOICES]]


def build_command(
    parts: Parts, command: Command, run: RunCommand
) -> app_commands.Command[Any, Any, Any]:
    """One subcommand whose typed parameters mirror the registry's options."""

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        await run(interaction, command, values)

    async def sessions(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        return session_choices(parts.community, current)

    async def zones(interaction: discord.Interaction[Any], current: str) -> list[Any]:
        return zone_choices(current)

    params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    autocomplete: dict[str, Any] = {}
    for option in command.options:
        annotation, default = _annotation(command, option)
        params.append(
            inspect.Parameter(
                option.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
        if (fixed := _choices(option)) is not None:
            choices[option.name] = fixed
        elif option.kind == "session":
            autocomplete[option.name] = sessions
        elif option.kind == "zone":
            autocomplete[option.name] = zones
    setattr(callback, "__signature__", inspect.Signature(params))  # noqa: B010
    descriptions = {o.name: short(KIND_HINTS.get(o.kind, o.name)) for o in command.options}
    setattr(callback, "__discord_app_commands_param_description__", descriptions)  # noqa: B010
    setattr(callback, "__discord_app_commands_param_choices__", choices)  # noqa: B010
    setattr(callback, "__discord_app_commands_param_autocomplete__", autocomplete)  # noqa: B010
    messages = parts.community.messages
    key = f"help.{command.name}.summary"
    summary = messages(key) if messages.has(key) else command.name
    return app_commands.Command(name=command.name, description=short(summary), callback=callback)


def build_groups(parts: Parts, run: RunCommand) -> list[app_commands.Group]:
    """`/cop` for everyone and `/cop-plan` for the planning group's commands.

    Discord allows 25 subcommands per command and sets visibility (`default_permissions`)
    only on top-level commands, so planner commands get their own top-level group, hidden
    by default from members without Manage Events (admins can grant the planning role in
    Server Settings > Integrations). `is_planner` still decides on every call.
    """
    name = short(parts.config.community_name or "Community of Practice")
    everyone = app_commands.Group(name="cop", description=name)
    planners = app_commands.Group(
        name=PLAN_GROUP,
        description=short(f"Planning group: {name}"),
        default_permissions=discord.Permissions(manage_events=True),
        guild_only=True,
    )
    for command in parts.registry.all():
        group = planners if command.planners_only else everyone
        if len(group.commands) >= MAX_SUBCOMMANDS:
            log.error("/%s is full: %s is not offered on Discord", group.name, command.name)
            continue
        group.add_command(build_command(parts, command, run))
    return [g for g in (everyone, planners) if g.commands]
