"""Signposting for the ``support`` command, read from ``content/support.toml``.

Where to turn for help changes over time, so the planning group keeps it in a file rather than
in code; it is checked as strictly as the other content because a broken route helps nobody.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.content._checks import (
    Problems,
    describe,
    entries,
    entry_label,
    link,
    read_toml,
    text,
    unique,
    unknown_keys,
)

SUPPORT_KEYS: tuple[str, ...] = ("intro", "route")
ROUTE_FIELDS: tuple[str, ...] = ("name", "description", "how", "checked", "source")
INTRO_LIMIT = 500
NAME_LIMIT = 80
DESCRIPTION_LIMIT = 300
HOW_LIMIT = 300
# A route not checked for a year may have changed its number or hours: `copbot check` says so.
STALE_AFTER = timedelta(days=365)


@dataclass(frozen=True)
class SupportRoute:
    """One place to turn: what it is, and how to reach it."""

    name: str
    description: str
    how: str
    checked: date
    source: str = ""


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
    checked = _checked(problems, where, row)
    source = link(problems, where, row, "source") if "source" in row else ""
    if name is None or description is None or how is None or checked is None or source is None:
        return None
    return SupportRoute(name, description, how, checked, source)


def _checked(problems: Problems, where: str, row: dict[str, Any]) -> date | None:
    """The day someone last checked the route against its organisation's own page.

    Written as a TOML date (`checked = 2026-12-04`); quoted text in that shape is accepted
    too, since editors often add the quotes out of habit."""
    value = row.get("checked")
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value.strip())
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    found = "nothing" if value is None else describe(value)
    problems.bad_field(where, "checked", found, "the date it was last checked, e.g. 2026-12-04")
    return None


def stale_routes(support: Support, today: date) -> list[str]:
    """A warning for each route last checked more than a year before `today`."""
    return [
        f"support.toml: route {route.name!r}: last checked {route.checked.isoformat()}, "
        "more than 12 months ago; please check it against the organisation's own page "
        "and update 'checked'"
        for route in support.routes
        if today - route.checked > STALE_AFTER
    ]
