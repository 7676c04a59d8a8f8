"""The command tree, declared once and read by every front end.

A command is a name, its options (each with a kind that says how to convert it), who may run
it, and the handler. The help text for each lives in `content/messages.toml` under
`help.<name>`, so the planning group can reword it; a test checks every command has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.domain.context import Reply

Kind = Literal[
    "session",
    "word",
    "text",
    "when",
    "duration",
    "objective",
    "zone",
    "capacity",
    "repeat",
    "choice",
    "assignments",
    "weeks",
    "page",
]
Handler = Callable[..., Reply]
# Given the command's context, its name and its answer, returns the answer to send.
Finisher = Callable[[Any, str, Reply], Reply]


@dataclass(frozen=True)
class Option:
    """One argument. `rest` options take every remaining word of a typed line; `named_only`
    ones are set only as `name=value`, so no ordinary word can be mistaken for them (a
    reason that begins "rest of the team…" must never widen a cancellation)."""

    name: str
    kind: Kind
    required: bool = True
    choices: tuple[str, ...] = ()
    named_only: bool = False
    # Older words for a choice, still accepted but never offered (buttons already posted
    # carry them, and people remember them): (old word, the choice it means).
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def rest(self) -> bool:
        return self.kind in ("text", "assignments")


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    options: tuple[Option, ...] = ()
    planners_only: bool = False
    public: bool = False
    slow: bool = False

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


class Registry:
    """All commands by name, in the order they were declared (the order help lists them)."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self.finishers: list[Finisher] = []

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"command {command.name!r} declared twice")
        self._commands[command.name] = command

    def command(self, name: str, *options: Option, **flags: Any) -> Callable[[Handler], Handler]:
        """Decorator: declare `name` with its options and register the handler beneath it."""

        def register(handler: Handler) -> Handler:
            self.add(Command(name, handler, tuple(options), **flags))
            return handler

        return register

    def finish_with(self, finisher: Finisher) -> Finisher:
        """Run `finisher` on every command's answer, after its handler: a rule that belongs to
        the commands (the welcome at first contact) without the dispatcher knowing of it."""
        self.finishers.append(finisher)
        return finisher

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def all(self) -> list[Command]:
        return list(self._commands.values())
