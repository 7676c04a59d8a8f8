"""Imports flow one way: adapters -> dispatch -> commands -> domain (see the design).

A test walks every module's imports and holds the line, so a shortcut through the layers
shows up as a failure here rather than as a tangle later.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package prefix -> module prefixes it must never import
FORBIDDEN = {
    "bot.domain": (
        "bot.storage",
        "bot.adapters",
        "bot.scheduling",
        "bot.community",
        "bot.dispatch",
        "bot.app",
        "commands",
    ),
    "bot.storage": ("bot.adapters", "bot.scheduling", "bot.dispatch", "bot.app", "commands"),
    "bot.content": ("bot.storage", "bot.adapters", "bot.scheduling", "bot.app", "commands"),
    "commands": (
        "bot.adapters",
        "bot.app",
        "bot.cli",
        "bot.serve",
        "slack_bolt",
        "slack_sdk",
        "discord",
    ),
    "bot.scheduling": ("bot.adapters.slack", "bot.adapters.discord_", "bot.app", "commands"),
    "bot.adapters": ("commands",),
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = sorted(p for folder in ("bot", "commands") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_flow_one_way(path: Path) -> None:
    name = module_name(path)
    rules = [
        bad for layer, bad in FORBIDDEN.items() if name == layer or name.startswith(layer + ".")
    ]
    wrong = sorted(
        found
        for found in imported(path)
        for bad in (b for rule in rules for b in rule)
        if found == bad or found.startswith(bad + ".")
    )
    assert wrong == [], f"{name} imports {wrong}"


def test_the_walk_sees_the_whole_tree() -> None:
    names = {module_name(p) for p in MODULES}
    assert {"bot.domain.when", "commands.signups", "bot.adapters.slack.adapter"} <= names
