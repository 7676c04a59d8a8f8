"""The sectors members may choose from, read from ``content/sectors.toml``.

The list is the community's to keep (a new sector is a line in a file, not a release), and it
is checked like the other content: every problem at once, naming the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content._checks import Problems, entry_label, load_entries, text, unknown_keys

SECTOR_FIELDS: tuple[str, ...] = ("id", "label")
LABEL_LIMIT = 60
UNDECLARED = "prefer-not-to-say"
_ID = re.compile(r"[a-z][a-z-]{0,29}")


@dataclass(frozen=True)
class Sector:
    id: str
    label: str


@dataclass(frozen=True)
class Sectors:
    """The choices in the planning group's order."""

    choices: tuple[Sector, ...]

    def get(self, sector_id: str) -> Sector | None:
        return next((s for s in self.choices if s.id == sector_id), None)

    def label(self, sector_id: str | None) -> str:
        found = self.get(sector_id or "")
        return found.label if found else ""


def load_sectors(path: Path) -> Sectors:
    """Read the sectors in ``path``, or raise ``ContentError`` listing every problem."""
    return Sectors(tuple(load_entries(path, "sector", _sector)))


def _sector(problems: Problems, index: int, row: dict[str, Any]) -> Sector | None:
    where = entry_label("sector", index, row)
    unknown_keys(problems, where, row, SECTOR_FIELDS)
    ident = text(problems, where, row, "id", limit=30)
    label = text(problems, where, row, "label", limit=LABEL_LIMIT)
    if ident is not None and not _ID.fullmatch(ident):
        problems.bad_field(where, "id", repr(ident), "lower-case letters and hyphens")
        return None
    if ident is None or label is None:
        return None
    return Sector(ident, label)
