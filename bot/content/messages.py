"""Every sentence a member reads, from `content/messages.toml`, with named placeholders.

The code says which placeholders each template may use (`FIELDS`); loading checks the file
against that, so a typo in a placeholder or a missing template is caught at start and by
`copbot check`, naming the template, rather than in front of a member.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import Any

from bot.content.message_fields import FIELDS, LABEL_FAMILIES
from bot.domain.errors import ContentError


class Messages:
    """Templates by dotted key (`signup.confirmed`), rendered with `messages(key, **fields)`."""

    def __init__(self, templates: dict[str, str]) -> None:
        self.templates = templates

    def __call__(self, key: str, **fields: object) -> str:
        allowed = FIELDS.get(key, set() if _label(key) and key in self.templates else None)
        if allowed is None:
            raise KeyError(f"no template declared for {key!r}")
        if not fields.keys() <= allowed:
            raise KeyError(f"template {key!r} does not take {sorted(fields.keys() - allowed)}")
        if len(fields) < len(allowed):
            fields = {name: fields.get(name, "") for name in allowed}
        return self.templates[key].format_map(fields).strip()

    def lenient(self, key: str, fields: dict[str, object]) -> str:
        """Render with only the fields the template takes; for errors raised deep in the code."""
        allowed = FIELDS.get(key, set())
        return self(key, **{k: v for k, v in fields.items() if k in allowed})

    def has(self, key: str) -> bool:
        return key in self.templates


def load_messages(path: Path) -> Messages:
    """Load and check the templates; every problem is reported at once."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ContentError([f"{path.name}: cannot be read ({exc})"]) from exc
    templates = dict(_flatten(raw, ""))
    problems = [p for key, text in templates.items() for p in _check(path.name, key, text)]
    problems += [
        f"{path.name}: template '{key}' is missing (it takes: {_names(FIELDS[key])})"
        for key in FIELDS
        if key not in templates
    ]
    if problems:
        raise ContentError(problems)
    return Messages(templates)


def _flatten(table: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            pairs += _flatten(value, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", value))
    return pairs


def _label(key: str) -> bool:
    """A label in a family whose members the code lists elsewhere (the kinds table)."""
    return key.startswith(LABEL_FAMILIES)


def _check(file: str, key: str, text: object) -> list[str]:
    if key not in FIELDS and not _label(key):
        return [f"{file}: template '{key}' is not one the bot uses (check its spelling)"]
    if not isinstance(text, str):
        return [f"{file}: template '{key}': found {text!r}, expected text in quotes"]
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return [f"{file}: template '{key}': {exc} (write {{{{ and }}}} for a literal brace)"]
    allowed = FIELDS.get(key, set())
    unknown = sorted(used - allowed)
    if unknown:
        return [
            f"{file}: template '{key}': unknown placeholder {{{name}}}; it may use "
            f"{_names(allowed)}"
            for name in unknown
        ]
    return []


def _names(fields: set[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in sorted(fields)) or "no placeholders"
