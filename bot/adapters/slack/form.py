"""Submitting the schedule form: acknowledged at once, and never scheduled twice.

Slack gives three seconds to acknowledge a submission; finding out whether the planner is
in the planning group's user group can take longer (a cold cache, a slow
`usergroups.users.list`). A late acknowledgement made Slack show an error although the
session was created, and pressing Submit again created a second one. So the form is
acknowledged first, replaced by a "scheduling…" note with nothing to press; the work
follows; then the view is updated: a confirmation, or the form again with what the planner
typed and each problem beside its field.

Each view id is claimed in the database before anything is created, so a second submission
of the same form, at once or after a restart, schedules nothing and says so.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from bot.adapters.slack.blocks import Block, plain, reply_blocks, words
from bot.adapters.slack.modal import schedule_view
from bot.adapters.slack.words import SlackWords
from bot.domain.context import Reply
from bot.storage.meta import MetaStore

View = dict[str, Any]
CLAIM_PREFIX = "slack-form:"
NOTE_BLOCK = "cop-note"
DONE_BLOCKS = 40  # a modal holds up to 100 blocks; a confirmation needs far fewer
_INITIAL = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "static_select": ("selected_option", "initial_option"),
}


class Submissions:
    """Which schedule forms were sent, kept in the database so a restart forgets none."""

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta

    def claim(self, view_id: str) -> bool:
        """True for the first submission of `view_id`; False for any repeat of it."""
        return self.meta.claim(CLAIM_PREFIX + view_id, "sent")

    def release(self, view_id: str) -> None:
        """Nothing was scheduled (the form needs fixing): it may be sent again."""
        self.meta.forget(CLAIM_PREFIX + view_id)


def note(text: str) -> Block:
    return {"type": "section", "block_id": NOTE_BLOCK, "text": plain(text, 3000, emoji=False)}


def refilled(
    word: SlackWords, zone: str, state: dict[str, Any], top: str, errors: dict[str, str]
) -> View:
    """The form with what was typed in it, `top` above it and each error under its field."""
    view = schedule_view(word, zone)
    blocks: list[Block] = [note(top)] if top else []
    for block in view["blocks"]:
        blocks.append(_with_value(block, state.get(block.get("block_id", ""), {})))
        problem = errors.get(block.get("block_id", ""))
        if problem:
            blocks.append({"type": "context", "elements": [plain(problem, 2000, emoji=False)]})
    return {**view, "blocks": blocks}


def _with_value(block: Block, elements: dict[str, Any]) -> Block:
    """`block` showing the value it was submitted with, if it had one."""
    submitted = next(iter(elements.values()), None) if isinstance(elements, dict) else None
    element = block.get("element") or {}
    found = _INITIAL.get(str(element.get("type")))
    if not isinstance(submitted, dict) or found is None or not submitted.get(found[0]):
        return block
    filled = copy.deepcopy(block)
    filled["element"][found[1]] = submitted[found[0]]
    return filled


def message_view(word: SlackWords, text: str) -> View:
    """A modal with one message and a close button, and nothing to submit."""
    return _closing(word, [words(text)])


def done_view(word: SlackWords, reply: Reply) -> View:
    """The confirmation, as the modal's last state; its buttons live in the DM copy."""
    quiet = replace(reply, actions=(), items=tuple(replace(i, actions=()) for i in reply.items))
    if reply.actions:  # a preview: say where its Schedule it button is
        quiet = replace(quiet, footer=f"{quiet.footer}\n{word('buttons_in_dm')}".strip())
    return _closing(word, reply_blocks(quiet, limit=DONE_BLOCKS))


def _closing(word: SlackWords, blocks: list[Block]) -> View:
    return {
        "type": "modal",
        "title": plain(word("modal_title"), 24),
        "close": plain(word("modal_done"), 24),
        "blocks": blocks,
    }
