"""The schedule form: a Discord modal for `/cop schedule` given no options by a planner.

Discord modals hold at most five inputs, so places and where share the last one in the same
order as the typed command (`12 Civic Hall`). What is collected goes through the same
dispatcher as the typed command; mistakes come back as an ephemeral reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.content.messages import Messages
from bot.dispatch.shapes import looks_like

# Runs a submitted form as the named command with these options (the adapter's `run_form`).
SubmitForm = Callable[[discord.Interaction[Any], str, dict[str, str]], Awaitable[None]]

MODAL_ID = "copform:schedule"
_OPEN = ("none", "unlimited", "open", "any")


def split_place(text: str) -> tuple[str, str]:
    """'12 Civic Hall' -> ('12', 'Civic Hall'); without a leading number it is all 'where'.

    Anything shaped like a number ("0", "-5", "1e9") is taken as the places, as it is when
    typed, so the command refuses it with the range instead of it becoming the place.
    """
    first, _, rest = text.strip().partition(" ")
    if looks_like("capacity", [first]) or first.lower() in _OPEN:
        return first, rest.strip()
    return "", text.strip()


class ScheduleModal(discord.ui.Modal):
    """Five inputs whose custom_ids are the schedule options they fill."""

    def __init__(self, say: Messages, submit: SubmitForm) -> None:
        super().__init__(title=say("form.modal_title")[:45], custom_id=MODAL_ID, timeout=600)
        self.submit = submit
        self.session_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=say("form.title")[:45], custom_id="title", max_length=120
        )
        self.when: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=say("form.when")[:45], custom_id="when", placeholder=say("form.when_hint")[:100]
        )
        self.duration: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=say("form.duration")[:45],
            custom_id="duration",
            placeholder="90m",
            required=False,
        )
        self.objective: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=say("form.objective")[:45],
            custom_id="objective",
            placeholder="CONNECT",
            required=False,
        )
        self.place: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=say("form.place")[:45],
            custom_id="place",
            placeholder=say("form.place_hint")[:100],
            required=False,
        )
        for item in (self.session_title, self.when, self.duration, self.objective, self.place):
            self.add_item(item)

    def options(self) -> dict[str, str]:
        """The form as the schedule command's named options (blanks are ignored later)."""
        capacity, where = split_place(self.place.value or "")
        return {
            "title": self.session_title.value or "",
            "when": self.when.value or "",
            "duration": self.duration.value or "",
            "objective": self.objective.value or "",
            "capacity": capacity,
            "where": where,
        }

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.submit(interaction, "schedule", self.options())
