"""`copbot check`: validate the configuration and content, and say what would run when."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import WEEKDAYS, Config
from bot.content.prompts import load_prompts
from bot.content.resources import load_resources
from bot.content.support import load_support
from bot.domain.objectives import OBJECTIVES
from bot.errors import ContentError
from bot.messages import load_messages


def checkup(config: Config) -> tuple[str, list[str]]:
    """A readable report and the list of problems (empty when all is well)."""
    problems: list[str] = []
    lines = _plan(config)
    folder = config.content_dir
    loaders: list[tuple[str, Callable[[Path], Any]]] = [
        ("messages.toml", load_messages),
        ("prompts.toml", load_prompts),
        ("resources.toml", load_resources),
        ("support.toml", load_support),
    ]
    loaded: dict[str, Any] = {}
    for name, loader in loaders:
        try:
            loaded[name] = loader(folder / name)
        except ContentError as err:
            problems += err.problems
    lines += _content_counts(loaded)
    return "\n".join(lines), problems


def _content_counts(loaded: dict[str, Any]) -> list[str]:
    lines = []
    if "prompts.toml" in loaded:
        prompts = loaded["prompts.toml"]
        per = ", ".join(f"{o} {sum(p.objective == o for p in prompts)}" for o in OBJECTIVES)
        lines.append(f"Reflection prompts: {len(prompts)} ({per})")
    if "resources.toml" in loaded:
        resources = loaded["resources.toml"]
        per = ", ".join(f"{o} {sum(o in r.objectives for r in resources)}" for o in OBJECTIVES)
        lines.append(f"Resources: {len(resources)} ({per})")
    if "support.toml" in loaded:
        lines.append(f"Support routes: {len(loaded['support.toml'].routes)}")
    return lines


def _plan(config: Config) -> list[str]:
    zone = config.timezone
    offsets = ", ".join(_length(o.total_seconds()) for o in config.reminder_offsets)
    quiet = f"{config.quiet_start:%H:%M}–{config.quiet_end:%H:%M}"
    return [
        f"Configuration: {config.source}",
        f"Community: {config.community_name} (time zone {zone})",
        f"Platform: {config.chosen_platform()}",
        f"Database: {config.database}",
        f"Content: {config.content_dir}",
        f"Weekly reflection prompt: {WEEKDAYS[config.prompt_day].title()}s at "
        f"{config.prompt_time:%H:%M} {zone}",
        f"Resource pick: {WEEKDAYS[config.pick_day].title()}s at {config.pick_time:%H:%M} {zone}",
        f"Session reminders: {offsets} before each session",
        f"Quiet hours for direct messages: {quiet}"
        + (" and at weekends" if config.quiet_weekends else ""),
    ]


def _length(seconds: float) -> str:
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"
