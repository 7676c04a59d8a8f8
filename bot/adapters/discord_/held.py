"""Buttons whose command is too long for Discord carry a short id instead.

A button's custom_id holds at most 100 characters. A confirmation that repeats a planner's
reason, or the next page of a long search, does not fit: the command waits in the database
(`PendingStore`) and the button carries `~` and a short id. A click finds the command again,
for as long as it is kept; after that the member is told, kindly, to run it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.adapters.discord_.render import BUTTON_PREFIX, MAX_CUSTOM_ID
from bot.domain.context import Action, Item, Reply
from bot.storage.pending import PendingStore

HELD = "~"


def fits(command: str) -> bool:
    return len(BUTTON_PREFIX + command) <= MAX_CUSTOM_ID and not command.startswith(HELD)


def shorten(reply: Reply, pending: PendingStore, now: datetime) -> Reply:
    """The reply with every button that would not fit holding a short id instead."""
    every = [*reply.actions, *(a for item in reply.items for a in item.actions)]
    if all(fits(a.command) for a in every):
        return reply

    def short(action: Action) -> Action:
        if fits(action.command):
            return action
        return replace(action, command=HELD + pending.hold(action.command, now))

    def card(item: Item) -> Item:
        if all(fits(a.command) for a in item.actions):
            return item
        return replace(item, actions=tuple(short(a) for a in item.actions))

    return replace(
        reply,
        actions=tuple(short(a) for a in reply.actions),
        items=tuple(card(i) for i in reply.items),
    )


def held_command(command: str, pending: PendingStore, now: datetime) -> str | None:
    """The command a clicked button stands for: itself, or the one held behind its id
    (None once that has expired)."""
    if not command.startswith(HELD):
        return command
    return pending.find(command.removeprefix(HELD), now)
