"""Signposting for the ``support`` command, read from ``content/support.toml``.

Where to turn for help changes over time, so the planning group keeps it in a file rather than
in code; it is checked as strictly as the other content because a broken route helps nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content._checks import (
    Problems,
    describe,
    entries,
    entry_label,
    read_toml,
    text,
    unique,
    unknown_keys,
)

SUPPORT_KEYS: tuple[str, ...] = ("intro", "route")
ROUTE_FIELDS: tuple[str, ...] = ("name", "description", "how")
INTRO_LIMIT = 500
NAME_LIMIT = 80
DESCRIPTION_LIMIT = 300
HOW_LIMIT = 300


@dataclass(frozen=True)
class SupportRoute:
    """One place to turn: what it is, and how to reach it."""

    name: str
    description: str
    how: str


@dataclass(frozen=True)
class Support:
    """The kind opening words and the routes, in the order the planning group chose."""

    intro: str
    routes: tuple[SupportRoute, ...]


def load_support(path: Path) -> Support:
    """Read the signposting in ``path``, or raise ``ContentError`` listing every problem."""
    problems = Problems(path.name)
    data = read_toml(path, problems)
    table = _support_table(problems, data) if data is not None else None
    intro: str | None = None
    routes: list[SupportRoute | None] = []
    if table is not None:
        unknown_keys(problems, "[support]", table, SUPPORT_KEYS)
        intro = text(problems, "[support]", table, "intro", limit=INTRO_LIMIT)
        rows = entries(problems, table, "route", "[support]", header="support.route")
        routes = [_route(problems, index, row) for index, row in enumerate(rows)]
        unique(problems, "route", rows, "name")
    problems.raise_if_any()
    assert intro is not None  # no problems recorded means the intro was read
    return Support(intro, tuple(route for route in routes if route is not None))


def _support_table(problems: Problems, data: dict[str, Any]) -> dict[str, Any] | None:
    """The single ``[support]`` table that holds everything else."""
    unknown_keys(problems, "top level", data, ("support",), "only the [support] table")
    table = data.get("support")
    if not isinstance(table, dict):
        found = "nothing" if table is None else describe(table)
        problems.bad_field("top level", "support", found, "a [support] table")
        return None
    return table


def _route(problems: Problems, index: int, row: dict[str, Any]) -> SupportRoute | None:
    """Check one ``[[support.route]]`` table; None means its problems have been recorded."""
    where = entry_label("route", index, row, key="name")
    unknown_keys(problems, where, row, ROUTE_FIELDS)
    name = text(problems, where, row, "name", limit=NAME_LIMIT)
    description = text(problems, where, row, "description", limit=DESCRIPTION_LIMIT)
    how = text(problems, where, row, "how", limit=HOW_LIMIT)
    if name is None or description is None or how is None:
        return None
    return SupportRoute(name, description, how)
