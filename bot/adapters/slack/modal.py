"""The schedule form: a Slack modal for `/cop schedule` typed with nothing after it.

Typing a whole session on one line is hard to get right; the form asks for each part with
a date picker, a time picker and lists to choose from. What it collects goes through the
same dispatcher as the typed command, and any mistake is shown beside the field it is
about (`response_action: errors`), so the planner fixes it without retyping the rest.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack.blocks import Block, plain
from bot.adapters.slack.words import SlackWords
from bot.domain.context import Reply
from bot.domain.objectives import OBJECTIVES

CALLBACK_ID = "cop:schedule"
DURATIONS = ("30m", "45m", "60m", "90m", "2h", "3h")
DEFAULT_DURATION = "90m"
TITLE_LIMIT = 120
# an option the dispatcher names in an error -> the form field (block) it came from
OPTION_BLOCKS = {
    "title": "title",
    "when": "date",
    "duration": "duration",
    "objective": "objective",
    "capacity": "capacity",
    "where": "where",
    "repeat": "repeat",
}
ERROR_BLOCKS = {
    "when.nonexistent": "time",
    "duration.bad": "duration",
    "objective.bad": "objective",
    "error.capacity": "capacity",
    "repeat.bad": "repeat",
    "repeat.mismatch": "repeat",
    "repeat.count": "repeat",
    "repeat.interval": "repeat",
    "repeat.nth": "repeat",
    "schedule.title_missing": "title",
    "schedule.title_long": "title",
}


def _option(value: str) -> dict[str, Any]:
    return {"text": plain(value), "value": value}


def _input(
    word: SlackWords,
    block_id: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str = "",
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(word(block_id)),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _select(choices: tuple[str, ...], initial: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "options": [_option(c) for c in choices],
        "initial_option": _option(initial),
    }


def schedule_view(word: SlackWords, zone: str) -> dict[str, Any]:
    """The form, with times read in the community's zone (said beside the time picker)."""
    blocks = [
        _input(word, "title", {"type": "plain_text_input", "max_length": TITLE_LIMIT}),
        _input(word, "date", {"type": "datepicker"}),
        _input(word, "time", {"type": "timepicker"}, hint=word("time_hint", zone=zone)),
        _input(word, "duration", _select(DURATIONS, DEFAULT_DURATION)),
        _input(word, "objective", _select(OBJECTIVES, OBJECTIVES[0])),
        _input(
            word,
            "capacity",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "10000",
            },
            optional=True,
            hint=word("capacity_hint"),
        ),
        _input(word, "where", {"type": "plain_text_input", "max_length": 200}, optional=True),
        _input(
            word, "repeat", {"type": "plain_text_input"}, optional=True, hint=word("repeat_hint")
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(word("modal_title"), 24),
        "submit": plain(word("modal_submit"), 24),
        "close": plain(word("modal_close"), 24),
        "blocks": blocks,
    }


def _value(element: dict[str, Any]) -> str:
    """What one form element holds, whichever kind of element it is."""
    selected = element.get("selected_option")
    if isinstance(selected, dict):
        return str(selected.get("value") or "")
    for key in ("selected_date", "selected_time", "value"):
        if element.get(key):
            return str(element[key])
    return ""


def options_from_state(values: dict[str, Any]) -> dict[str, str]:
    """The submitted form as the named options the `schedule` command takes."""
    found = {
        block_id: _value(next(iter(elements.values()), {}))
        for block_id, elements in values.items()
        if isinstance(elements, dict)
    }
    when = " ".join(part for part in (found.get("date", ""), found.get("time", "")) if part)
    options = {name: found.get(name, "") for name in OPTION_BLOCKS if name != "when"}
    return {**options, "when": when}


def errors_for(reply: Reply) -> dict[str, str]:
    """The reply's complaint placed beside the field it is about (the title when unsure)."""
    block = ERROR_BLOCKS.get(reply.error)
    if block is None and reply.error.startswith("when."):
        block = "date"
    if block is None and reply.error == "error.missing":
        block = OPTION_BLOCKS.get(dict(reply.error_fields).get("option", ""))
    first_line = reply.text.split("\n", 1)[0]
    return {block or "title": first_line}
