"""Shared checks for the content files the planning group edits.

The people editing prompts, resources and signposting are practitioners, not programmers, so
every problem is collected (not just the first) and phrased the same way: which file, which
entry, which field, what was found and what was expected.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.domain.errors import ContentError

T = TypeVar("T")

_MISSING: Any = object()
_SHOWN_CHARS = 40


@dataclass
class Problems:
    """Every problem found in one file, each already prefixed with the file's name."""

    file: str
    items: list[str] = field(default_factory=list)

    def add(self, where: str, detail: str) -> None:
        """Record a problem about one place in the file (an entry, or the file as a whole)."""
        self.items.append(f"{self.file}: {where}: {detail}")

    def bad_field(self, where: str, key: str, found: str, expected: str) -> None:
        """Record a field whose value is not usable, in the found/expected wording."""
        self.add(where, f"field '{key}': found {found}, expected {expected}")

    def raise_if_any(self) -> None:
        """Stop loading, handing back the whole list so it can be fixed in one go."""
        if self.items:
            raise ContentError(list(self.items))


def describe(value: object) -> str:
    """Show a found value the way an editor would recognise it in their file."""
    if value is _MISSING:
        return "nothing"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN_CHARS else value[: _SHOWN_CHARS - 3] + "..."
        return repr(shown)
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    """Parse a TOML file, turning unreadable files and syntax errors into problems.

    The parser's own message is kept because it carries the line and column to look at.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add("file", f"could not be read ({exc.strerror or exc})")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.add("file", "could not be read as UTF-8 text; please save it as UTF-8")
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add("TOML syntax error", f"{exc}; check the quotes, brackets and '=' signs")
        return None


def _did_you_mean(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown_keys(
    problems: Problems,
    where: str,
    mapping: dict[str, Any],
    allowed: Sequence[str],
    expected: str = "",
) -> None:
    """Flag keys the format does not know, which are usually typos of ones it does."""
    for key in mapping:
        if key not in allowed:
            problems.bad_field(
                where,
                key,
                "a field this file does not use" + _did_you_mean(key, allowed),
                expected or "only " + ", ".join(allowed),
            )


def entries(
    problems: Problems, container: dict[str, Any], key: str, where: str, header: str = ""
) -> list[dict[str, Any]]:
    """Return the ``[[key]]`` tables in ``container``, reporting a missing or mis-shaped list.

    ``header`` is the table's full name as written in the file, e.g. ``support.route``.
    """
    header = header or key
    value = container.get(key, _MISSING)
    if value is _MISSING or value == []:
        problems.add(where, f"found no [[{header}]] entries, expected at least one")
        return []
    if not isinstance(value, list):
        problems.bad_field(where, key, describe(value), f"a list of [[{header}]] tables")
        return []
    tables = [item for item in value if isinstance(item, dict)]
    if len(tables) != len(value):
        problems.add(where, f"found items in '{key}' that are not tables, expected [[{header}]]")
    return tables


def entry_label(noun: str, index: int, entry: dict[str, Any], key: str = "id") -> str:
    """Name an entry by its id when it has a usable one, otherwise by its position."""
    ident = entry.get(key)
    if isinstance(ident, str) and ident.strip():
        return f"{noun} {ident.strip()}" if key == "id" else f"{noun} {ident.strip()!r}"
    return f"{noun} #{index + 1} (no usable {key})"


def text(
    problems: Problems,
    where: str,
    entry: dict[str, Any],
    key: str,
    *,
    limit: int,
    required: bool = True,
) -> str | None:
    """A trimmed, non-empty string of at most ``limit`` characters, or None after a problem."""
    value = entry.get(key, _MISSING)
    if value is _MISSING:
        if required:
            problems.bad_field(where, key, "nothing", "some text in quotes")
        return None
    if not isinstance(value, str):
        problems.bad_field(where, key, describe(value), "some text in quotes")
        return None
    trimmed = value.strip()
    if not trimmed:
        problems.bad_field(where, key, "empty text", "some text in quotes")
        return None
    if len(trimmed) > limit:
        problems.bad_field(where, key, f"{len(trimmed)} characters", f"at most {limit}")
        return None
    return trimmed


def choice(
    problems: Problems, where: str, entry: dict[str, Any], key: str, allowed: Sequence[str]
) -> str | None:
    """One of a fixed set of words, spelt exactly, or None after a problem."""
    value = entry.get(key, _MISSING)
    if isinstance(value, str) and value.strip() in allowed:
        return value.strip()
    problems.bad_field(where, key, describe(value), "one of " + ", ".join(allowed))
    return None


def link(problems: Problems, where: str, entry: dict[str, Any], key: str) -> str | None:
    """Either empty (no link yet) or a web address with http(s) and a host."""
    value = entry.get(key, _MISSING)
    expected = 'an empty "" or a web address starting https://'
    if value is _MISSING or not isinstance(value, str):
        problems.bad_field(where, key, describe(value), expected)
        return None
    trimmed = value.strip()
    if not trimmed:
        return ""
    parts = urlsplit(trimmed)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in trimmed:
        problems.bad_field(where, key, describe(value), expected)
        return None
    return trimmed


def unique(problems: Problems, noun: str, entries_: list[dict[str, Any]], key: str) -> None:
    """Flag a repeated id or name, which would make entries impossible to tell apart."""
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(entries_):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        ident = value.strip()
        if ident not in first_seen:
            first_seen[ident] = index
            continue
        found = f"{ident!r} twice (entries #{first_seen[ident] + 1} and #{index + 1})"
        where = entry_label(noun, index, entry, key)
        problems.bad_field(where, key, found, "a different value for every entry")


def load_entries(
    path: Path, noun: str, build: Callable[[Problems, int, dict[str, Any]], T | None]
) -> list[T]:
    """Read every `[[noun]]` table in `path` through `build`, or raise ContentError listing
    every problem in the file: the shared frame of the prompt and resource loaders."""
    problems = Problems(path.name)
    data = read_toml(path, problems)
    rows: list[dict[str, Any]] = []
    if data is not None:
        unknown_keys(problems, "top level", data, (noun,), f"only [[{noun}]] entries")
        rows = entries(problems, data, noun, "top level")
    built = [build(problems, index, row) for index, row in enumerate(rows)]
    unique(problems, noun, rows, "id")
    problems.raise_if_any()
    return [entry for entry in built if entry is not None]
