"""The starting library of resources, read from ``content/resources.toml``.

Each resource says which objectives it serves so the bot can offer something relevant to a
member's interest; every entry is checked and all problems are reported together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content._checks import (
    Problems,
    choice,
    describe,
    entry_label,
    link,
    load_entries,
    text,
    unknown_keys,
)
from bot.domain.objectives import OBJECTIVES

RESOURCE_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "objectives",
    "summary",
    "kind",
    "audience",
    "link",
)
KINDS: tuple[str, ...] = ("document", "video", "programme", "model", "tool")
TITLE_LIMIT = 150
SUMMARY_LIMIT = 600
AUDIENCE_LIMIT = 100
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Resource:
    """One item in the library. ``link`` is empty when no address is known for certain."""

    id: str
    title: str
    objectives: tuple[str, ...]
    summary: str
    kind: str
    audience: str
    link: str


def load_resources(path: Path) -> list[Resource]:
    """Read every resource in ``path``, or raise ``ContentError`` listing every problem."""
    return load_entries(path, "resource", _resource)


def _resource(problems: Problems, index: int, row: dict[str, Any]) -> Resource | None:
    """Check one ``[[resource]]`` table; None means its problems have been recorded."""
    where = entry_label("resource", index, row)
    unknown_keys(problems, where, row, RESOURCE_FIELDS)
    ident = _slug(problems, where, row)
    title = text(problems, where, row, "title", limit=TITLE_LIMIT)
    objectives = _objectives(problems, where, row)
    summary = text(problems, where, row, "summary", limit=SUMMARY_LIMIT)
    kind = choice(problems, where, row, "kind", KINDS)
    audience = text(problems, where, row, "audience", limit=AUDIENCE_LIMIT)
    address = link(problems, where, row, "link")
    if (
        ident is None
        or title is None
        or objectives is None
        or summary is None
        or kind is None
        or audience is None
        or address is None
    ):
        return None
    return Resource(ident, title, objectives, summary, kind, audience, address)


def _slug(problems: Problems, where: str, row: dict[str, Any]) -> str | None:
    """Ids are kebab-case so members can type them in commands without quoting."""
    ident = text(problems, where, row, "id", limit=60)
    if ident is not None and not _SLUG.fullmatch(ident):
        expected = "lowercase words joined by hyphens, like 'window-of-tolerance'"
        problems.bad_field(where, "id", repr(ident), expected)
        return None
    return ident


def _objectives(problems: Problems, where: str, row: dict[str, Any]) -> tuple[str, ...] | None:
    """A non-empty list of distinct objective names, so every resource can be found by one."""
    value = row.get("objectives")
    if not isinstance(value, list) or not value:
        found = "nothing" if "objectives" not in row else describe(value)
        expected = "a list of one or more of " + ", ".join(OBJECTIVES) + ', like ["DEVELOP"]'
        problems.bad_field(where, "objectives", found, expected)
        return None
    bad = [item for item in value if not isinstance(item, str) or item not in OBJECTIVES]
    for item in bad:
        problems.bad_field(where, "objectives", describe(item), "one of " + ", ".join(OBJECTIVES))
    if len(set(map(str, value))) != len(value):
        problems.bad_field(where, "objectives", "a repeated objective", "each one at most once")
        return None
    return None if bad else tuple(value)
