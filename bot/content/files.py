"""The content files the planning group edits, each with the loader that reads and checks it.

One list: the community loads every file on it at start and `copbot check` checks every
file on it, so a new file cannot be loaded without being checked, or checked without being
loaded. Every problem in every file is gathered before anything is refused, so an operator
fixes them in one go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.messages import Messages, load_messages
from bot.content.prompts import Prompt, load_prompts
from bot.content.resources import Resource, load_resources
from bot.content.sectors import Sectors, load_sectors
from bot.content.support import Support, load_support
from bot.content.welcome import Welcome, load_welcome
from bot.domain.errors import ContentError

LOADERS: dict[str, Callable[[Path], Any]] = {
    "messages.toml": load_messages,
    "prompts.toml": load_prompts,
    "resources.toml": load_resources,
    "support.toml": load_support,
    "sectors.toml": load_sectors,
    "welcome.toml": load_welcome,
}


@dataclass(frozen=True)
class Content:
    """Everything read from the content folder, checked."""

    messages: Messages
    prompts: list[Prompt]
    resources: list[Resource]
    support: Support
    sectors: Sectors
    welcome: Welcome


def load_each(folder: Path) -> tuple[dict[str, Any], list[str]]:
    """Each file that loaded, by name, and every problem found in those that did not."""
    loaded: dict[str, Any] = {}
    problems: list[str] = []
    for name, loader in LOADERS.items():
        try:
            loaded[name] = loader(folder / name)
        except ContentError as err:
            problems += err.problems
    return loaded, problems


def load_content(folder: Path) -> Content:
    """The whole content folder, or a `ContentError` naming every problem in every file."""
    loaded, problems = load_each(folder)
    if problems:
        raise ContentError(problems)
    return Content(**{name.removesuffix(".toml"): found for name, found in loaded.items()})
