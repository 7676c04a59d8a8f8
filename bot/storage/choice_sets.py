"""The distinct pairs of zone and choices that members' places are counted by.

Migration 20 numbers each pair in `choice_sets`, and its triggers keep every place's number
(`signups.choice_set`) true as members sign up and change their zone or choices: the
planner's counts then group places by a number read from the session index, never by
their members' rows. A pair no place names any more (its last member moved on, or was
forgotten) is let go by the daily upkeep, so the table holds only what some place is
counted by.
"""

from __future__ import annotations

from sqlite_utils import Database

from bot.storage.db import immediate


def forget_unused(db: Database) -> int:
    """Delete the sets no place names; returns how many went.

    Each set is looked for in the session index by its number, so a set still in use is
    found at once. An unused one costs a step over each session and status ahead of the
    number in the index (about 1 ms at 100,000 members) where SQLite has statistics on
    the index, as the upkeep's `optimize` keeps them; without them, a read of the whole
    index (about 10 ms at that size). Few sets fall out of use in a day."""
    with immediate(db):
        return int(
            db.execute(
                "DELETE FROM choice_sets WHERE NOT EXISTS"
                " (SELECT 1 FROM signups g WHERE g.choice_set = choice_sets.id)"
            ).rowcount
        )
