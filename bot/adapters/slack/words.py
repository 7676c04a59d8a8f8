"""The few words only the Slack front end says: form labels and file notes.

They live here, not in `content/messages.toml`, because that file's templates are checked
against `bot/message_fields.py`, which belongs to every front end. Moving them there
(as `slack.*` templates) is a small follow-up that lets the planning group reword them.
"""

from __future__ import annotations

WORDS = {
    "file_sent": "I've sent you {filename} in our direct messages.",
    "file_failed": (
        "I couldn't send you {filename} just now. Please try again in a little while,"
        " or ask the planning group."
    ),
    "modal_title": "Schedule a session",
    "modal_submit": "Schedule",
    "modal_close": "Cancel",
    "title": "Title",
    "date": "Date",
    "time": "Start time",
    "time_hint": "In the community's time zone, {zone}.",
    "duration": "Length",
    "objective": "Objective",
    "capacity": "Places",
    "capacity_hint": "Leave empty for no limit.",
    "where": "Where",
    "repeat": "Repeat",
    "repeat_hint": "For example: weekly, every 2 weeks, monthly, first Thursday x6.",
}


def word(key: str, **fields: str) -> str:
    return WORDS[key].format(**fields)
