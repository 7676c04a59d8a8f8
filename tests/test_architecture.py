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
    # Scheduling knows front ends only through their protocol (bot/adapters/base.py).
    "bot.scheduling": (
        "bot.adapters.slack",
        "bot.adapters.discord_",
        "bot.adapters.console",
        "bot.adapters.parts",
        "bot.app",
        "bot.serve",
        "commands",
    ),
    # A front end is given its parts; it never sees the app, the runner or the calendar.
    "bot.adapters": ("commands", "bot.app", "bot.serve", "bot.cli", "bot.scheduling"),
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


def _module_edges() -> dict[str, set[str]]:
    """Each module's imports of other modules of the house, as written anywhere in it (a
    lazy or type-checking import ties two files as much as any). `from package import name`
    counts as importing `package.name` when that is a module; a package's face (its
    `__init__`) only hands names on, so arrows into it are not followed."""
    names = {module_name(p): p for p in MODULES}
    packages = {n for n, p in names.items() if p.name == "__init__.py"}
    edges: dict[str, set[str]] = {}
    for name, path in names.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update(f"{node.module}.{a.name}" for a in node.names)
                found.add(node.module)
        edges[name] = {f for f in found if f in names and f not in packages and f != name}
    return edges


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every loop of imports, each as the modules on it (a depth-first walk)."""
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(edges[name]):
            if state.get(other) == 1:
                circles.append(path[path.index(other) :])
            elif other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name)
    return circles


def test_no_module_imports_itself_round_a_circle() -> None:
    """The Slack adapter and its listeners, and the Discord adapter, its command tree and its
    form, once imported each other; collaborators are handed in instead."""
    assert _circles(_module_edges()) == []


def test_the_circle_finder_sees_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(edges) == [["a", "b", "c"]]
