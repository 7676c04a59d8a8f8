"""The house's shape, held: imports only run down the floors, and no modules import each other
in a loop (see docs/ARCHITECTURE.md).

Every import counts, including those made only for type checking or inside a function: each
is a dependency a reader has to hold in mind, and a loop of them is a knot to untie before
anything in it can change alone. A shortcut through the floors shows up here as a failure
rather than as a tangle later.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The floors, from the ground up: a module may import from its own floor or any floor below.
# A module belongs to the floor of the longest prefix that names it.
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ground: pure rules, errors, the neutral Actor and Reply; the config",
        ("bot.domain", "bot.config"),
    ),
    ("content: the words and the files the planning group edits", ("bot.content",)),
    ("storage: one store per noun, the ledger, migrations", ("bot.storage",)),
    (
        "the community, the calendar as files and words, the front-end protocol",
        (
            "bot.community",
            "bot.calendar",
            # The contract every front end keeps stands apart from the front ends, below the
            # deliveries that call it: scheduling knows the contract, never a platform.
            "bot.frontend",
        ),
    ),
    ("the command machinery: declared, converted, dispatched", ("bot.dispatch",)),
    ("deliveries: planner, composer, courier, runtime", ("bot.scheduling",)),
    ("the web pages and the report", ("bot.web", "bot.report")),
    ("commands", ("commands",)),
    ("front ends", ("bot.adapters",)),
    ("the composition root and the runner", ("bot.app", "bot.serve")),
    ("the command line", ("bot.cli", "bot.__main__", "bot.checkup", "bot.report.cli")),
)
# Said once more, outright, because these are the shortcuts most tempting to take.
NEVER = (
    # A front end is given its parts; it never sees the app, the runner or the calendar.
    ("bot.adapters", "bot.app"),
    ("bot.adapters", "bot.serve"),
    ("bot.adapters", "bot.cli"),
    ("bot.adapters", "bot.scheduling"),
    ("bot.adapters", "commands"),
    ("commands", "bot.adapters"),
    ("bot.scheduling", "bot.adapters"),
)
# Only the front ends speak to a chat platform's library.
PLATFORM_LIBRARIES = ("discord", "slack_bolt", "slack_sdk")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {
    module_name(p): p
    for folder in ("bot", "commands")
    for p in sorted((ROOT / folder).rglob("*.py"))
}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _package_of(name: str) -> str:
    path = MODULES[name]
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _targets(name: str, node: ast.AST) -> Iterator[str]:
    """The names one import statement in module `name` asks for, made absolute."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = _package_of(name)
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".rstrip(".")
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            yield submodule if submodule in MODULES else base


def _owner(target: str) -> str | None:
    """The module of this tree that defines `target` (None for the standard library etc.)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def imports_in(name: str, source: str) -> frozenset[str]:
    """The modules of bot/ and commands/ that `source`, as module `name`, imports anywhere."""
    tree = ast.parse(source)
    found = {_owner(t) for node in ast.walk(tree) for t in _targets(name, node)}
    return frozenset(m for m in found if m is not None and m != name)


@cache
def imports(name: str) -> frozenset[str]:
    return imports_in(name, MODULES[name].read_text(encoding="utf-8"))


def floor(name: str) -> int:
    """The index in FLOORS of the longest prefix naming `name`; -1 if none does. The package
    `bot` itself only names the project, and stands on the ground."""
    if name == "bot":
        return 0
    best, best_length = -1, -1
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if within(name, prefix) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def circles(edges: Callable[[str], Iterable[str]], nodes: Iterable[str]) -> list[list[str]]:
    """Every group of two or more nodes that reach each other (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for neighbour in sorted(edges(node)):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(nodes):
        if name not in index:
            visit(name)
    return sorted(found)


def test_no_modules_import_each_other_in_a_loop() -> None:
    assert circles(imports, MODULES) == []


def test_every_module_stands_on_a_floor() -> None:
    """A new module is placed deliberately: add its prefix to FLOORS (and to the docs)."""
    assert [name for name in MODULES if floor(name) < 0] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_run_down_the_floors(name: str) -> None:
    above = sorted(
        f"{target} (floor '{FLOORS[floor(target)][0]}')"
        for target in imports(name)
        if floor(target) > floor(name)
    )
    assert above == [], f"{name} (floor '{FLOORS[floor(name)][0]}') imports from above: {above}"


@pytest.mark.parametrize(("layer", "forbidden"), NEVER)
def test_the_tempting_shortcuts_are_not_taken(layer: str, forbidden: str) -> None:
    taken = sorted(
        f"{name} -> {target}"
        for name in MODULES
        if within(name, layer)
        for target in imports(name)
        if within(target, forbidden)
    )
    assert taken == []


def test_only_the_front_ends_import_a_platforms_library() -> None:
    found = sorted(
        f"{name} -> {library}"
        for name, path in MODULES.items()
        if not within(name, "bot.adapters")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for library in _third_party(node)
        if library.split(".")[0] in PLATFORM_LIBRARIES
    )
    assert found == []


def _third_party(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def test_the_walk_sees_the_whole_tree_and_every_kind_of_import() -> None:
    """The walk itself can fail: it must find modules everywhere, and it must see imports made
    relatively, inside functions and for type checking only."""
    assert {"bot.domain.when", "commands.signups", "bot.cli", "bot.app"} <= set(MODULES)
    source = (
        "from typing import TYPE_CHECKING\n"
        "from bot.domain import clock\n"
        "if TYPE_CHECKING:\n    from bot.app import App\n"
        "def main():\n    from .config import Config\n    import commands\n"
    )
    assert imports_in("bot.cli", source) == {
        "bot.domain.clock",
        "bot.app",
        "bot.config",
        "commands",
    }


def test_a_loop_is_found_however_long() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"]}
    assert circles(lambda n: edges.get(n, []), edges) == [["a", "b", "c"]]


_DOC_PATH = re.compile(r"`((?:bot|commands|content|tests)/[\w/.-]*?(?:\.py|\.toml|\.md|/))`")


def test_every_path_the_architecture_names_exists() -> None:
    """docs/ARCHITECTURE.md is a map: a room it names that is not there misleads a newcomer."""
    named = set(_DOC_PATH.findall((ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")))
    assert {"bot/dispatch/dispatcher.py", "bot/frontend.py"} <= named
    assert sorted(path for path in named if not (ROOT / path).exists()) == []
