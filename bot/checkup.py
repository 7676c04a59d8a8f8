"""`copbot check`: validate the configuration and content, and say what would run when."""

from __future__ import annotations

from bot.config import WEEKDAYS, Config
from bot.errors import ContentError
from bot.messages import load_messages


def checkup(config: Config) -> tuple[str, list[str]]:
    """A readable report and the list of problems (empty when all is well)."""
    problems: list[str] = []
    try:
        load_messages(config.content_dir / "messages.toml")
    except ContentError as err:
        problems += err.problems
    return "\n".join(_plan(config)), problems


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
