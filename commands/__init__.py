"""The command tree: one module per family of commands, all registered in one `Registry`."""

from __future__ import annotations

from bot.registry import Registry


def build_registry() -> Registry:
    """Every command the bot answers, in the order `help` lists them."""
    from commands import (
        attendance,
        care,
        connect,
        feedback,
        library,
        members,
        planning,
        posts,
        previews,
        privacy,
        report,
        sector,
        sessions,
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
        care,
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
