"""The platform-neutral types every front end and every command share.

Adapters translate platform events into an `Actor` and an invocation, and render a `Reply`;
handlers only ever see these types, so they never touch Slack or Discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["primary", "danger", "default"]


@dataclass(frozen=True)
class Actor:
    """Who typed the command, as the platform knows them."""

    platform: str
    user_id: str
    display_name: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Action:
    """A button: pressing it runs `command` as if the member had typed `/cop <command>`."""

    label: str
    command: str
    style: Style = "default"


@dataclass(frozen=True)
class Item:
    """One card in a list: a session, a resource, a signup."""

    title: str
    lines: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file the reply carries, such as the calendar or an attendee list."""

    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Reply:
    """What a handler answers. Private unless the command is meant to be seen by all.

    Text may contain member-written words; every adapter escapes the whole reply when it
    renders it, and only `mentions` (platform user ids) may ever ping anyone. `error` names
    the message template when the reply explains a mistake, so a form can show it by its field.
    Front ends draw `cards` (the items, then any notice).
    """

    text: str
    items: tuple[Item, ...] = ()
    actions: tuple[Action, ...] = ()
    private: bool = True
    attachment: Attachment | None = None
    mentions: tuple[str, ...] = ()
    footer: str = ""
    error: str = ""
    error_fields: tuple[tuple[str, str], ...] = ()
    notice: Item | None = None
    # The delivery ledger's key when the courier sends this: a front end labels the message
    # with it (Slack metadata, a Discord nonce) so a retry after an unknown outcome can tell
    # whether the first try arrived.
    ledger_key: str = ""

    @property
    def cards(self) -> tuple[Item, ...]:
        """Every card to draw: the answer's own, then a notice the member is owed (the
        welcome at first contact), kept apart so the answer itself reads the same."""
        return (*self.items, self.notice) if self.notice is not None else self.items
