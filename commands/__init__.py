"""The command tree: one module per family of commands, all registered in one `Registry`."""

from __future__ import annotations

from bot.dispatch.registry import Registry


def build_registry() -> Registry:
    """Every command the bot answers, in the order `help` lists them."""
    from commands import (
        attendance,
        connect,
        feedback,
        library,
        members,
        planning,
        posts,
        previews,
        privacy,
        prompts,
        report,
        sector,
        sessions,
        settings,
        signups,
    )
    from commands import help as help_commands

    registry = Registry()
    for module in (
        help_commands,
        sessions,
        signups,
        attendance,
        feedback,
        prompts,
        settings,
        sector,
        connect,
        library,
        members,
        privacy,
        planning,
        previews,
        posts,
        report,
    ):
        module.register(registry)
    return registry
