"""The welcome and privacy notice, read from ``content/welcome.toml``.

A member meets it once, at their first contact, and can read it again with ``privacy``. What
the bot keeps, why, for how long and who sees it are promises the planning group makes to
members, so the words live with them, in a file they edit, checked like the other content.
Who can see what differs by platform (a Discord session thread is seen by others in it), so
the notice has one sentence per front end, which `help` and `settings` use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content._checks import Problems, describe, read_toml, text, unknown_keys

PLATFORMS: tuple[str, ...] = ("console", "slack", "discord")
# The parts of the notice, in the order a member reads them.
PARTS: tuple[str, ...] = ("intro", "keeps", "how_long", "who_sees", "your_data", "choices")
WELCOME_KEYS: tuple[str, ...] = ("title", *PARTS, "where")
TITLE_LIMIT = 80
PART_LIMIT = 600
WHERE_LIMIT = 400


@dataclass(frozen=True)
class Welcome:
    """The notice's title, its parts in reading order, and the per-platform privacy line."""

    title: str
    parts: tuple[str, ...]
    where: dict[str, str]

    def where_on(self, platform: str) -> str:
        """Who can see what the bot sends, said truly for `platform`."""
        return self.where.get(platform, self.where["console"])

    def lines_on(self, platform: str) -> tuple[str, ...]:
        """Every part, with the platform's privacy line after "who sees what"."""
        at = PARTS.index("who_sees") + 1
        return (*self.parts[:at], self.where_on(platform), *self.parts[at:])


def load_welcome(path: Path) -> Welcome:
    """Read the notice in ``path``, or raise ``ContentError`` listing every problem."""
    problems = Problems(path.name)
    data = read_toml(path, problems) or {}
    if data:
        unknown_keys(problems, "top level", data, ("welcome",), "only the [welcome] table")
    table = _table(problems, data, "welcome", "top level", "[welcome]") if data else None
    title: str | None = None
    parts: list[str | None] = []
    where: dict[str, str | None] = {}
    if table is not None:
        unknown_keys(problems, "[welcome]", table, WELCOME_KEYS)
        title = text(problems, "[welcome]", table, "title", limit=TITLE_LIMIT)
        parts = [text(problems, "[welcome]", table, key, limit=PART_LIMIT) for key in PARTS]
        places = _table(problems, table, "where", "[welcome]", "[welcome.where]")
        if places is not None:
            unknown_keys(problems, "[welcome.where]", places, PLATFORMS)
            where = {
                p: text(problems, "[welcome.where]", places, p, limit=WHERE_LIMIT)
                for p in PLATFORMS
            }
    problems.raise_if_any()
    assert title is not None  # no problems recorded means every part was read
    return Welcome(
        title,
        tuple(part for part in parts if part is not None),
        {p: line for p, line in where.items() if line is not None},
    )


def _table(
    problems: Problems, data: dict[str, Any], key: str, where: str, header: str
) -> dict[str, Any] | None:
    value = data.get(key)
    if isinstance(value, dict):
        return value
    found = "nothing" if value is None else describe(value)
    problems.bad_field(where, key, found, f"a {header} table")
    return None
