"""Weekly reflection prompts, read from ``content/prompts.toml``.

The prompts are written and edited by the planning group, so loading checks every entry and
reports all problems together; a broken file never half-loads into the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content._checks import (
    Problems,
    choice,
    entry_label,
    load_entries,
    text,
    unknown_keys,
)
from bot.domain.objectives import OBJECTIVES

PROMPT_FIELDS: tuple[str, ...] = ("id", "objective", "theme", "text", "content_note")
TEXT_LIMIT = 280
THEME_LIMIT = 40
NOTE_LIMIT = 200
_ID_PATTERN = re.compile(r"p\d{3,}")


@dataclass(frozen=True)
class Prompt:
    """One invitation to reflect, tied to the objective it serves.

    ``content_note`` is shown before the text when the prompt touches difficult experiences,
    so members can choose whether, and when, to engage.
    """

    id: str
    objective: str
    theme: str
    text: str
    content_note: str | None


def load_prompts(path: Path) -> list[Prompt]:
    """Read every prompt in ``path``, or raise ``ContentError`` listing every problem found."""
    return load_entries(path, "prompt", _prompt)


def _prompt(problems: Problems, index: int, row: dict[str, Any]) -> Prompt | None:
    """Check one ``[[prompt]]`` table; None means its problems have been recorded."""
    where = entry_label("prompt", index, row)
    unknown_keys(problems, where, row, PROMPT_FIELDS)
    ident = _prompt_id(problems, where, row)
    objective = choice(problems, where, row, "objective", OBJECTIVES)
    theme = _theme(problems, where, row)
    body = text(problems, where, row, "text", limit=TEXT_LIMIT)
    note = text(problems, where, row, "content_note", limit=NOTE_LIMIT, required=False)
    if ident is None or objective is None or theme is None or body is None:
        return None
    return Prompt(ident, objective, theme, body, note)


def _prompt_id(problems: Problems, where: str, row: dict[str, Any]) -> str | None:
    """Ids look like p001 so they sort in order and stay stable when text is reworded."""
    ident = text(problems, where, row, "id", limit=12)
    if ident is not None and not _ID_PATTERN.fullmatch(ident):
        problems.bad_field(where, "id", repr(ident), "'p' and three or more digits, like 'p061'")
        return None
    return ident


def _theme(problems: Problems, where: str, row: dict[str, Any]) -> str | None:
    """Themes start lowercase so they read naturally inside a sentence ("a prompt on repair").

    Capitals later in the phrase are allowed for names and acronyms, as in "the 4 Rs".
    """
    theme = text(problems, where, row, "theme", limit=THEME_LIMIT)
    if theme is not None and theme[0].isupper():
        expected = (
            f"a phrase starting with a lowercase letter, like {theme[0].lower() + theme[1:]!r}"
        )
        problems.bad_field(where, "theme", repr(theme), expected)
        return None
    return theme
